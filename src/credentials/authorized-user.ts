// authorized_user: what `gcloud auth application-default login` writes, the
// credentials of Google's OAuth quickstart. One refresh-token grant mints a token.
import { tokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { tokenGrant } from '../google/protocol.ts';
import { decodeJwtClaims } from '../token.ts';
import { overriddenTokenUri } from './adc-file.ts';
import { ACTION_CREDENTIALS, optionalStrings, requireStrings, type CredentialsOrigin } from './json.ts';
import type { CredentialType } from './types.ts';

export interface AuthorizedUserJson {
  readonly type: 'authorized_user';
  readonly client_id: string;
  readonly client_secret: string;
  readonly refresh_token: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly account?: string;
  readonly [field: string]: unknown;
}

const SERVICE = 'The Google OAuth token endpoint';
const NEW_SECRET = (origin: CredentialsOrigin): string =>
  `Create a new secret: \`gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever\`, then ${origin.store}.`;
const COMPLETE_FILE = 'Store the complete file that `gcloud auth application-default login --client-id-file=client_secret.json` writes (~/.config/gcloud/application_default_credentials.json), unchanged.';

export const authorizedUser: CredentialType<AuthorizedUserJson> = {
  type: 'authorized_user',
  secretFields: ['client_secret', 'refresh_token'],

  validate(json, _registry, origin) {
    requireStrings(json, 'authorized_user', ['client_id', 'client_secret', 'refresh_token'], origin, COMPLETE_FILE);
    optionalStrings(json, 'authorized_user', ['quota_project_id', 'universe_domain', 'account'], origin);
    return json as AuthorizedUserJson;
  },

  source(user, { origin = ACTION_CREDENTIALS }) {
    return {
      authType: 'authorized_user',
      description: `authorized_user credentials of OAuth client ${user.client_id}`,
      projectId: user.quota_project_id || undefined,
      quotaProjectId: user.quota_project_id || undefined,
      async mint(context) {
        const { idToken, ...token } = await tokenGrant(
          {
            service: SERVICE,
            url: tokenUrl(context.endpoints),
            form: () => ({ grant_type: 'refresh_token', client_id: user.client_id, client_secret: user.client_secret, refresh_token: user.refresh_token }),
            explain: (error) => explainRefreshError(error, user.client_id, origin),
          },
          context,
        );
        const email = idToken ? decodeJwtClaims(idToken).email : undefined;
        return { ...token, principal: typeof email === 'string' ? email : user.account || undefined };
      },
      credentialsFile: (settings) => ({
        type: 'authorized_user',
        client_id: user.client_id,
        client_secret: user.client_secret,
        refresh_token: user.refresh_token,
        ...overriddenTokenUri(settings),
      }),
      // The token carries the scopes of the consent, whatever is asked.
      cacheBinding: { secrets: [user.client_secret, user.refresh_token], facts: { type: 'authorized_user', clientId: user.client_id } },
    };
  },
};

function explainRefreshError(error: GoogleError, clientId: string, origin: CredentialsOrigin): ActionError {
  const newSecret = NEW_SECRET(origin);
  switch (error.oauthError) {
    case 'invalid_grant':
      return new ActionError(
        `Google rejected the refresh token in ${origin.name} (${summarize(error)}): it has expired or was revoked. Refresh tokens of an OAuth app whose consent screen is in "Testing" expire after 7 days; a password change, a revoked grant or 6 months unused also end them.`,
        `Publish the app (Google Auth Platform > Audience > Publish app) so new tokens do not expire after 7 days, then ${newSecret.charAt(0).toLowerCase()}${newSecret.slice(1)}`,
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new ActionError(
        `Google rejected the OAuth client ${clientId} of ${origin.name} (${summarize(error)}): the client was deleted, its secret was reset, or it is not the client that issued the refresh token.`,
        `Download the Desktop client's JSON again from https://console.cloud.google.com/auth/clients. ${newSecret}`,
      );
    default:
      return new ActionError(`${SERVICE} refused the refresh token grant (${summarize(error)}).`, newSecret);
  }
}
