import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ActionError } from '../errors.ts';
import { ownedName } from './owned-names.ts';

/** The runner's temp folder, emptied after every job: outside the workspace. */
export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  // node:os on first use: this module is on the path of every cached token (gemini-auth-token, `gemini-auth token`), which never needs it.
  return resolve(env.RUNNER_TEMP || process.getBuiltinModule('node:os').tmpdir());
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

/** How fixes name the setting that chose the folder, and the folder used without it: the Action's input, the CLI's option. */
export interface FolderNaming {
  readonly input: string;
  readonly fallback: string;
}

export const ACTION_FOLDER: FolderNaming = { input: 'credentials_file_dir', fallback: '$RUNNER_TEMP' };

const folderFix = (naming: FolderNaming): string => `Set ${naming.input} to a writable folder outside the workspace, or leave it unset to use ${naming.fallback}.`;

/**
 * Writes a secret JSON file, named gemini-auth-<random>.json, into `dir`,
 * readable by its owner only.
 */
export function writeSecretJson(dir: string, content: object, naming: FolderNaming = ACTION_FOLDER): string {
  prepareSecretFolder(dir, naming);
  const path = join(dir, ownedName('.json'));
  writeSecretFile(path, `${JSON.stringify(content, null, 2)}\n`, 0o600, naming);
  return path;
}

/**
 * Creates the folder (0700) when it is missing, and refuses one through which
 * someone else could swap the file for credentials of their own: a symbolic
 * link (its target is whoever last pointed it), or a folder anyone may write
 * to without the sticky bit that stops them renaming others' files.
 */
export function prepareSecretFolder(dir: string, naming: FolderNaming = ACTION_FOLDER): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // Whatever stands in the way (a dangling link, a file) is named below.
  }
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch {
    throw new ActionError(`Cannot create the folder ${dir} for the credentials file.`, folderFix(naming));
  }
  if (stats.isSymbolicLink()) {
    throw new ActionError(
      `The folder ${dir} for the credentials file is a symbolic link; gemini-auth writes secrets only into a real folder, since whoever can re-point a link chooses where they go.`,
      `Set ${naming.input} to the folder the link points to (\`realpath\` prints it), or leave it unset to use ${naming.fallback}.`,
    );
  }
  if (!stats.isDirectory()) throw new ActionError(`${dir} is not a folder, so the credentials file cannot go there.`, folderFix(naming));
  // Windows has no such bits: Node reports every folder that is not read-only as 0666 there.
  if (process.platform !== 'win32' && (stats.mode & 0o002) !== 0 && (stats.mode & 0o1000) === 0) {
    throw new ActionError(
      `The folder ${dir} for the credentials file is writable by every user and has no sticky bit: anyone on the runner could replace the file with credentials of their own.`,
      `Run \`chmod o-w ${dir}\` (or \`chmod +t ${dir}\`) before this step, set ${naming.input} to a folder of your own, or leave it unset to use ${naming.fallback}.`,
    );
  }
}

/**
 * Writes a new file readable by its owner only (or `mode`). The exclusive
 * create and the refusal to follow a symlink mean nothing planted at the path
 * beforehand can redirect or read the secret; a failed write removes what it began.
 */
export function writeSecretFile(path: string, content: string | Uint8Array, mode = 0o600, naming: FolderNaming = ACTION_FOLDER): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    throw new ActionError(`Cannot create the credentials file ${path} (${errorCode(error)}).`, folderFix(naming));
  }
  try {
    writeFileSync(fd, content);
  } catch (error) {
    rmSync(path, { force: true });
    throw new ActionError(`Cannot write the credentials file ${path} (${errorCode(error)}).`, `Free some disk space on the runner, or set ${naming.input} to a folder on another disk.`);
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}
