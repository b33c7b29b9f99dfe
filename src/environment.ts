import { tokenUrl, type Endpoints } from './endpoints.ts';

/** What later steps and processes need to know of an authentication; undefined where unknown. */
export interface AdcFacts {
  readonly credentialsFilePath: string | undefined;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
  /** The services the credentials file refreshes through: gcloud must be told of overrides, it does not read them from the file. */
  readonly endpoints: Endpoints;
  /** With gemini_api: vertex, the Vertex AI location: later steps' Google Gen AI SDK then calls Vertex AI there. */
  readonly vertexLocation?: string | undefined;
}

/**
 * The variables gcloud and the Google client libraries read, as name-value
 * pairs, set only where the value is known: the Action exports them for later
 * steps, the CLI prints them for a shell.
 */
export function adcEnvironment(facts: AdcFacts): [string, string][] {
  const { base, overridden } = facts.endpoints;
  const groups: [string | undefined, string[]][] = [
    [facts.credentialsFilePath, ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH']],
    [facts.projectId, ['CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT', 'GOOGLE_CLOUD_PROJECT']],
    [facts.quotaProjectId, ['GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_BILLING_QUOTA_PROJECT']],
    // gcloud refreshes user credentials at its auth/token_host, whatever the file's token_uri, and takes
    // API endpoint overrides as base URLs with a trailing slash, to which it appends `v1/...`.
    [overridden.has('oauth2') ? tokenUrl(facts.endpoints) : undefined, ['CLOUDSDK_AUTH_TOKEN_HOST']],
    [overridden.has('sts') ? `${base.sts}/` : undefined, ['CLOUDSDK_API_ENDPOINT_OVERRIDES_STS']],
    [overridden.has('iamcredentials') ? `${base.iamcredentials}/` : undefined, ['CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS']],
    // The Gen AI SDKs (Python google-genai, JS @google/genai) read these, with GOOGLE_CLOUD_PROJECT; JS takes only "true" as true.
    [facts.vertexLocation ? 'true' : undefined, ['GOOGLE_GENAI_USE_VERTEXAI']],
    [facts.vertexLocation, ['GOOGLE_CLOUD_LOCATION']],
  ];
  return groups.flatMap(([value, names]) => (value ? names.map((name): [string, string] => [name, value]) : []));
}

/**
 * Why later steps may stumble without a project: for federated credentials
 * Google's client libraries look the project up (gcloud, the metadata server,
 * then Cloud Resource Manager), and a federated principal is usually denied
 * that last call, so `getProjectId()` fails with a 403 in a later step.
 */
export function unknownProjectWarning(authType: string, projectId: string | undefined): string | undefined {
  if (projectId || (authType !== 'workload_identity' && authType !== 'external_account' && authType !== 'external_account_authorized_user')) return undefined;
  return `No project is known for these ${authType} credentials, so none is exported for later steps: Google's client libraries would look it up, and a federated identity is usually denied that lookup (a 403 from Cloud Resource Manager in a later step). Set the input project_id, or set service_account to impersonate a service account, whose project is taken from its email.`;
}
