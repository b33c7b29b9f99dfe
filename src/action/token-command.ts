// gemini-auth-token: prints a token that lives at least --min-lifetime seconds more,
// refreshing it when needed. Called once per request in users' scripts, so the common
// case (the current token still lives long enough) reads two small files and loads
// nothing else: no token sources, no google-auth-library.
import { parseArgs } from 'node:util';
import { ActionError, failureMessage } from '../errors.ts';
import { refreshOnce } from '../files/refresh-lock.ts';
import { parseDuration } from '../inputs.ts';
import { shellLog } from '../log.ts';
import { isoSeconds, type AccessToken } from '../token.ts';
import { debugOnStderr, failOnStderr, maskOnStderr, writeAll } from '../stderr-commands.ts';
import { untrusted } from '../untrusted.ts';
import { TOKEN_COMMAND } from './token-command-shims.ts';
import { readCurrentToken, readRefreshConfig, refreshLockPath, writeCurrentToken } from './token-folder.ts';

const USAGE = `Usage: ${TOKEN_COMMAND} [--min-lifetime SECONDS] [--json]

Prints a Google access token of the credentials of the gemini-auth step that
installed this command, valid for at least SECONDS more seconds: the current
token while it lives long enough, else a new one refreshed from the credentials
file (and kept for the next call). New tokens are masked in the log.

  --min-lifetime SECONDS  how long the token must still live (default: the
                          step's min_token_lifetime, 600); also 90s, 15m, 1h
  --json                  print {"access_token": "...", "expires_at": "2026-11-23T10:00:00Z"}
  --help                  print this help

Example, in a bash step. Take the token on a line of its own: a failure then
fails the step, where inside a curl line it would send an empty token. User
credentials need the quota project header; curl leaves it out when
GOOGLE_CLOUD_QUOTA_PROJECT is empty.
  token=$(${TOKEN_COMMAND})
  curl --fail-with-body -sS -H "Authorization: Bearer $token" \\
    -H "x-goog-user-project: $GOOGLE_CLOUD_QUOTA_PROJECT" \\
    https://generativelanguage.googleapis.com/v1beta/models

In PowerShell:
  $token = ${TOKEN_COMMAND}; if ($LASTEXITCODE) { exit $LASTEXITCODE }
`;

async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options.help) {
    writeAll(1, USAGE);
    return;
  }
  if (!options.state) throw new ActionError(`${TOKEN_COMMAND} was started without its state folder.`, `Call the ${TOKEN_COMMAND} that the gemini-auth step put on PATH.`);
  const config = readRefreshConfig(options.state);
  const minLifetime = options['min-lifetime'] === undefined ? config.minTokenLifetimeSeconds : parseDuration('--min-lifetime', options['min-lifetime'], 0, 43200);
  const state = options.state;
  const current = (): AccessToken | undefined => {
    const token = readCurrentToken(state);
    return token && token.expiresAt.getTime() - Date.now() >= minLifetime * 1000 ? token : undefined;
  };
  // Of parallel calls that find the token too old, one refreshes and the others wait and read what it wrote.
  const { accessToken, expiresAt } = await refreshOnce(
    refreshLockPath(state),
    current,
    async () => {
      const { refreshToken } = await import('./token-refresh.ts');
      const token = await refreshToken(config, shellLog({ mask: maskOnStderr, debug: debugOnStderr, info: () => {}, warn: () => {} }));
      writeCurrentToken(state, token);
      return token;
    },
    // No refresh holds the lock longer than its whole timeout.
    { staleMs: config.timeoutMs + 30_000 },
  );
  writeAll(1, `${options.json ? JSON.stringify({ access_token: accessToken, expires_at: isoSeconds(expiresAt) }) : accessToken}\n`);
}

function parseOptions(argv: string[]): { state?: string; 'min-lifetime'?: string; json?: boolean; help?: boolean } {
  try {
    return parseArgs({
      args: argv,
      options: { state: { type: 'string' }, 'min-lifetime': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    // Node's words quote the command line; a sentence of the failure line ends before its fix.
    const said = untrusted((error as Error).message, 200).replace(/(?<![.!?])$/, '.');
    throw new ActionError(`${TOKEN_COMMAND}: ${said}`, `Run ${TOKEN_COMMAND} --help for its options.`);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => failOnStderr(failureMessage(error)));
