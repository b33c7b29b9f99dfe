import type { Agent } from 'node:http';
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
  /** Default: the sts endpoint's /v1/token. */
  readonly url?: string;
  /** An OAuth client's HTTP Basic auth (workforce pools), as a header. */
  readonly headers?: Record<string, string>;
  /** Google's non-standard `options` parameter: `{"userProject": "..."}` for workforce pools. */
  readonly options?: Readonly<Record<string, string>>;
  /** The client certificate's agent of an mTLS subject token, known once the subject token is. */
  readonly agent?: () => Agent | undefined;
}

/** RFC 8693 token exchange: a subject token for a federated access token, one request. */
export function stsExchange(exchange: StsExchange, context: GoogleContext): Promise<OAuthToken> {
  return tokenGrant(
    {
      service: STS_SERVICE,
      url: exchange.url ?? stsTokenUrl(context.endpoints),
      form: async () => ({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: exchange.audience,
        scope: exchange.scopes.join(' '),
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: exchange.subjectTokenType,
        subject_token: await exchange.subjectToken(),
        ...(exchange.options ? { options: JSON.stringify(exchange.options) } : {}),
      }),
      ...(exchange.headers ? { headers: exchange.headers } : {}),
      ...(exchange.agent ? { agent: exchange.agent } : {}),
      explain: exchange.explain,
    },
    context,
  );
}
