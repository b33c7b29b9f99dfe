// Folders that secrets go into. On a shared self-hosted runner other users may
// write to the parent folders: a folder they can rename or re-point lets them swap
// what gemini-auth writes (credentials, the gemini-auth-token command) for their
// own. So every folder is checked before anything goes into it, every folder we
// create is remembered by its device and inode, and it is written into, or removed,
// only while it is still that folder.
import { lstatSync, mkdirSync, type BigIntStats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ActionError } from '../errors.ts';
import { ownedName } from './owned-names.ts';

/** A path gemini-auth created, known by its device and inode (as text: they can exceed 2^53). */
export interface Created {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
}

/** What a folder is for, in its errors: `what` ends "The folder DIR for …"; `fix` is the way out that fits that use. */
export interface FolderUse {
  readonly what: string;
  readonly fix: string;
}

function lstatIfAny(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** The identity of what stands at `path` now, which this process just created. */
export function created(path: string): Created {
  const stats = lstatSync(path, { bigint: true });
  return { path, dev: String(stats.dev), ino: String(stats.ino) };
}

/**
 * True while `path` is still what was created there: the same device and
 * inode, not a symbolic link, owned by this user, and, with `private`, open to
 * no one else (a folder 0700).
 */
export function isStillOurs(path: Created, options: { private?: boolean } = {}): boolean {
  const stats = lstatIfAny(path.path);
  if (!stats || stats.isSymbolicLink() || String(stats.dev) !== path.dev || String(stats.ino) !== path.ino) return false;
  // Windows has neither owners nor these bits as Node reports them.
  if (process.platform === 'win32') return true;
  return stats.uid === BigInt(process.getuid?.() ?? -1) && (!options.private || (stats.mode & 0o077n) === 0n);
}

/** Refuses to write into a folder gemini-auth created that is no longer the one it created. */
export function requireStillOurs(folder: Created, use: FolderUse): string {
  if (!isStillOurs(folder, { private: true })) {
    throw new ActionError(
      `The folder ${folder.path} that gemini-auth created for ${use.what} was replaced or opened to others before gemini-auth wrote into it.`,
      `Someone else on the runner can rename folders where it was created: check who may write there, and ${use.fix}.`,
    );
  }
  return folder.path;
}

/**
 * Refuses a folder through which someone else could swap what goes into it: a
 * symbolic link (its target is whoever last pointed it), something that is not a
 * folder, or a folder anyone may write to without the sticky bit that stops them
 * renaming others' files.
 */
export function checkFolder(dir: string, use: FolderUse): void {
  const stats = lstatIfAny(dir);
  if (!stats) throw new ActionError(`Cannot create the folder ${dir} for ${use.what}.`, `Check that it can be created, or ${use.fix}.`);
  if (stats.isSymbolicLink()) {
    throw new ActionError(
      `The folder ${dir} for ${use.what} is a symbolic link; gemini-auth writes secrets only into a real folder, since whoever can re-point a link chooses where they go.`,
      `Use the folder the link points to (\`realpath\` prints it), or ${use.fix}.`,
    );
  }
  if (!stats.isDirectory()) throw new ActionError(`${dir} is not a folder, so ${use.what} cannot go there.`, `Remove what stands there, or ${use.fix}.`);
  // Windows has no such bits: Node reports every folder that is not read-only as 0666 there.
  if (process.platform !== 'win32' && (stats.mode & 0o002n) !== 0n && (stats.mode & 0o1000n) === 0n) {
    throw new ActionError(
      `The folder ${dir} for ${use.what} is writable by every user and has no sticky bit: anyone on the runner could rename what gemini-auth writes there and put files of their own in its place.`,
      `Run \`chmod o-w ${dir}\` (or \`chmod +t ${dir}\`, as /tmp has) before this step, or ${use.fix}.`,
    );
  }
}

/**
 * Creates `dir` with any missing parents (0700) and checks it; returns each
 * folder it created, outermost first, so that they can be removed again.
 */
export function createFolders(dir: string, use: FolderUse): Created[] {
  let first: string | undefined;
  try {
    first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // Whatever stands in the way (a dangling link, a file) is named by the check.
  }
  checkFolder(dir, use);
  if (first === undefined) return [];
  const levels = [first];
  for (const part of relative(first, dir).split(sep).filter(Boolean)) levels.push(join(levels.at(-1) ?? first, part));
  return levels.map(created);
}

/** A new folder of our own in `parent`, open to this user only, once `parent` passed the checks. */
export function createPrivateFolder(parent: string, use: FolderUse): Created {
  checkFolder(parent, use);
  const path = join(parent, ownedName());
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    throw new ActionError(`Cannot create a folder in ${parent} for ${use.what} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, `Check that the folder is writable, or ${use.fix}.`);
  }
  const folder = created(path);
  requireStillOurs(folder, use);
  return folder;
}

