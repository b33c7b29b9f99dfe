import type { AuthorizedUserJson } from '../credentials-json.ts';
import { tokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google-errors.ts';
import { sendJson } from '../http.ts';
import { decodeJwtClaims, readOAuthToken, type MintContext, type MintedToken } from '../token.ts';

const SERVICE = 'The Google OAuth token endpoint';

const NEW_SECRET =
  'Create a new secret: `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever`, then `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`.';

/** One refresh-token grant: the only request an authorized_user credential needs. */
export async function refreshUserToken(user: AuthorizedUserJson, context: MintContext): Promise<MintedToken> {
  const url = tokenUrl(context.endpoints);
  const answer = await sendJson(
    SERVICE,
    () => ({
      url,
      method: 'POST',
      form: { grant_type: 'refresh_token', client_id: user.client_id, client_secret: user.client_secret, refresh_token: user.refresh_token },
    }),
    context.http,
  );
  if (answer.status !== 200) throw explainRefreshError(answer.status, answer.body, user.client_id);
  const { idToken, ...token } = readOAuthToken(answer.body, SERVICE, context.mask);
  const email = idToken ? decodeJwtClaims(idToken).email : undefined;
  return { ...token, principal: typeof email === 'string' ? email : user.account || undefined };
}

function explainRefreshError(status: number, body: unknown, clientId: string): ActionError {
  const error = readGoogleError({ status, body });
  switch (error.oauthError) {
    case 'invalid_grant':
      return new ActionError(
        `Google rejected the refresh token in credentials_json (${summarize(error)}): it has expired or was revoked. Refresh tokens of an OAuth app whose consent screen is in "Testing" expire after 7 days; a password change, a revoked grant or 6 months unused also end them.`,
        `Publish the app (Google Auth Platform > Audience > Publish app) so new tokens do not expire after 7 days, then ${NEW_SECRET.charAt(0).toLowerCase()}${NEW_SECRET.slice(1)}`,
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new ActionError(
        `Google rejected the OAuth client ${clientId} of credentials_json (${summarize(error)}): the client was deleted, its secret was reset, or it is not the client that issued the refresh token.`,
        `Download the Desktop client's JSON again from https://console.cloud.google.com/auth/clients. ${NEW_SECRET}`,
      );
    default:
      return new ActionError(`${SERVICE} refused the refresh token grant (${summarize(error)}).`, NEW_SECRET);
  }
}
