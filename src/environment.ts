/** What later steps and processes need to know of an authentication; undefined where unknown. */
export interface AdcFacts {
  readonly credentialsFilePath: string | undefined;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
}

/**
 * The variables gcloud and the Google client libraries read, as name-value
 * pairs, set only where the value is known: the Action exports them for later
 * steps, the CLI prints them for a shell.
 */
export function adcEnvironment(facts: AdcFacts): [string, string][] {
  const groups: [string | undefined, string[]][] = [
    [facts.credentialsFilePath, ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH']],
    [facts.projectId, ['CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT', 'GOOGLE_CLOUD_PROJECT']],
    [facts.quotaProjectId, ['GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_BILLING_QUOTA_PROJECT']],
  ];
  return groups.flatMap(([value, names]) => (value ? names.map((name): [string, string] => [name, value]) : []));
}
