import { closeSync, constants, openSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ActionError } from '../errors.ts';
import { checkFolder, type FolderUse } from './folders.ts';
import { ownedName } from './owned-names.ts';

/** The runner's temp folder, emptied after every job: outside the workspace. */
export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TEMP ? resolve(env.RUNNER_TEMP) : systemTemp();
}

/**
 * The system's temp folder, as the real folder: on macOS without TMPDIR it is
 * /tmp, a link the system keeps to /private/tmp, and secrets go into real
 * folders only (see checkFolder). The system chose it, not a user.
 */
export function systemTemp(): string {
  // node:os on first use: this module is on the path of every cached token (gemini-auth-token, `gemini-auth token`), which never needs it.
  const temp = process.getBuiltinModule('node:os').tmpdir();
  try {
    return realpathSync(temp);
  } catch {
    return resolve(temp);
  }
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

const FOLDER_FIX = 'Set credentials_file_dir to a writable folder outside the workspace, or leave it unset to use $RUNNER_TEMP.';

/** The credentials file's folder, as its errors name it. */
export const CREDENTIALS_FOLDER: FolderUse = {
  what: 'the credentials file',
  fix: 'set credentials_file_dir to a folder of your own outside the workspace, or leave it unset to use $RUNNER_TEMP',
};

/**
 * Writes a secret JSON file, named gemini-auth-<random>.json, into `dir`,
 * readable by its owner only, once the folder passed the checks (checkFolder).
 */
export function writeSecretJson(dir: string, content: object, use: FolderUse = CREDENTIALS_FOLDER): string {
  checkFolder(dir, use);
  const path = join(dir, ownedName('.json'));
  writeSecretFile(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}

/**
 * Writes a new file readable by its owner only (or `mode`). The exclusive
 * create and the refusal to follow a symlink mean nothing planted at the path
 * beforehand can redirect or read the secret; a failed write removes what it began.
 */
export function writeSecretFile(path: string, content: string | Uint8Array, mode = 0o600): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    throw new ActionError(`Cannot create the credentials file ${path} (${errorCode(error)}).`, FOLDER_FIX);
  }
  try {
    writeFileSync(fd, content);
  } catch (error) {
    rmSync(path, { force: true });
    throw new ActionError(`Cannot write the credentials file ${path} (${errorCode(error)}).`, 'Free some disk space on the runner, or set credentials_file_dir to a folder on another disk.');
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}
