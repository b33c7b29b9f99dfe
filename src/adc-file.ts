import type { AuthorizedUserJson, ServiceAccountJson } from './credentials-json.ts';
import { generateAccessTokenUrl, tokenUrl, type Endpoints } from './endpoints.ts';

/** Where the file's refresh requests go, and who pays: shared by every kind of ADC file. */
export interface FileSettings {
  readonly endpoints: Endpoints;
  readonly quotaProjectId: string | undefined;
  readonly universe: string;
}

/** Adds what every ADC file shares: the quota project, and the universe when it is not the default one. */
export function withCommonFields(content: Record<string, unknown>, settings: FileSettings): Record<string, unknown> {
  return {
    ...content,
    ...(settings.quotaProjectId ? { quota_project_id: settings.quotaProjectId } : {}),
    ...(settings.universe !== 'googleapis.com' ? { universe_domain: settings.universe } : {}),
  };
}

/** The token_uri only when it is not Google's default, so libraries keep their own default otherwise. */
function tokenUri(settings: FileSettings): Record<string, string> {
  return settings.endpoints.overridden.has('oauth2') ? { token_uri: tokenUrl(settings.endpoints) } : {};
}

/** An authorized_user ADC file: client libraries and gcloud refresh from it by themselves. */
export function authorizedUserFile(user: AuthorizedUserJson, settings: FileSettings): Record<string, unknown> {
  return {
    type: 'authorized_user',
    client_id: user.client_id,
    client_secret: user.client_secret,
    refresh_token: user.refresh_token,
    ...tokenUri(settings),
  };
}

/** A service_account ADC file: the key as given, with our endpoint and quota project. */
export function serviceAccountFile(key: ServiceAccountJson, settings: FileSettings): Record<string, unknown> {
  const { quota_project_id: _quota, universe_domain: _universe, ...rest } = key;
  const token_uri = settings.endpoints.overridden.has('oauth2') ? tokenUrl(settings.endpoints) : (key.token_uri ?? tokenUrl(settings.endpoints));
  return { ...rest, token_uri };
}

/** Impersonation of `serviceAccount` on top of any source file, the format gcloud and the client libraries read. */
export function impersonatedFile(source: Record<string, unknown>, serviceAccount: string, delegates: readonly string[], settings: FileSettings): Record<string, unknown> {
  const { quota_project_id: _quota, universe_domain: _universe, ...sourceCredentials } = source;
  return {
    type: 'impersonated_service_account',
    service_account_impersonation_url: generateAccessTokenUrl(settings.endpoints, serviceAccount),
    source_credentials: sourceCredentials,
    delegates: [...delegates],
  };
}
