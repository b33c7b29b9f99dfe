// The commands past the cache: each mints with the core's token sources, then
// prints its answer on stdout. Loaded only when a token must be minted.
import { withCommonFields } from '../credentials/adc-file.ts';
import { adcEnvironment } from '../environment.ts';
import { failureMessage } from '../errors.ts';
import { refreshOnce } from '../files/refresh-lock.ts';
import { writeSecretJson } from '../files/secret-file.ts';
import { writeAll } from '../stderr-commands.ts';
import { isoSeconds, type MintedToken } from '../token.ts';
import { preconnectVerify, verifyAccess, verifyTarget } from '../verify.ts';
import { chooseCredentials } from './credentials.ts';
import { formatVariables, parseFormat } from './env-formats.ts';
import type { CliLog } from './log.ts';
import { inputNaming, type CommandLine } from './options.ts';
import { CREDENTIALS_FOLDER, openSession, type Session } from './session.ts';
import { prepareCacheFolder, readCachedToken, writeCachedToken } from './token-cache.ts';
import { printToken, type TokenDetails } from './token-output.ts';
import type { TokenRequest } from './token-request.ts';

/** A refresh holds the lock no longer than its whole timeout; a lock older than that was abandoned. */
const LOCK_MARGIN_MS = 30_000;

/** `gemini-auth token` when the cache had no token that lives long enough: parallel calls take turns, and only the first mints. */
export async function token(line: CommandLine, env: NodeJS.ProcessEnv, log: CliLog, request: TokenRequest): Promise<void> {
  const session = openSession(line, env, log, request.credentials);
  const { entry, inputs } = request;
  prepareCacheFolder(entry.folder);
  let minted: MintedToken | undefined;
  const token = await refreshOnce(
    entry.lockPath,
    () => readCachedToken(entry, inputs.minTokenLifetimeSeconds),
    async () => {
      minted = await mint(session, log);
      const details = tokenDetails(session, minted);
      try {
        writeCachedToken(entry, minted, details);
      } catch (error) {
        log.warn(`Could not keep the token in the cache ${entry.folder} (${failureMessage(error)}); the next call mints again.`);
      }
      return { ...minted, details };
    },
    { staleMs: inputs.timeoutMs + LOCK_MARGIN_MS },
  );
  // Another call minted it while this one waited: its masks are this process's too.
  if (!minted) log.mask(token.accessToken);
  else warnIfShortLived(minted, inputs.minTokenLifetimeSeconds, session, log);
  printToken(token, line.flag('json'));
}

/** `gemini-auth login`: a token to prove the credentials, the ADC file, the variables to export. */
export async function login(line: CommandLine, env: NodeJS.ProcessEnv, log: CliLog): Promise<void> {
  const format = parseFormat(line.setting('format').value, inputNaming(line));
  const session = openSession(line, env, log, chooseCredentials(line, env));
  await mint(session, log);
  const { endpoints, universe } = session.settings;
  const fileSettings = { endpoints, quotaProjectId: session.quotaProjectId, universe };
  // Created and checked before the content is built: a subject token held in a variable is copied there for the file.
  const folder = session.credentialsFolder();
  const path = writeSecretJson(folder, withCommonFields(session.source.credentialsFile(fileSettings), fileSettings), CREDENTIALS_FOLDER);
  log.info(`Wrote the credentials file ${path} (mode 0600).`);
  const vertexLocation = session.inputs.geminiApi === 'vertex' ? session.inputs.vertexLocation : undefined;
  const variables = adcEnvironment({ credentialsFilePath: path, projectId: session.projectId, quotaProjectId: session.quotaProjectId, endpoints, vertexLocation });
  if (format === 'github') {
    const { exportToGitHub } = await import('./github-env.ts');
    exportToGitHub(variables, env);
    log.info(`Exported ${variables.map(([name]) => name).join(', ')} to $GITHUB_ENV for the next steps.`);
  } else {
    writeAll(1, formatVariables(format, variables));
  }
}

/** `gemini-auth verify`: a fresh token, then what the Action's verify checks, on the Gemini API or Gemini on Vertex AI. */
export async function verify(line: CommandLine, env: NodeJS.ProcessEnv, log: CliLog): Promise<void> {
  const session = openSession(line, env, log, chooseCredentials(line, env));
  // Settled before any request, as the Action does.
  const target = verifyTarget(session.inputs, session.projectId, inputNaming(line));
  preconnectVerify(target, session.context.endpoints);
  const token = await mint(session, log);
  const { accessToken, principal, member } = token;
  const { models, tokenInfo, callable } = await verifyAccess({ accessToken, authType: session.source.authType, quotaProjectId: session.quotaProjectId, principal, member, target }, session.context);
  const who = tokenInfo?.email ?? principal ?? tokenInfo?.subject;
  const to = who ? ` to ${who}` : '';
  const also = callable ? `, ${callable} among them and callable` : '';
  writeAll(
    1,
    target.api === 'vertex'
      ? `Gemini on Vertex AI answers${to}: ${models.join(', ')} in ${target.project} (${target.location})${callable ? ', callable' : ''}.\n`
      : `${models.length} Gemini model${models.length === 1 ? '' : 's'} visible${to}${also}.\n`,
  );
}

async function mint(session: Session, log: CliLog): Promise<MintedToken> {
  const token = await session.source.mint(session.context);
  log.info(`Minted a new access token${token.principal ? ` for ${token.principal}` : ''}, valid until ${isoSeconds(token.expiresAt)}.`);
  return token;
}

/** The facts `--json` prints, kept beside the token in the cache; those that are unknown are left out. */
function tokenDetails(session: Session, token: MintedToken): TokenDetails {
  const facts = { auth_type: session.source.authType, principal: token.principal, project_id: session.projectId };
  return Object.fromEntries(Object.entries(facts).filter((fact): fact is [string, string] => fact[1] !== undefined));
}

/** A token that will not last --min-lifetime: the next call mints again. A directly federated token dies with the CI's OIDC token. */
function warnIfShortLived(token: MintedToken, minLifetimeSeconds: number, session: Session, log: CliLog): void {
  const left = Math.round((token.expiresAt.getTime() - Date.now()) / 1000);
  if (left >= minLifetimeSeconds) return;
  const federated = session.source.authType === 'workload_identity' && !session.settings.impersonation;
  log.warn(
    `The new access token expires in ${left}s, less than --min-lifetime (${minLifetimeSeconds}s), so the next call mints another.${federated ? ' A directly federated token lives no longer than the OIDC token it came from: pass --service-account to impersonate a service account (tokens of up to 1 h), or a lower --min-lifetime.' : ''}`,
  );
}
