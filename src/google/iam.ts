import { generateAccessTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { isBearerToken, type MintedToken } from '../token.ts';
import type { GoogleError } from './errors.ts';
import { callGoogle, type GoogleContext } from './protocol.ts';

export const IAM_SERVICE = 'The IAM Credentials API (generateAccessToken)';

export interface AccessTokenRequest {
  readonly sourceToken: string;
  readonly serviceAccount: string;
  readonly delegates: readonly string[];
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
  readonly explain: (error: GoogleError) => Error;
}

/** IAM Credentials generateAccessToken: a token of the service account for the source token, one request. */
export function generateAccessToken(request: AccessTokenRequest, context: GoogleContext): Promise<MintedToken> {
  const url = generateAccessTokenUrl(context.endpoints, request.serviceAccount);
  return callGoogle(
    {
      service: IAM_SERVICE,
      request: () => ({
        url,
        method: 'POST',
        headers: { authorization: `Bearer ${request.sourceToken}` },
        json: {
          scope: request.scopes,
          lifetime: `${request.lifetimeSeconds}s`,
          ...(request.delegates.length ? { delegates: request.delegates.map((email) => `projects/-/serviceAccounts/${email}`) } : {}),
        },
      }),
      explain: request.explain,
      read: (body) => {
        const expiresAt = typeof body.expireTime === 'string' ? new Date(body.expireTime) : new Date(NaN);
        if (!isBearerToken(body.accessToken) || Number.isNaN(expiresAt.getTime())) {
          throw new ActionError(`${IAM_SERVICE} answered without an access token and its expiry.`, 'Check that the endpoints input points at the IAM Credentials API; if it does, re-run the job.');
        }
        context.log.mask(body.accessToken);
        // The token lives no longer than asked for: a later expireTime is a broken answer, and trusting it would keep a dead token in use.
        const latest = Date.now() + request.lifetimeSeconds * 1000;
        return { accessToken: body.accessToken, expiresAt: expiresAt.getTime() > latest ? new Date(latest) : expiresAt, principal: request.serviceAccount, scopes: request.scopes };
      },
    },
    context.http,
  );
}
