// What `gemini-auth token` needs before it can answer from the cache: the
// credentials, the settings, and the cache entry they decide. Nothing here
// loads a token source, so a cached token costs a file read and a hash.
import { decodeCredentialsJson } from '../credentials/json.ts';
import { readInputs, type Inputs } from '../inputs.ts';
import { chooseCredentials, credentialInputs, type Credentials } from './credentials.ts';
import { detectSubjectTokens, subjectTokenMaterial, type SubjectTokens } from './oidc/detect.ts';
import { fileTokenText } from './oidc/file.ts';
import { inputNaming, inputReader, type CommandLine } from './options.ts';
import { cacheEntry, cacheFolder, type CacheEntry } from './token-cache.ts';

export interface TokenRequest {
  readonly credentials: Credentials;
  readonly subjectTokens: SubjectTokens | undefined;
  readonly inputs: Inputs;
  readonly entry: CacheEntry;
}

/** The facts of the key change with its layout: a new layout never reads an old entry. */
const KEY_LAYOUT = 1;

export function tokenRequest(line: CommandLine, env: NodeJS.ProcessEnv): TokenRequest {
  const credentials = chooseCredentials(line, env);
  const subjectTokens = credentials.kind === 'workload_identity' ? detectSubjectTokens(line, env) : undefined;
  const inputs = readInputs(inputReader(line, credentialInputs(credentials)), undefined, inputNaming(line));
  // Who may read the entry: whoever holds the credentials (their whole text), or the CI token a federated token came from.
  const secrets = credentials.kind === 'json' ? [credentials.text, ...sourceFileText(credentials.text)] : [subjectTokenMaterial(subjectTokens!, env)];
  const facts = {
    layout: KEY_LAYOUT,
    credentials: credentials.kind,
    provider: inputs.workloadIdentityProvider,
    audience: inputs.audience,
    serviceAccount: inputs.serviceAccount,
    delegates: inputs.delegates,
    scopes: inputs.scopes,
    lifetime: inputs.accessTokenLifetimeSeconds,
    universe: inputs.universe,
    endpoints: inputs.endpoints,
    projectId: inputs.projectId,
    quotaProjectId: inputs.quotaProjectId,
  };
  return { credentials, subjectTokens, inputs, entry: cacheEntry(cacheFolder(line.text('cache-dir'), env), secrets, facts) };
}

/**
 * An external_account configuration holds no secret, and its token follows from
 * the file its credential_source reads: that file's content keys the entry too,
 * so that a job with a new token in the same place never gets another's token.
 */
function sourceFileText(text: string): string[] {
  const json = decodeCredentialsJson(text);
  const source = typeof json === 'object' && json !== null ? (json as { credential_source?: unknown }).credential_source : undefined;
  const file = typeof source === 'object' && source !== null ? (source as { file?: unknown }).file : undefined;
  return typeof file === 'string' ? [fileTokenText(file)] : [];
}
