// authorized_user: what `gcloud auth application-default login` writes, the
// credentials of Google's OAuth quickstart. One refresh-token grant mints a token.
import { chooseFileUrl, tokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { tokenGrant } from '../google/protocol.ts';
import { decodeJwtClaims } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import { overriddenTokenUri } from './adc-file.ts';
import { ACTION_CREDENTIALS, optionalProjectIds, optionalStrings, requireStrings, type CredentialsOrigin } from './json.ts';
import type { CredentialType } from './types.ts';

/** Marks a JSON that was taken by its shape, so the log can say so; a symbol, so it never reaches a file. */
const QUICKSTART = Symbol('quickstart token.json');

export interface AuthorizedUserJson {
  readonly type: 'authorized_user';
  readonly client_id: string;
  readonly client_secret: string;
  readonly refresh_token: string;
  readonly token_uri?: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly account?: string;
  readonly [QUICKSTART]?: boolean;
  readonly [field: string]: unknown;
}

const SERVICE = 'The Google OAuth token endpoint';
const NEW_SECRET = (origin: CredentialsOrigin): string =>
  `Create a new secret: \`gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever\`, then ${origin.store}.`;
const COMPLETE_FILE = 'Store the complete file that `gcloud auth application-default login --client-id-file=client_secret.json` writes (~/.config/gcloud/application_default_credentials.json), unchanged.';
/** Google's page on the session control that asks users to sign in again (error_uri of its invalid_rapt answers). */
const SESSION_CONTROL_HELP = 'https://support.google.com/a/answer/9368756';

/**
 * The token.json that Google's OAuth quickstart saves (`Credentials.to_json()`
 * of Python's google-auth): an authorized user's refresh token and client,
 * without a `type`, beside a stale access token and its expiry.
 */
export function isQuickstartTokenJson(json: Record<string, unknown>): boolean {
  return json.type === undefined && ['refresh_token', 'client_id', 'client_secret'].every((field) => typeof json[field] === 'string');
}

export const authorizedUser: CredentialType<AuthorizedUserJson> = {
  type: 'authorized_user',
  // A token.json also holds the access token it last had, and a re-authentication proof may sit beside the refresh token.
  secretFields: ['client_secret', 'refresh_token', 'token', 'rapt_token'],

  validate(json, _registry, origin) {
    const quickstart = isQuickstartTokenJson(json);
    requireStrings(json, 'authorized_user', ['client_id', 'client_secret', 'refresh_token'], origin, COMPLETE_FILE);
    optionalStrings(json, 'authorized_user', ['token_uri', 'universe_domain', 'account'], origin);
    optionalProjectIds(json, 'authorized_user', ['quota_project_id'], origin);
    // The stale access token and its expiry are dropped: every run mints its own.
    const { token: _token, expiry: _expiry, ...rest } = json;
    return { ...rest, type: 'authorized_user', ...(quickstart ? { [QUICKSTART]: true } : {}) } as AuthorizedUserJson;
  },

  source(user, { origin = ACTION_CREDENTIALS }) {
    const quickstart = user[QUICKSTART] === true;
    return {
      authType: 'authorized_user',
      description: `authorized_user credentials${quickstart ? ' (a token.json without a type, as Google\'s OAuth quickstart saves it)' : ''} of OAuth client ${user.client_id}`,
      projectId: user.quota_project_id || undefined,
      quotaProjectId: user.quota_project_id || undefined,
      async mint(context) {
        const { url, ignoredHost } = chooseFileUrl(context.endpoints, 'oauth2', user.token_uri, tokenUrl(context.endpoints));
        if (ignoredHost) context.log.info(`Not using the credentials' token_uri (host ${ignoredHost}): tokens go only to Google's token endpoint or the endpoints input's oauth2, so the refresh goes to ${url}.`);
        const { idToken, ...token } = await tokenGrant(
          {
            service: SERVICE,
            url,
            form: () => ({ grant_type: 'refresh_token', client_id: user.client_id, client_secret: user.client_secret, refresh_token: user.refresh_token }),
            explain: (error) => explainRefreshError(error, user.client_id, origin),
          },
          context,
        );
        const email = idToken ? decodeJwtClaims(idToken).email : undefined;
        return { ...token, principal: typeof email === 'string' ? untrusted(email) : user.account || undefined };
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
  if (error.oauthError === 'invalid_grant' && (error.subtype === 'invalid_rapt' || /invalid_rapt|reauth related/i.test(error.description ?? ''))) {
    return new ActionError(
      `Google requires the user of ${origin.name} to sign in again (${summarize(error)}): the Google Workspace admin's session control for Google Cloud requires re-authentication after a set time, which a workflow cannot do, so a new refresh token would stop working the same way.`,
      `Ask the Workspace admin to exempt this OAuth app (mark it Trusted under Security > Access and data control > API controls, then tick "Exempt trusted apps" in Google Cloud session control) or the user's organizational unit: ${SESSION_CONTROL_HELP}. Or, better for CI, use workload_identity_provider with service_account, which no session control applies to.`,
    );
  }
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
