import { writeAll } from '../stderr-commands.ts';
import { isoSeconds } from '../token.ts';
import type { StoredToken } from '../files/token-file.ts';

/** The public facts kept beside a cached token, for `--json`: auth_type, principal, project_id, where known. */
export type TokenDetails = Readonly<Record<string, string>>;

/** The answer of `gemini-auth token`, alone on stdout: the token, or with --json its facts. */
export function printToken(token: StoredToken, json: boolean): void {
  const details = token.details ?? {};
  const line = json
    ? JSON.stringify({ access_token: token.accessToken, expires_at: isoSeconds(token.expiresAt), auth_type: details.auth_type ?? null, principal: details.principal ?? null, project_id: details.project_id ?? null })
    : token.accessToken;
  writeAll(1, `${line}\n`);
}
