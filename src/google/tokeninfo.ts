import { tokenInfoUrl } from '../endpoints.ts';
import { untrusted } from '../untrusted.ts';
import { summarize } from './errors.ts';
import { callGoogle, readScopes, type GoogleContext } from './protocol.ts';

export interface TokenInfo {
  readonly email?: string | undefined;
  readonly subject?: string | undefined;
  readonly scopes: readonly string[];
}

/** Tokeninfo's refusal, said in Google's words: it does not know federated tokens, so callers may go on without it. */
export class TokenInfoRefused extends Error {
  constructor(said: string) {
    super(said);
    this.name = 'TokenInfoRefused';
  }
}

/** Who the token acts as and which scopes it carries: one request. */
export function readTokenInfo(accessToken: string, context: GoogleContext): Promise<TokenInfo> {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? untrusted(value) : undefined);
  return callGoogle(
    {
      service: 'The Google tokeninfo endpoint',
      request: () => ({ url: tokenInfoUrl(context.endpoints), method: 'POST', form: { access_token: accessToken } }),
      explain: (error) => new TokenInfoRefused(summarize(error)),
      read: (body) => ({ email: text(body.email), subject: text(body.sub), scopes: readScopes(body.scope) }),
    },
    context.http,
  );
}

