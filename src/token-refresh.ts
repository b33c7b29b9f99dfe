import { readFileSync } from 'node:fs';
import { parseCredentialsJson } from './credentials-json.ts';
import { resolveEndpoints } from './endpoints.ts';
import { ActionError } from './errors.ts';
import { httpPolicy } from './http.ts';
import type { MaskRegistrar } from './secrets.ts';
import { credentialsSource } from './source.ts';
import { TOKEN_COMMAND, type RefreshConfig } from './token-folder.ts';
import type { MintedToken } from './token.ts';

/** A new token from the ADC file the main step wrote, with that step's endpoints, scopes and limits. */
export async function refreshToken(config: RefreshConfig, mask: MaskRegistrar, debug: (line: string) => void): Promise<MintedToken> {
  let text: string;
  try {
    text = readFileSync(config.credentialsFile, 'utf8');
  } catch (error) {
    throw new ActionError(
      `${TOKEN_COMMAND} cannot read the credentials file ${config.credentialsFile} to refresh the token (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      `Leave the credentials file the gemini-auth step wrote in place until the end of the job, and call ${TOKEN_COMMAND} only in the steps after it.`,
    );
  }
  const source = credentialsSource(parseCredentialsJson(text), config.scopes, config.accessTokenLifetimeSeconds);
  return source.mint({ endpoints: resolveEndpoints(config.universe, config.endpoints), http: httpPolicy(config, debug), mask });
}
