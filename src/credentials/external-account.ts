// external_account: a workload or workforce identity federation configuration
// (file, URL, AWS or executable credential source). It is used as it is, through
// google-auth-library, which knows every source it can name. The library is
// loaded only here, its own retries are off (ours apply), and its errors are
// reduced to status and Google's error fields: they hold request bodies.
import { generateAccessTokenUrl, impersonatedAccountOf, stsTokenUrl, type Endpoints } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google/errors.ts';
import { isTransientStatus, retrying, TransientFailure } from '../google/http.ts';
import { federatedExpiry, type MintedToken } from '../token.ts';
import { optionalStrings, requireStrings } from './json.ts';
import type { CredentialType, MintContext } from './types.ts';

export interface ExternalAccountJson {
  readonly type: 'external_account';
  readonly audience: string;
  readonly subject_token_type: string;
  readonly token_url?: string;
  readonly service_account_impersonation_url?: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly [field: string]: unknown;
}

const SERVICE = 'The external account token exchange';

export const externalAccount: CredentialType<ExternalAccountJson> = {
  type: 'external_account',
  // Credential sources send API keys and the like as request headers.
  secretFields: ['headers'],

  validate(json, _registry, origin) {
    requireStrings(json, 'external_account', ['audience', 'subject_token_type'], origin);
    optionalStrings(json, 'external_account', ['token_url', 'service_account_impersonation_url', 'quota_project_id', 'universe_domain'], origin);
    return json as ExternalAccountJson;
  },

  source(json, { scopes }) {
    return {
      authType: 'external_account',
      description: `external_account configuration for ${json.audience}`,
      projectId: undefined,
      quotaProjectId: json.quota_project_id || undefined,
      mint: (context) => externalAccountToken(json, scopes, context),
      credentialsFile: (settings) => withEndpoints(json, settings.endpoints),
      // Its header values need not be secret: the configuration is bound as a whole, keyed by cache_encryption_key alone.
      cacheBinding: { secrets: [], facts: { type: 'external_account', configuration: json, scopes } },
    };
  },
};

async function externalAccountToken(json: ExternalAccountJson, scopes: readonly string[], context: MintContext): Promise<MintedToken> {
  // With this variable set the library logs whole token answers, before anyone could mask them; it reads it once, when loaded.
  delete process.env.GOOGLE_SDK_NODE_LOGGING;
  const { AwsClient, IdentityPoolClient, PluggableAuthClient } = await import('google-auth-library');
  return retrying(SERVICE, context.http, async (timeoutMs) => {
    const options = { ...withEndpoints(json, context.endpoints), scopes: [...scopes], transporterOptions: { timeout: timeoutMs, retryConfig: { retry: 0 } } };
    const source = json.credential_source as Record<string, unknown> | undefined;
    const client = source?.environment_id ? new AwsClient(options as never) : source?.executable ? new PluggableAuthClient(options as never) : new IdentityPoolClient(options as never);
    // The library keeps the subject token to itself: it is a secret to mask, and its expiry bounds a federated token's.
    let subjectToken = '';
    const retrieveSubjectToken = client.retrieveSubjectToken.bind(client);
    client.retrieveSubjectToken = async () => {
      subjectToken = await retrieveSubjectToken();
      context.log.mask(subjectToken);
      return subjectToken;
    };
    try {
      const { token } = await client.getAccessToken();
      const expiresAt = new Date(client.credentials.expiry_date ?? Date.now() + 3600_000);
      if (!token) throw new ActionError(`${SERVICE} gave no access token.`, 'Check the credential_source of the external_account configuration.');
      context.log.mask(token);
      const impersonated = json.service_account_impersonation_url !== undefined;
      return { accessToken: token, expiresAt: impersonated ? expiresAt : federatedExpiry(expiresAt, subjectToken), principal: impersonatedAccountOf(json.service_account_impersonation_url) };
    } catch (error) {
      return classify(error);
    }
  });
}

function classify(error: unknown): TransientFailure {
  if (error instanceof ActionError) throw error;
  const response = (error as { response?: { status?: unknown; data?: unknown } }).response;
  const status = typeof response?.status === 'number' ? response.status : undefined;
  if (status === undefined) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || error instanceof TypeError) return new TransientFailure(`network error ${typeof code === 'string' ? code : ''}`.trim());
    throw new ActionError(
      `The external_account credentials could not produce a subject token (${error instanceof Error ? error.name : 'error'}).`,
      'Check the credential_source of the configuration (the file, URL or executable it names must be available on the runner).',
    );
  }
  if (isTransientStatus(status)) return new TransientFailure(`HTTP ${status}`);
  throw new ActionError(`${SERVICE} was refused (${summarize(readGoogleError({ status, body: response?.data }))}).`, 'Check the audience, credential_source and service_account_impersonation_url of the external_account configuration.');
}

/** The configuration with our endpoint overrides applied (Private Service Connect), also for the ADC file. */
function withEndpoints(json: ExternalAccountJson, endpoints: Endpoints): ExternalAccountJson {
  const result: Record<string, unknown> = { ...json };
  if (endpoints.overridden.has('sts')) result.token_url = stsTokenUrl(endpoints);
  const account = impersonatedAccountOf(json.service_account_impersonation_url);
  if (endpoints.overridden.has('iamcredentials') && account) {
    result.service_account_impersonation_url = generateAccessTokenUrl(endpoints, account);
  }
  return result as ExternalAccountJson;
}
