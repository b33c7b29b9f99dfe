// One refresh at a time among parallel callers that share a stored token (the
// CLI's token cache, gemini-auth-token's current token). A caller that finds
// the token too old takes the lock, reads the token again, since another caller
// may have refreshed it while this one waited, and refreshes only if it is
// still too old. The lock is a file created with O_EXCL, so it works across
// processes and on every platform; a holder that died, or that has held the
// lock longer than any refresh can take, loses it.
import { closeSync, constants, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { ActionError } from '../errors.ts';
import { randomHex } from '../lazy-crypto.ts';

export interface LockOptions {
  /** A lock held longer than this counts as abandoned: longer than a refresh can take (its whole timeout). */
  readonly staleMs?: number;
  /** How long to wait between two looks at a lock someone else holds (a random share is added). */
  readonly pollMs?: number;
}

/** The default timeout input (120 s) and a margin: no refresh holds the lock longer. */
const DEFAULT_STALE_MS = 150_000;
const DEFAULT_POLL_MS = 25;

/**
 * The value `read` finds, or else the one `refresh` makes (and stores, so that
 * `read` finds it next): of callers that run this at the same time, at most one
 * refreshes, and the others read what it stored.
 */
export async function refreshOnce<T>(lockPath: string, read: () => T | undefined, refresh: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  return read() ?? withRefreshLock(lockPath, async () => read() ?? refresh(), options);
}

/** Runs `action` holding the lock file `lockPath`, waiting while someone else holds it. */
export async function withRefreshLock<T>(lockPath: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const stamp = await acquire(lockPath, options.staleMs ?? DEFAULT_STALE_MS, options.pollMs ?? DEFAULT_POLL_MS);
  try {
    return await action();
  } finally {
    // A holder judged abandoned may find the lock taken over: it removes only its own.
    removeIfHeldBy(lockPath, stamp);
  }
}

async function acquire(lockPath: string, staleMs: number, pollMs: number): Promise<string> {
  const stamp = `${process.pid} ${hostname()} ${randomHex(8)}`;
  // No holder keeps the lock past staleMs, so a wait this long means the lock cannot be created at all.
  const giveUpAt = Date.now() + 2 * staleMs;
  for (;;) {
    if (tryCreate(lockPath, stamp)) return stamp;
    const holder = readHolder(lockPath);
    if (holder && isAbandoned(holder, staleMs)) removeIfHeldBy(lockPath, holder.stamp);
    // Without a holder the lock was let go this instant (or, on Windows, is being deleted): try again soon.
    else await new Promise((resolve) => setTimeout(resolve, holder ? pollMs + Math.random() * pollMs : 1));
    if (Date.now() > giveUpAt) throw new ActionError(`Cannot take the lock file ${lockPath}: it could not be created for ${Math.round((2 * staleMs) / 1000)} s.`, 'Check that its folder exists and that you may write to it, then run the command again.');
  }
}

/**
 * Whether a failed exclusive create means someone holds the lock. On Windows a
 * lock file being deleted keeps its name for a moment, and creating it again
 * then fails with EPERM: the holder is just letting go.
 */
export function lockIsTaken(code: string | undefined, platform: NodeJS.Platform): boolean {
  return code === 'EEXIST' || (platform === 'win32' && code === 'EPERM');
}

function tryCreate(lockPath: string, stamp: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (lockIsTaken(code, process.platform)) return false;
    throw new ActionError(`Cannot create the lock file ${lockPath} (${code ?? 'error'}).`, 'Check that its folder exists and that you may write to it.');
  }
  try {
    writeSync(fd, stamp);
  } finally {
    closeSync(fd);
  }
  return true;
}

interface Holder {
  readonly stamp: string;
  readonly ageMs: number;
}

/** Who holds the lock and since when; undefined once it is gone. A lock just created may still be empty. */
function readHolder(lockPath: string): Holder | undefined {
  try {
    const ageMs = Date.now() - statSync(lockPath).mtimeMs;
    return { stamp: readFileSync(lockPath, 'utf8'), ageMs };
  } catch {
    return undefined;
  }
}

function isAbandoned(holder: Holder, staleMs: number): boolean {
  if (holder.ageMs > staleMs) return true;
  const [pid, host] = holder.stamp.split(' ');
  // A process id says something only on the machine that wrote it (a cache folder may be shared over the network).
  return host === hostname() && Number(pid) > 0 && !isRunning(Number(pid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock if `stamp` still holds it. Between the read and the removal
 * another caller could take over a lock just judged abandoned; the window is a
 * few microseconds, and the price two refreshes instead of one.
 */
function removeIfHeldBy(lockPath: string, stamp: string): void {
  if (readHolder(lockPath)?.stamp === stamp) rmSync(lockPath, { force: true });
}

function hostname(): string {
  return process.getBuiltinModule('node:os').hostname().replace(/\s/g, '');
}
