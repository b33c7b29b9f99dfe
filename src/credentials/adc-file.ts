import { tokenUrl, type Endpoints } from '../endpoints.ts';

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
export function overriddenTokenUri(settings: FileSettings): Record<string, string> {
  return settings.endpoints.overridden.has('oauth2') ? { token_uri: tokenUrl(settings.endpoints) } : {};
}
