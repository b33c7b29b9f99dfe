import { closeSync, constants, mkdirSync, openSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ActionError } from './errors.ts';
import { ownedName } from './state.ts';

/** The runner's temp folder, emptied after every job: outside the workspace. */
export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.RUNNER_TEMP || tmpdir());
}

/** Where the credentials file goes: the input, else the runner's temp folder, never the workspace by default. */
export function credentialsDirectory(input: string, env: NodeJS.ProcessEnv = process.env): string {
  return input ? resolve(input) : runnerTemp(env);
}

/** True when `dir` is the workspace or inside it, where uploads, caches and images can pick files up. */
export function isInsideWorkspace(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return false;
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const rel = relative(real(workspace), real(dir));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Writes a secret JSON file readable by its owner only, under a fresh name.
 */
export function writeSecretJson(dir: string, content: object): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    throw new ActionError(`Cannot create the folder ${dir} for the credentials file.`, 'Set credentials_file_dir to a writable folder outside the workspace, or leave it unset to use $RUNNER_TEMP.');
  }
  const path = join(dir, ownedName('.json'));
  try {
    writeExclusive(path, `${JSON.stringify(content, null, 2)}\n`, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ActionError(`Cannot create the credentials file in ${dir} (${code}).`, 'Set credentials_file_dir to a writable folder outside the workspace, or leave it unset to use $RUNNER_TEMP.');
  }
  return path;
}

/**
 * Creates a file that must not exist yet, with `mode` from the start. The
 * exclusive create and the refusal to follow a symlink mean nothing planted at
 * the path beforehand can redirect or read what is written.
 */
export function writeExclusive(path: string, content: string | Uint8Array, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
