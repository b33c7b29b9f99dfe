import type { ExternalAccountJson } from '../credentials-json.ts';
import { generateAccessTokenUrl, impersonatedAccountOf, stsTokenUrl, type Endpoints } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google-errors.ts';
import { isTransientStatus, retrying, TransientFailure } from '../http.ts';
import { federatedExpiry, type MintContext, type MintedToken } from '../token.ts';

const SERVICE = 'The external account token exchange';

/**
 * An external_account configuration is used as it is, through google-auth-library,
 * which knows every credential source it can name (file, URL, AWS, executable).
 * The library is loaded only here, its own retries are off (ours apply), and its
 * errors are reduced to status and Google's error fields: they hold request bodies.
 */
export async function externalAccountToken(json: ExternalAccountJson, scopes: readonly string[], context: MintContext): Promise<MintedToken> {
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
      context.mask(subjectToken);
      return subjectToken;
    };
    try {
      const { token } = await client.getAccessToken();
      const expiresAt = new Date(client.credentials.expiry_date ?? Date.now() + 3600_000);
      if (!token) throw new ActionError(`${SERVICE} gave no access token.`, 'Check the credential_source of the external_account configuration.');
      context.mask(token);
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
export function withEndpoints(json: ExternalAccountJson, endpoints: Endpoints): ExternalAccountJson {
  const result: ExternalAccountJson = { ...json };
  if (endpoints.overridden.has('sts')) result.token_url = stsTokenUrl(endpoints);
  const account = impersonatedAccountOf(json.service_account_impersonation_url);
  if (endpoints.overridden.has('iamcredentials') && account) {
    result.service_account_impersonation_url = generateAccessTokenUrl(endpoints, account);
  }
  return result;
}
