// What every command does before its first request: mask the credentials,
// check the settings, and build the token source, all with the core's own
// modules. Loaded only when a token must be minted.
import { resolve } from 'node:path';
import { maskRawInput } from '../credentials/registry.ts';
import { resolveSource } from '../credentials/resolve.ts';
import type { MintContext, TokenSource } from '../credentials/types.ts';
import { createFolders, createPrivateFolder, type FolderUse } from '../files/folders.ts';
import { systemTemp } from '../files/secret-file.ts';
import { httpPolicy } from '../google/http.ts';
import { readInputs, type Inputs } from '../inputs.ts';
import { authSettings, type AuthSettings } from '../settings.ts';
import { credentialInputs, type Credentials } from './credentials.ts';
import type { CliLog } from './log.ts';
import { detectSubjectTokens } from './oidc/detect.ts';
import { subjectTokenSupplier } from './oidc/suppliers.ts';
import { inputNaming, inputReader, type CommandLine } from './options.ts';

/** The credentials file's folder, as its errors name it and the way out they offer. */
export const CREDENTIALS_FOLDER: FolderUse = {
  what: 'the credentials file',
  fix: 'pass --credentials-file-dir a folder of your own, or leave it unset for a new private folder in the temp dir',
};

export interface Session {
  readonly inputs: Inputs;
  readonly settings: AuthSettings;
  readonly source: TokenSource;
  readonly context: MintContext;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
  /** Where `login` writes the credentials file: --credentials-file-dir, else a new private folder in the temp dir; created and checked on first use. */
  readonly credentialsFolder: () => string;
}

export function openSession(line: CommandLine, env: NodeJS.ProcessEnv, log: CliLog, credentials: Credentials): Session {
  // Before anything parses, checks or prints them.
  if (credentials.kind === 'json') maskRawInput(credentials.text, log.mask);
  const naming = inputNaming(line);
  const inputs = readInputs(inputReader(line, credentialInputs(credentials)), undefined, naming);
  const settings = authSettings(inputs, naming, credentials.kind === 'json' ? credentials.origin : undefined);
  let folder: string | undefined;
  const makeFolder = (): string => {
    if (!inputs.credentialsFileDir) return createPrivateFolder(systemTemp(), CREDENTIALS_FOLDER).path;
    const dir = resolve(inputs.credentialsFileDir);
    createFolders(dir, CREDENTIALS_FOLDER);
    return dir;
  };
  const credentialsFolder = (): string => (folder ??= makeFolder());
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
