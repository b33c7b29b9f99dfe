// The step's private folder in RUNNER_TEMP: the current token, what gemini-auth-token
// needs to refresh it, and the command itself. The command reads it on every call, so
// this module stays light: Node built-ins and small modules only.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../errors.ts';
import { createPrivateFolder, requireStillOurs, type Created, type FolderUse } from '../files/folders.ts';
import { writeSecretFile } from '../files/secret-file.ts';
import { readTokenFile, writeTokenFile } from '../files/token-file.ts';
import type { HttpLimits } from '../google/http.ts';
import type { Inputs } from '../inputs.ts';
import type { AccessToken } from '../token.ts';
import { TOKEN_COMMAND, tokenCommandFiles, tokenCommandPath, type TokenCommandLaunch } from './token-command-shims.ts';

const TOKEN_FILE = 'token.json';
const CONFIG_FILE = 'refresh.json';
const REFRESH_LOCK = 'refresh.lock';

/** What gemini-auth-token needs to refresh the token as the main step would. */
export interface RefreshConfig extends HttpLimits {
  /** The ADC file to refresh from. */
  readonly credentialsFile: string;
  readonly scopes: readonly string[];
  readonly accessTokenLifetimeSeconds: number;
  readonly minTokenLifetimeSeconds: number;
  readonly universe: string;
  /** The endpoints input, resolved again by the command. */
  readonly endpoints: string;
}

/** The command's folder, as its errors name it. */
export const TOKEN_FOLDER: FolderUse = {
  what: TOKEN_COMMAND,
  fix: "give the runner a RUNNER_TEMP that only the runner's user may write to (the runner's own _work/_temp is)",
};

/** Creates a folder of our own in `parent` (RUNNER_TEMP), open to the runner's user only, once `parent` passed the folder checks. */
export function createTokenFolder(parent: string): Created {
  return createPrivateFolder(parent, TOKEN_FOLDER);
}

/** Where the installed command is: its folder, for PATH, and the file a step calls by its path. */
export interface InstalledCommand {
  readonly bin: string;
  readonly command: string;
}

/**
 * Writes the token, what the command needs to refresh it from `credentialsFile`
 * as this step would, and the command: wrappers that run the token command's
 * script with the Node that runs this step (see token-command-shims.ts). Nothing
 * is written unless the folder is still the one createTokenFolder made: a later
 * step runs what is in it.
 */
export function installTokenCommand(folder: Created, inputs: Inputs, credentialsFile: string, token: AccessToken, launch: TokenCommandLaunch, platform: NodeJS.Platform = process.platform): InstalledCommand {
  const path = requireStillOurs(folder, TOKEN_FOLDER);
  const { scopes, accessTokenLifetimeSeconds, minTokenLifetimeSeconds, universe, endpoints, retries, requestTimeoutMs, timeoutMs } = inputs;
  const config: RefreshConfig = { credentialsFile, scopes, accessTokenLifetimeSeconds, minTokenLifetimeSeconds, universe, endpoints, retries, requestTimeoutMs, timeoutMs };
  writeSecretFile(join(path, CONFIG_FILE), JSON.stringify(config));
  writeCurrentToken(path, token);
  const bin = join(path, 'bin');
  mkdirSync(bin, { mode: 0o700 });
  for (const file of tokenCommandFiles(platform, launch, path, bin)) writeSecretFile(join(bin, file.name), file.content, 0o700);
  return { bin, command: tokenCommandPath(platform, bin) };
}

export function readRefreshConfig(folder: string): RefreshConfig {
  try {
    return JSON.parse(readFileSync(join(folder, CONFIG_FILE), 'utf8')) as RefreshConfig;
  } catch {
    throw new ActionError(
      `${TOKEN_COMMAND} finds no state in ${folder}: the gemini-auth step that installed it has been cleaned up, or the folder was removed.`,
      `Call ${TOKEN_COMMAND} in the steps after the gemini-auth step of the same job (its post step removes the folder at the end of the job); in another job, run gemini-auth there too.`,
    );
  }
}

/** The current token, or undefined when there is none that can be read. */
export function readCurrentToken(folder: string): AccessToken | undefined {
  return readTokenFile(join(folder, TOKEN_FILE));
}

/** Where parallel calls take turns to refresh the current token. */
export function refreshLockPath(folder: string): string {
  return join(folder, REFRESH_LOCK);
}

export function writeCurrentToken(folder: string, token: AccessToken): void {
  writeTokenFile(join(folder, TOKEN_FILE), token);
}
