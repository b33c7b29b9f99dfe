// The post step: removes what the main step created, also after it failed; never fails the job itself.
import * as core from '@actions/core';
import { lstatSync, rmdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { isStillOurs } from '../files/folders.ts';
import { OWNED_NAME } from '../files/owned-names.ts';
import { ownedPaths, type Owned } from './cleanup-state.ts';

export async function run(): Promise<void> {
  try {
    cleanup();
  } catch (error) {
    core.warning(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function cleanup(): void {
  const paths = ownedPaths();
  if (paths.length === 0) return;
  if (!keepFiles()) {
    // Newest first: a file before the folders made for it.
    for (const path of paths.reverse()) remove(path);
    return;
  }
  core.info(`cleanup_credentials is false: leaving ${paths.map((path) => path.path).join(', ')} in place.`);
}

/** cleanup_credentials: false; an unreadable value removes, the safe side. */
function keepFiles(): boolean {
  try {
    return core.getInput('cleanup_credentials') !== '' && !core.getBooleanInput('cleanup_credentials');
  } catch {
    return false;
  }
}

function remove(owned: Owned): void {
  const { path, removal } = owned;
  // Folders made for credentials_file_dir carry the user's names; files and the token folder carry ours.
  if (removal !== 'empty-folder' && !OWNED_NAME.test(basename(path))) {
    core.warning(`Not removing ${path}: it is not a file gemini-auth wrote.`);
    return;
  }
  if (!isStillOurs(owned)) {
    // Gone already is done; anything else in its place is someone else's.
    if (lstatSync(path, { throwIfNoEntry: false })) core.warning(`Not removing ${path}: it is no longer what gemini-auth created there (it was replaced or re-pointed since).`);
    return;
  }
  try {
    if (removal === 'empty-folder') rmdirSync(path);
    else rmSync(path, { force: true, recursive: removal === 'folder' });
    core.info(`Removed ${path}.`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOTEMPTY' || code === 'EEXIST') core.info(`Left the folder ${path} in place: it holds files gemini-auth did not write.`);
    else core.warning(`Could not remove ${path} (${code}); remove it by hand.`);
  }
}
