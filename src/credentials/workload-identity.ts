// Workload identity federation without a file: a CI's OIDC token exchanged at
// STS for a federated token (two requests with GitHub's), optionally traded for
// a service account's token (one more).
import { generateAccessTokenUrl, stsIntrospectUrl, stsTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { ACTION_INPUTS, type InputNaming } from '../inputs.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { stsExchange, STS_SERVICE } from '../google/sts.ts';
import { preconnect } from '../google/transport.ts';
import { decodeJwtClaims, federatedExpiry } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import { impersonate, IMPERSONATION_SOURCE_SCOPES, preconnectImpersonation, projectOfServiceAccount } from './impersonation.ts';
import { describeClaims, type SubjectTokenSupplier } from './subject-token.ts';
import type { ImpersonationTarget, SourceOptions, TokenSource } from './types.ts';

export interface WorkloadIdentityProvider {
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER */
  readonly name: string;
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL */
  readonly pool: string;
  /** How to give the provider's name, in the words of the shell that read it (an input, an option): for the fixes of STS refusals. */
  readonly fix: string;
}

const PROVIDER_PATTERN = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
/** How to give the provider's full name, in the words of the shell (an input, an option). */
const providerFix = (naming: InputNaming): string =>
  `Set ${naming.name('workload_identity_provider')} to the full resource name, projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, as printed by \`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(name)"\`.`;
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
/** OWNER/REPO as GitHub names repositories. */
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/u;

export function parseProvider(text: string, naming: InputNaming = ACTION_INPUTS): WorkloadIdentityProvider {
  const name = text.trim().replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
  const match = PROVIDER_PATTERN.exec(name);
  if (!match) {
    const projectId = /^projects\/([^/]+)\//.exec(name)?.[1];
    const cause = projectId && !/^\d+$/.test(projectId) ? ` It names the project by ID ("${untrusted(projectId, 40)}"); it needs the project NUMBER.` : '';
    throw new ActionError(`The ${naming.input('workload_identity_provider')} is not a provider resource name.${cause}`, providerFix(naming));
  }
  return { name, pool: `projects/${match[1]}/locations/global/workloadIdentityPools/${match[2]}`, fix: providerFix(naming) };
}

export function defaultAudience(provider: WorkloadIdentityProvider, universe: string): string {
  return `https://iam.${universe}/${provider.name}`;
}

export interface Federation {
  readonly provider: WorkloadIdentityProvider;
  /** The audience of the subject token. */
  readonly audience: string;
  readonly universe: string;
  readonly subjectToken: SubjectTokenSupplier;
}

export function workloadIdentitySource(federation: Federation, options: SourceOptions, target: ImpersonationTarget | undefined): TokenSource {
  const { provider, universe, subjectToken } = federation;
  const stsAudience = `//iam.${universe}/${provider.name}`;
  const scopes = target ? IMPERSONATION_SOURCE_SCOPES : options.scopes;
  return {
    authType: 'workload_identity',
    description: `workload identity provider ${provider.name}${target ? `, impersonating ${target.serviceAccount}` : ''}`,
    // A federated identity has no project of its own; an impersonated service account's email names one.
    projectId: target ? projectOfServiceAccount(target.serviceAccount) : undefined,
    quotaProjectId: undefined,
    async mint(context) {
      // The hosts after the CI's token service are connected to while it answers.
      preconnect(stsTokenUrl(context.endpoints));
      if (target) preconnectImpersonation(target, context);
      // Each attempt exchanges a fresh subject token: the last one is what STS judged, and its claims are shown.
      let subject = '';
      const claims = (): string => describeClaims(subject);
      try {
        const federated = await stsExchange(
          {
            audience: stsAudience,
            scopes,
            subjectTokenType: JWT,
            subjectToken: async () => (subject = await subjectToken.fetch(federation.audience, context)),
            explain: (error) => explainStsError(error, federation, claims()),
          },
          context,
        );
        const { sub, repository } = decodeJwtClaims(subject);
        const expiresAt = federatedExpiry(federated.expiresAt, subject);
        // The member to name where a grant is missing: the usual grant is to the repository's principal set.
        const member = typeof repository === 'string' && REPOSITORY.test(repository) ? `principalSet://iam.googleapis.com/${provider.pool}/attribute.repository/${repository}` : `principal://iam.googleapis.com/${provider.pool}/subject/${untrusted(String(sub))}`;
        if (!target) return { accessToken: federated.accessToken, expiresAt, principal: typeof sub === 'string' ? untrusted(sub) : undefined, member, scopes: federated.scopes };
        return await impersonate(federated.accessToken, member, target, context);
      } finally {
        // The claims carry text whoever pushes chooses (a branch name): printed once every token of this mint is masked.
        if (subject) context.log.info(`${subjectToken.name} claims: ${claims()}`);
      }
    },
    // An external_account file whose credential source fetches a fresh subject token, so client libraries refresh by themselves.
    credentialsFile: (settings) => ({
      type: 'external_account',
      audience: stsAudience,
      subject_token_type: JWT,
      token_url: stsTokenUrl(settings.endpoints),
      // gcloud introspects federated tokens at token_info_url, by default at Google's STS.
      ...(settings.endpoints.overridden.has('sts') ? { token_info_url: stsIntrospectUrl(settings.endpoints) } : {}),
      ...(target
        ? {
            service_account_impersonation_url: generateAccessTokenUrl(settings.endpoints, target.serviceAccount),
            ...(target.lifetimeSeconds !== 3600 ? { service_account_impersonation: { token_lifetime_seconds: target.lifetimeSeconds } } : {}),
          }
        : {}),
      credential_source: subjectToken.credentialSource(federation.audience),
    }),
    // Nothing here is secret, and the token follows from the job's own claims.
    cacheBinding: {
      secrets: [],
      facts: { type: 'workload_identity', provider: provider.name, audience: federation.audience, scopes, ...(target ? { impersonate: target } : {}) },
      followsJobIdentity: true,
    },
  };
}

function explainStsError(error: GoogleError, federation: Federation, claims: string): ActionError {
  const said = summarize(error);
  const description = error.description ?? '';
  const { provider, audience, subjectToken } = federation;
  if (error.oauthError === 'invalid_target') {
    return new ActionError(`The workload identity provider ${provider.name} does not exist or is disabled (${said}).`, provider.fix);
  }
  if (/audience/i.test(description)) {
    return new ActionError(
      `The OIDC token's audience ${audience} is not one the provider accepts (${said}).`,
      `Leave the input audience unset (it defaults to https://iam.googleapis.com/${provider.name}, which providers accept by default), or add it to the provider's allowed audiences: \`gcloud iam workload-identity-pools providers update-oidc PROVIDER --allowed-audiences=${audience} ...\`.`,
    );
  }
  if (error.oauthError === 'unauthorized_client' || /attribute condition/i.test(description)) {
    return new ActionError(
      `The provider's attribute condition rejected this job's OIDC token (${said}). The token's claims: ${claims}.`,
      'Compare the claims above with the condition (`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(attributeCondition)"`) and update one of them, e.g. `assertion.repository == "OWNER/REPO"`.',
    );
  }
  return new ActionError(`${STS_SERVICE} refused the job's OIDC token (${said}). The token's claims: ${claims}.`, `Check the provider's issuer (${subjectToken.issuer}), attribute mapping and condition. ${provider.fix}`);
}
