// The paths the main step wrote, handed to the post step through GITHUB_STATE
// (not environment variables, which later steps could change).
import * as core from '@actions/core';

const STATE_CLEANUP_PATHS = 'cleanup_paths';
const owned: string[] = [];

/** Hands `path` to the post step for removal, at once, so that a failure later on leaves nothing behind. */
export function own(path: string): string {
  owned.push(path);
  core.saveState(STATE_CLEANUP_PATHS, JSON.stringify(owned));
  return path;
}

/** What the main step handed over; nothing when it handed nothing or the state is unreadable. */
export function ownedPaths(): string[] {
  try {
    const value: unknown = JSON.parse(core.getState(STATE_CLEANUP_PATHS) || '[]');
    return Array.isArray(value) ? value.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
}
