import * as core from './runner.ts';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { environmentInputReader, parseBoolean } from './inputs.ts';
import { OWNED_NAME, STATE_CLEANUP_PATHS } from './state.ts';

/** Removes what the main step wrote, also after it failed; never fails the job itself. */
function cleanup(): void {
  const paths = readPaths(core.getState(STATE_CLEANUP_PATHS));
  if (paths.length === 0) return;
  if (!parseBoolean('cleanup_credentials', environmentInputReader()('cleanup_credentials') || 'true')) {
    core.info(`cleanup_credentials is false: leaving ${paths.join(', ')} in place.`);
    return;
  }
  for (const path of paths) {
    if (!OWNED_NAME.test(basename(path))) {
      core.warning(`Not removing ${path}: it is not a file gemini-auth wrote.`);
      continue;
    }
    try {
      rmSync(path, { force: true, recursive: true });
      core.info(`Removed ${path}.`);
    } catch (error) {
      core.warning(`Could not remove ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); remove it by hand.`);
    }
  }
}

function readPaths(state: string): string[] {
  try {
    const value: unknown = JSON.parse(state || '[]');
    return Array.isArray(value) ? value.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
}

try {
  cleanup();
} catch (error) {
  core.warning(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
}
