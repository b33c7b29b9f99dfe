import { stsTokenUrl, type Endpoints } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google-errors.ts';
import { sendJson } from '../http.ts';
import { federatedExpiry, readOAuthToken, type MintContext, type MintedToken } from '../token.ts';
import { describeClaims, fetchOidcToken, type OidcRequest } from './github-oidc.ts';

export interface WorkloadIdentityProvider {
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER */
  readonly name: string;
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL */
  readonly pool: string;
}

const PROVIDER_PATTERN = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const PROVIDER_FIX =
  'Set workload_identity_provider to the full resource name, projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, as printed by `gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(name)"`.';

export function parseProvider(text: string): WorkloadIdentityProvider {
  const name = text.trim().replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
  const match = PROVIDER_PATTERN.exec(name);
  if (!match) {
    const projectId = /^projects\/([^/]+)\//.exec(name)?.[1];
    const cause = projectId && !/^\d+$/.test(projectId) ? ` It names the project by ID ("${projectId.slice(0, 40)}"); it needs the project NUMBER.` : '';
    throw new ActionError(`The input workload_identity_provider is not a provider resource name.${cause}`, PROVIDER_FIX);
  }
  return { name, pool: `projects/${match[1]}/locations/global/workloadIdentityPools/${match[2]}` };
}

export function defaultAudience(provider: WorkloadIdentityProvider, universe: string): string {
  return `https://iam.${universe}/${provider.name}`;
}

export interface FederationRequest {
  readonly provider: WorkloadIdentityProvider;
  readonly audience: string;
  readonly universe: string;
  readonly oidc: OidcRequest;
  readonly scopes: readonly string[];
  /** Called once with each OIDC token actually exchanged, so the claims can be logged. */
  readonly onClaims: (claims: string) => void;
}

const SERVICE = 'The Google Security Token Service';

/** OIDC token → STS federated token: two requests, each attempt with a fresh OIDC token. */
export async function exchangeOidcToken(request: FederationRequest, context: MintContext): Promise<MintedToken & { subjectToken: string }> {
  let subjectToken = '';
  const answer = await sendJson(
    SERVICE,
    async () => {
      subjectToken = await fetchOidcToken(request.oidc, request.audience, context.http, context.mask);
      return {
        url: stsTokenUrl(context.endpoints),
        method: 'POST',
        form: {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          audience: `//iam.${request.universe}/${request.provider.name}`,
          scope: request.scopes.join(' '),
          requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          subject_token: subjectToken,
        },
      };
    },
    context.http,
  );
  const claims = describeClaims(subjectToken);
  request.onClaims(claims);
  if (answer.status !== 200) throw explainStsError(answer.status, answer.body, request, claims);
  const token = readOAuthToken(answer.body, SERVICE, context.mask);
  return { ...token, expiresAt: federatedExpiry(token.expiresAt, subjectToken), subjectToken };
}

function explainStsError(status: number, body: unknown, request: FederationRequest, claims: string): ActionError {
  const error = readGoogleError({ status, body });
  const said = summarize(error);
  const description = error.description ?? '';
  if (error.oauthError === 'invalid_target') {
    return new ActionError(`The workload identity provider ${request.provider.name} does not exist or is disabled (${said}).`, PROVIDER_FIX);
  }
  if (/audience/i.test(description)) {
    return new ActionError(
      `The OIDC token's audience ${request.audience} is not one the provider accepts (${said}).`,
      `Leave the input audience unset (it defaults to https://iam.googleapis.com/${request.provider.name}, which providers accept by default), or add it to the provider's allowed audiences: \`gcloud iam workload-identity-pools providers update-oidc PROVIDER --allowed-audiences=${request.audience} ...\`.`,
    );
  }
  if (error.oauthError === 'unauthorized_client' || /attribute condition/i.test(description)) {
    return new ActionError(
      `The provider's attribute condition rejected this job's OIDC token (${said}). The token's claims: ${claims}.`,
      'Compare the claims above with the condition (`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(attributeCondition)"`) and update one of them, e.g. `assertion.repository == "OWNER/REPO"`.',
    );
  }
  return new ActionError(`${SERVICE} refused the job's OIDC token (${said}). The token's claims: ${claims}.`, `Check the provider's issuer (https://token.actions.githubusercontent.com), attribute mapping and condition. ${PROVIDER_FIX}`);
}

/**
 * The external_account ADC file: its credential source asks the runner for a
 * fresh OIDC token, so client libraries refresh by themselves for the whole job.
 */
export function workloadIdentityFile(request: FederationRequest, endpoints: Endpoints, impersonationUrl: string | undefined, lifetimeSeconds: number): Record<string, unknown> {
  const separator = request.oidc.url.includes('?') ? '&' : '?';
  return {
    type: 'external_account',
    audience: `//iam.${request.universe}/${request.provider.name}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: stsTokenUrl(endpoints),
    ...(impersonationUrl
      ? { service_account_impersonation_url: impersonationUrl, ...(lifetimeSeconds !== 3600 ? { service_account_impersonation: { token_lifetime_seconds: lifetimeSeconds } } : {}) }
      : {}),
    credential_source: {
      url: `${request.oidc.url}${separator}audience=${encodeURIComponent(request.audience)}`,
      headers: { Authorization: `Bearer ${request.oidc.bearer}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    },
  };
}
