import { readFileSync } from 'node:fs';
import { maskRawInput, parseCredentialsJson } from '../credentials/registry.ts';
import { credentialsSource } from '../credentials/resolve.ts';
import { resolveEndpoints } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { httpPolicy } from '../google/http.ts';
import type { Log } from '../log.ts';
import type { MintedToken } from '../token.ts';
import { TOKEN_COMMAND } from './token-command-shims.ts';
import type { RefreshConfig } from './token-folder.ts';

/** A new token from the ADC file the main step wrote, with that step's endpoints, scopes and limits. */
export async function refreshToken(config: RefreshConfig, log: Log): Promise<MintedToken> {
  let text: string;
  try {
    text = readFileSync(config.credentialsFile, 'utf8');
  } catch (error) {
    throw new ActionError(
      `${TOKEN_COMMAND} cannot read the credentials file ${config.credentialsFile} to refresh the token (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      `Leave the credentials file the gemini-auth step wrote in place until the end of the job, and call ${TOKEN_COMMAND} only in the steps after it.`,
    );
  }
  // Masked again in this process, before anything parses the file: the runner's masks of the main step hide whole
  // values only, and what a server answers is redacted of every part of a secret only once this process knows it.
  maskRawInput(text, log.mask);
  const source = credentialsSource(parseCredentialsJson(text), { scopes: config.scopes, lifetimeSeconds: config.accessTokenLifetimeSeconds });
  return source.mint({ endpoints: resolveEndpoints(config.universe, config.endpoints), http: httpPolicy(config, log.debug), log });
}
