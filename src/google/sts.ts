import { stsTokenUrl } from '../endpoints.ts';
import type { GoogleError } from './errors.ts';
import { tokenGrant, type GoogleContext, type OAuthToken } from './protocol.ts';

export const STS_SERVICE = 'The Google Security Token Service';

export interface StsExchange {
  /** The provider: `//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. */
  readonly audience: string;
  readonly scopes: readonly string[];
  readonly subjectTokenType: string;
  /** A subject token for each attempt (a GitHub OIDC token lives minutes; a retry gets a fresh one). */
  readonly subjectToken: () => Promise<string>;
  readonly explain: (error: GoogleError) => Error;
}

/** RFC 8693 token exchange: a subject token for a federated access token, one request. */
export function stsExchange(exchange: StsExchange, context: GoogleContext): Promise<OAuthToken> {
  return tokenGrant(
    {
      service: STS_SERVICE,
      url: stsTokenUrl(context.endpoints),
      form: async () => ({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: exchange.audience,
        scope: exchange.scopes.join(' '),
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: exchange.subjectTokenType,
        subject_token: await exchange.subjectToken(),
      }),
      explain: exchange.explain,
    },
    context,
  );
}
