// What the main step created, handed to the post step through GITHUB_STATE (not
// environment variables, which later steps could change), each path with its
// identity, so that the post step removes nothing but what was created.
import * as core from '@actions/core';
import type { Created } from '../files/folders.ts';

const STATE_CLEANUP_PATHS = 'cleanup_paths';

/**
 * How the post step removes a path: a file; a folder of ours with all in it
 * (the token folder); a folder made for credentials_file_dir, only if empty.
 */
export type Removal = 'file' | 'folder' | 'empty-folder';
export interface Owned extends Created {
  readonly removal: Removal;
}

const owned: Owned[] = [];

/** Hands `path` to the post step for removal, at once, so that a failure later on leaves nothing behind. */
export function own(path: Created, removal: Removal): string {
  owned.push({ ...path, removal });
  core.saveState(STATE_CLEANUP_PATHS, JSON.stringify(owned));
  return path.path;
}

/** What the main step handed over, newest last; nothing when it handed nothing or the state is unreadable. */
export function ownedPaths(): Owned[] {
  try {
    const value: unknown = JSON.parse(core.getState(STATE_CLEANUP_PATHS) || '[]');
    return Array.isArray(value) ? value.filter(isOwned) : [];
  } catch {
    return [];
  }
}

function isOwned(value: unknown): value is Owned {
  const entry = value as Record<string, unknown> | null;
  return (
    typeof entry === 'object' && entry !== null &&
    ['path', 'dev', 'ino'].every((key) => typeof entry[key] === 'string') &&
    ['file', 'folder', 'empty-folder'].includes(entry.removal as string)
  );
}
