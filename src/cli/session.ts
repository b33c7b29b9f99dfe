// What every command does before its first request: mask the credentials,
// check the settings, and build the token source, all with the core's own
// modules. Loaded only when a token must be minted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { maskRawInput } from '../credentials/registry.ts';
import { resolveSource } from '../credentials/resolve.ts';
import type { MintContext, TokenSource } from '../credentials/types.ts';
import { httpPolicy } from '../google/http.ts';
import { readInputs, type Inputs } from '../inputs.ts';
import { authSettings, type AuthSettings } from '../settings.ts';
import type { Credentials } from './credentials.ts';
import type { CliLog } from './log.ts';
import { detectSubjectTokens } from './oidc/detect.ts';
import { subjectTokenSupplier } from './oidc/suppliers.ts';
import { inputNaming, inputReader, type CommandLine } from './options.ts';

export interface Session {
  readonly inputs: Inputs;
  readonly settings: AuthSettings;
  readonly source: TokenSource;
  readonly context: MintContext;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
  /** Where `login` writes the credentials file: --credentials-file-dir, else a new private folder in the temp dir. */
  readonly credentialsFolder: () => string;
}

export function openSession(line: CommandLine, env: NodeJS.ProcessEnv, log: CliLog, credentials: Credentials): Session {
  // Before anything parses, checks or prints them.
  if (credentials.kind === 'json') maskRawInput(credentials.text, log.mask);
  const naming = inputNaming(line);
  const inputs = readInputs(inputReader(line, credentials), undefined, naming);
  const settings = authSettings(inputs, naming, credentials.kind === 'json' ? credentials.origin : undefined);
  let folder: string | undefined;
  const credentialsFolder = (): string => (folder ??= inputs.credentialsFileDir ? resolve(inputs.credentialsFileDir) : mkdtempSync(join(tmpdir(), 'gemini-auth-')));
  const source = resolveSource(settings, () => subjectTokenSupplier(detectSubjectTokens(line, env), env, log, credentialsFolder));
  const projectId = inputs.projectId || source.projectId;
  log.info(`Authenticating with ${source.description} (from ${credentials.from}).`);
  return {
    inputs,
    settings,
    source,
    context: { endpoints: settings.endpoints, http: httpPolicy(inputs, log.debug), log },
    projectId,
    quotaProjectId: inputs.quotaProjectId || source.quotaProjectId || projectId,
    credentialsFolder,
  };
}
