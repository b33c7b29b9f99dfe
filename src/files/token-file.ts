// A token kept on disk between calls (gemini-auth-token's current token, the
// CLI's cache): readable by its owner only, replaced whole.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomHex } from '../lazy-crypto.ts';
import { isoSeconds, type AccessToken } from '../token.ts';
import { writeSecretFile } from './secret-file.ts';

/** A token as it was kept, with the public facts its writer noted beside it, if any (the CLI's `--json` fields). */
export interface StoredToken extends AccessToken {
  readonly details?: Readonly<Record<string, string>>;
}

/** The token in `path`, or undefined when there is none that can be read. */
export function readTokenFile(path: string): StoredToken | undefined {
  try {
    const { access_token: accessToken, expires_at: expiresAt, ...rest } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresAt !== 'string') return undefined;
    const expiry = new Date(expiresAt);
    const details = Object.fromEntries(Object.entries(rest).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    if (Number.isNaN(expiry.getTime())) return undefined;
    return Object.keys(details).length ? { accessToken, expiresAt: expiry, details } : { accessToken, expiresAt: expiry };
  } catch {
    return undefined;
  }
}

/**
 * Parallel writers each write a file of their own and rename it over `path`: readers see one whole token or the other.
 * `details` are kept beside the token; none of them may be secret.
 */
export function writeTokenFile(path: string, token: AccessToken, details: Readonly<Record<string, string | undefined>> = {}): void {
  const temporary = join(dirname(path), `.${randomHex(8)}.tmp`);
  writeSecretFile(temporary, JSON.stringify({ ...details, access_token: token.accessToken, expires_at: isoSeconds(token.expiresAt) }));
  try {
    replaceFile(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The waits between tries of a refused rename: 10 ms, doubling, about 1.3 s in all, far longer than a reader keeps the file open. */
const RENAME_WAITS_MS = [10, 20, 40, 80, 160, 320, 640];

/**
 * True when a rename over a file may work if tried again. Windows refuses to
 * replace a file that another process has open, even with delete sharing, as
 * Node's readers open it (EPERM or EACCES), and one a scanner holds (EBUSY):
 * a parallel call reading the token at that instant is enough. Elsewhere a
 * rename replaces an open file, and an error is final.
 */
export function isRenameRefusalToRetry(code: string | undefined, platform: NodeJS.Platform): boolean {
  return platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
}

function replaceFile(from: string, to: string): void {
  for (const wait of [...RENAME_WAITS_MS, undefined]) {
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      if (wait === undefined || !isRenameRefusalToRetry((error as NodeJS.ErrnoException).code, process.platform)) throw error;
      // writeTokenFile is synchronous, and so is this wait.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}
