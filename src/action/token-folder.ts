// The step's private folder in RUNNER_TEMP: the current token, what gemini-auth-token
// needs to refresh it, and the command itself. The command reads it on every call, so
// this module stays light: Node built-ins and small modules only.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../errors.ts';
import { ownedName } from '../files/owned-names.ts';
import { writeSecretFile } from '../files/secret-file.ts';
import { readTokenFile, writeTokenFile } from '../files/token-file.ts';
import type { HttpLimits } from '../google/http.ts';
import type { Inputs } from '../inputs.ts';
import type { AccessToken } from '../token.ts';

export const TOKEN_COMMAND = 'gemini-auth-token';
const TOKEN_FILE = 'token.json';
const CONFIG_FILE = 'refresh.json';

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

/** Creates a folder of our own in `parent`, open to the runner's user only. */
export function createTokenFolder(parent: string): string {
  const folder = join(parent, ownedName());
  try {
    mkdirSync(folder, { mode: 0o700 });
    mkdirSync(join(folder, 'bin'), { mode: 0o700 });
  } catch (error) {
    throw new ActionError(`Cannot create a folder in ${parent} for gemini-auth-token (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check that $RUNNER_TEMP is a writable folder; on a self-hosted runner, check its disk and permissions.');
  }
  return folder;
}

/**
 * Writes the token, what the command needs to refresh it from `credentialsFile`
 * as this step would, and the command, and returns the folder to add to PATH.
 * The command is a shell wrapper that runs the token command's bundle with
 * `node`, the Node that runs this step.
 */
export function installTokenCommand(folder: string, inputs: Inputs, credentialsFile: string, token: AccessToken, node: string, script: string): string {
  const { scopes, accessTokenLifetimeSeconds, minTokenLifetimeSeconds, universe, endpoints, retries, requestTimeoutMs, timeoutMs } = inputs;
  const config: RefreshConfig = { credentialsFile, scopes, accessTokenLifetimeSeconds, minTokenLifetimeSeconds, universe, endpoints, retries, requestTimeoutMs, timeoutMs };
  writeSecretFile(join(folder, CONFIG_FILE), JSON.stringify(config));
  writeCurrentToken(folder, token);
  const bin = join(folder, 'bin');
  writeSecretFile(join(bin, TOKEN_COMMAND), `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(script)} --state ${shellQuote(folder)} "$@"\n`, 0o700);
  return bin;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
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

export function writeCurrentToken(folder: string, token: AccessToken): void {
  writeTokenFile(join(folder, TOKEN_FILE), token);
}
