// The post step: removes what the main step wrote, also after it failed; never fails the job itself.
import * as core from '@actions/core';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { OWNED_NAME } from '../files/owned-names.ts';
import { ownedPaths } from './cleanup-state.ts';

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
    for (const path of paths) remove(path);
    return;
  }
  core.info(`cleanup_credentials is false: leaving ${paths.join(', ')} in place.`);
}

/** cleanup_credentials: false; an unreadable value removes, the safe side. */
function keepFiles(): boolean {
  try {
    return core.getInput('cleanup_credentials') !== '' && !core.getBooleanInput('cleanup_credentials');
  } catch {
    return false;
  }
}

function remove(path: string): void {
  if (!OWNED_NAME.test(basename(path))) {
    core.warning(`Not removing ${path}: it is not a file gemini-auth wrote.`);
    return;
  }
  try {
    rmSync(path, { force: true, recursive: true });
    core.info(`Removed ${path}.`);
  } catch (error) {
    core.warning(`Could not remove ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); remove it by hand.`);
  }
}
