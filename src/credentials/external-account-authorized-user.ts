// external_account_authorized_user: what `gcloud auth application-default login
// --login-config=...` writes for a workforce identity federation user. One
// refresh-token grant at STS (its token_url), the OAuth client in HTTP Basic auth.
import { chooseFileUrl, stsIntrospectUrl, stsOAuthTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { tokenGrant } from '../google/protocol.ts';
import { STS_SERVICE } from '../google/sts.ts';
import { ACTION_CREDENTIALS, optionalProjectIds, optionalStrings, requireStrings } from './json.ts';
import type { CredentialType } from './types.ts';

export interface ExternalAccountAuthorizedUserJson {
  readonly type: 'external_account_authorized_user';
  readonly audience?: string;
  readonly client_id: string;
  readonly client_secret: string;
  readonly refresh_token: string;
  readonly token_url: string;
  readonly token_info_url?: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly [field: string]: unknown;
}

const TYPE = 'external_account_authorized_user';
const LOGIN =
  'Sign in again with `gcloud auth application-default login --login-config=LOGIN_CONFIG_FILE` (the login configuration of your workforce pool, from `gcloud iam workforce-pools create-login-config`), then store the file it writes, ~/.config/gcloud/application_default_credentials.json, as the secret: `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`.';

export const externalAccountAuthorizedUser: CredentialType<ExternalAccountAuthorizedUserJson> = {
  type: TYPE,
  secretFields: ['client_secret', 'refresh_token', 'token'],

  validate(json, _registry, origin) {
    // Python's google-auth cannot refresh without token_url, so a file without it would fail in later steps.
    requireStrings(json, TYPE, ['client_id', 'client_secret', 'refresh_token', 'token_url'], origin, `Store the complete file that gcloud wrote, unchanged. ${LOGIN}`);
    optionalStrings(json, TYPE, ['audience', 'token_info_url', 'revoke_url', 'universe_domain'], origin);
    optionalProjectIds(json, TYPE, ['quota_project_id'], origin);
    const { token: _token, expiry: _expiry, ...rest } = json;
    return rest as ExternalAccountAuthorizedUserJson;
  },

  source(user, { origin = ACTION_CREDENTIALS }) {
    const pool = workforcePoolOf(user.audience);
    return {
      authType: TYPE,
      description: `${TYPE} credentials${pool ? ` of workforce pool ${pool}` : ''}`,
      projectId: undefined,
      quotaProjectId: user.quota_project_id || undefined,
      async mint(context) {
        const { url, ignoredHost } = chooseFileUrl(context.endpoints, 'sts', user.token_url, stsOAuthTokenUrl(context.endpoints));
        if (ignoredHost) context.log.info(`Not using the credentials' token_url (host ${ignoredHost}): tokens go only to Google's Security Token Service or the endpoints input's sts, so the refresh goes to ${url}.`);
        const { idToken: _unused, ...token } = await tokenGrant(
          {
            service: STS_SERVICE,
            url,
            form: () => ({ grant_type: 'refresh_token', refresh_token: user.refresh_token }),
            headers: { authorization: `Basic ${Buffer.from(`${user.client_id}:${user.client_secret}`).toString('base64')}` },
            explain: (error) => explainRefreshError(error, user.client_id, origin.name),
          },
          context,
        );
        return token;
      },
      credentialsFile(settings) {
        const { endpoints } = settings;
        const infoFallback = stsIntrospectUrl(endpoints);
        return {
          type: TYPE,
          ...(user.audience ? { audience: user.audience } : {}),
          client_id: user.client_id,
          client_secret: user.client_secret,
          refresh_token: user.refresh_token,
          // Where this step refreshed, so that later steps' clients follow the same rules.
          token_url: chooseFileUrl(endpoints, 'sts', user.token_url, stsOAuthTokenUrl(endpoints)).url,
          token_info_url: chooseFileUrl(endpoints, 'sts', user.token_info_url, infoFallback).url,
        };
      },
      // The token carries the scopes of the sign-in, whatever is asked.
      cacheBinding: { secrets: [user.client_secret, user.refresh_token], facts: { type: TYPE, clientId: user.client_id, audience: user.audience ?? '' } },
    };
  },
};

/** `locations/global/workforcePools/POOL` of an audience, to name the pool in the log. */
function workforcePoolOf(audience: string | undefined): string | undefined {
  return /(locations\/[^/]+\/workforcePools\/[^/]+)/.exec(audience ?? '')?.[1];
}

/** `name` names the JSON: credentials_json, or where the CLI read it. */
function explainRefreshError(error: GoogleError, clientId: string, name: string): ActionError {
  const said = summarize(error);
  switch (error.oauthError) {
    case 'invalid_grant':
      return new ActionError(
        `Google rejected the refresh token in the ${TYPE} ${name} (${said}): the workforce session has ended (its length is the workforce pool's session duration) or the sign-in was revoked.`,
        LOGIN,
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new ActionError(`Google rejected the OAuth client ${clientId} of the ${TYPE} ${name} (${said}): the file's client_id and client_secret are not those that gcloud signed in with.`, LOGIN);
    default:
      return new ActionError(`${STS_SERVICE} refused the refresh token grant of the ${TYPE} ${name} (${said}).`, LOGIN);
  }
}
