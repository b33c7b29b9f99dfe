// A token kept on disk between calls (gemini-auth-token's current token, the
// CLI's cache): readable by its owner only, replaced whole.
import { readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomHex } from '../lazy-crypto.ts';
import { isoSeconds, type AccessToken } from '../token.ts';
import { writeSecretFile } from './secret-file.ts';

/** The token in `path`, or undefined when there is none that can be read. */
export function readTokenFile(path: string): AccessToken | undefined {
  try {
    const { access_token: accessToken, expires_at: expiresAt } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresAt !== 'string') return undefined;
    const expiry = new Date(expiresAt);
    return Number.isNaN(expiry.getTime()) ? undefined : { accessToken, expiresAt: expiry };
  } catch {
    return undefined;
  }
}

/** Parallel writers each write a file of their own and rename it over `path`: readers see one whole token or the other. */
export function writeTokenFile(path: string, token: AccessToken): void {
  const temporary = join(dirname(path), `.${randomHex(8)}.tmp`);
  writeSecretFile(temporary, JSON.stringify({ access_token: token.accessToken, expires_at: isoSeconds(token.expiresAt) }));
  renameSync(temporary, path);
}
