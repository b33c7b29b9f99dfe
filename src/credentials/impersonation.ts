// Impersonation of a service account on top of any source token: one
// generateAccessToken request, and the impersonated_service_account ADC file.
import { generateAccessTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { generateAccessToken, IAM_SERVICE } from '../google/iam.ts';
import { iamMember } from '../iam-member.ts';
import type { MintedToken } from '../token.ts';
import type { FileSettings } from './adc-file.ts';
import type { ImpersonationTarget, MintContext, TokenSource } from './types.ts';

/** A token that will only impersonate needs nothing but cloud-platform. */
export const IMPERSONATION_SOURCE_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/cloud-platform'];

/** Trades `sourceToken` for a token of the target; `sourcePrincipal` names who needs the grant if it is denied. */
export function impersonate(sourceToken: string, sourcePrincipal: string, target: ImpersonationTarget, context: MintContext): Promise<MintedToken> {
  return generateAccessToken({ sourceToken, ...target, explain: (error) => explainImpersonationError(error, sourcePrincipal, target) }, context);
}

/** The project of a service account, where its email says it: `NAME@PROJECT.iam.gserviceaccount.com`. */
export function projectOfServiceAccount(email: string): string | undefined {
  return /@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

/** `source` minting for `target` instead; the ADC file impersonates too. */
export function withImpersonation(source: TokenSource, target: ImpersonationTarget): TokenSource {
  return {
    ...source,
    description: `${source.description}, impersonating ${target.serviceAccount}`,
    projectId: source.projectId ?? projectOfServiceAccount(target.serviceAccount),
    async mint(context) {
      const sourceToken = await source.mint(context);
      // Without an email in the answer, the fix names a placeholder the user fills in.
      const fallback = source.authType === 'authorized_user' ? 'YOUR_EMAIL' : 'SOURCE_PRINCIPAL';
      return impersonate(sourceToken.accessToken, sourceToken.principal ?? fallback, target, context);
    },
    credentialsFile: (settings) => impersonatedFile(source.credentialsFile(settings), target, settings),
    cacheBinding: { ...source.cacheBinding, facts: { ...source.cacheBinding.facts, impersonate: target } },
  };
}

/** Impersonation on top of any source file, the format gcloud and the client libraries read. */
function impersonatedFile(source: Record<string, unknown>, target: ImpersonationTarget, settings: FileSettings): Record<string, unknown> {
  const { quota_project_id: _quota, universe_domain: _universe, ...sourceCredentials } = source;
  return {
    type: 'impersonated_service_account',
    service_account_impersonation_url: generateAccessTokenUrl(settings.endpoints, target.serviceAccount),
    source_credentials: sourceCredentials,
    delegates: [...target.delegates],
    // The scopes this step asked for, which may be the file's own: a refresh asks for the same.
    scopes: [...target.scopes],
  };
}

function explainImpersonationError(error: GoogleError, sourcePrincipal: string, target: ImpersonationTarget): ActionError {
  const said = summarize(error);
  const account = target.serviceAccount;
  const status = error.httpStatus;
  if (status === 403) {
    const federated = sourcePrincipal.startsWith('principal');
    const role = federated ? 'roles/iam.workloadIdentityUser' : 'roles/iam.serviceAccountTokenCreator';
    const member = iamMember(sourcePrincipal);
    const who = /^[A-Z_]+$/.test(sourcePrincipal) ? 'The source credentials' : sourcePrincipal;
    return new ActionError(
      `${who} may not impersonate ${account}: iam.serviceAccounts.getAccessToken was denied (${said}).`,
      `Grant it ${role} on the service account: \`gcloud iam service-accounts add-iam-policy-binding ${account} --role=${role} --member="${member}"\` (it can take a few minutes to apply). Check also that ${account} exists and is enabled.`,
    );
  }
  if (status === 400 && /lifetime/i.test(error.description ?? '')) {
    return new ActionError(
      `The access_token_lifetime ${target.lifetimeSeconds}s was refused (${said}).`,
      'Use at most 3600s, or allow longer tokens for this service account with the organization policy constraints/iam.allowServiceAccountCredentialLifetimeExtension.',
    );
  }
  if (status === 404) {
    return new ActionError(`The service account ${account} was not found (${said}).`, 'Check the input service_account: it is the full email, like name@project-id.iam.gserviceaccount.com.');
  }
  if (status === 401) {
    return new ActionError(`${IAM_SERVICE} did not accept the source token (${said}).`, 'Re-run the job; if it persists, check the endpoints input and that the source credentials are valid.');
  }
  return new ActionError(`${IAM_SERVICE} refused to mint a token for ${account} (${said}).`, 'Check the inputs service_account, delegates, scopes and access_token_lifetime.');
}
