// The inputs, validated up front into what the core works with. Both shells read
// their own inputs (action inputs, command-line options) into `Inputs`; every
// check here happens before any request.
import { ACTION_CREDENTIALS, type CredentialsOrigin } from './credentials/json.ts';
import { parseCredentialsJson } from './credentials/registry.ts';
import type { CredentialChoice, SourceSettings } from './credentials/resolve.ts';
import type { CredentialsJson, ImpersonationTarget } from './credentials/types.ts';
import { defaultAudience, parseProvider } from './credentials/workload-identity.ts';
import { impersonatedAccountOf, resolveEndpoints, type Endpoints } from './endpoints.ts';
import { ActionError } from './errors.ts';
import type { HttpLimits } from './google/http.ts';
import { ACTION_INPUTS, type InputNaming, type Inputs } from './inputs.ts';
import { untrusted } from './untrusted.ts';

export interface AuthSettings extends SourceSettings {
  readonly endpoints: Endpoints;
  readonly limits: HttpLimits;
}

const EMAIL_PATTERN = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;

/** `naming` names the inputs in errors, `origin` the credentials JSON: the Action's own by default. */
export function authSettings(inputs: Inputs, naming: InputNaming = ACTION_INPUTS, origin: CredentialsOrigin = ACTION_CREDENTIALS): AuthSettings {
  requireOneCredential(inputs);
  // The impersonation target is checked before the credential is parsed, as users read the inputs.
  const impersonation = impersonationTarget(inputs, naming);
  const credential = credentialChoice(inputs, naming, origin);
  if (credential.kind === 'credentials_json') {
    requireSameUniverse(credential.json, inputs.universe, naming, origin);
    if (impersonation) checkImpersonationOf(credential.json, impersonation, naming, origin);
  }
  // An external_account credentials_json says the same when it is asked to (externalAccount.impersonating).
  if (impersonation?.delegates.length && credential.kind === 'workload_identity') {
    throw new ActionError(
      `The ${naming.input('delegates')} cannot be used with ${naming.name('workload_identity_provider')}: later steps refresh from an external_account credentials file, whose service_account_impersonation_url names one service account and no delegation chain.`,
      `Grant the federated identity roles/iam.workloadIdentityUser on ${impersonation.serviceAccount} itself and leave delegates unset.`,
    );
  }
  return {
    credential,
    impersonation,
    sourceOptions: { scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds, scopesSet: inputs.scopesSet, lifetimeSet: inputs.accessTokenLifetimeSet, origin },
    universe: inputs.universe,
    endpoints: resolveEndpoints(inputs.universe, inputs.endpoints, naming),
    limits: inputs,
  };
}

function requireOneCredential(inputs: Inputs): void {
  const hasJson = inputs.credentialsJson !== '';
  if (hasJson === (inputs.workloadIdentityProvider !== '')) {
    throw new ActionError(
      hasJson ? 'Both credentials_json and workload_identity_provider are set; gemini-auth takes exactly one.' : 'Neither credentials_json nor workload_identity_provider is set (an empty secret looks like this too: check that the secret exists and is available to this workflow).',
      'Set credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }} (the file `gcloud auth application-default login` writes), or workload_identity_provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER with `permissions: id-token: write`.',
    );
  }
}

function credentialChoice(inputs: Inputs, naming: InputNaming, origin: CredentialsOrigin): CredentialChoice {
  if (inputs.credentialsJson !== '') return { kind: 'credentials_json', json: parseCredentialsJson(inputs.credentialsJson, origin) };
  const provider = parseProvider(inputs.workloadIdentityProvider, naming);
  return { kind: 'workload_identity', provider, audience: inputs.audience || defaultAudience(provider, inputs.universe) };
}

function impersonationTarget(inputs: Inputs, naming: InputNaming): ImpersonationTarget | undefined {
  if (!inputs.serviceAccount) {
    if (inputs.delegates.length === 0) return undefined;
    throw new ActionError(
      `The ${naming.input('delegates')} is set without ${naming.name('service_account')}: delegates are the service accounts between the credentials and the one service_account names, so alone they impersonate nothing.`,
      'Set service_account to the service account the token should act as, or leave delegates unset.',
    );
  }
  for (const [input, email] of [['service_account', inputs.serviceAccount], ...inputs.delegates.map((d) => ['delegates', d])] as const) {
    if (!EMAIL_PATTERN.test(email)) {
      throw new ActionError(`The ${naming.input(input)} must be a service account email, not "${untrusted(email, 80)}".`, 'Use the full email, like name@project-id.iam.gserviceaccount.com.');
    }
  }
  return { serviceAccount: inputs.serviceAccount, delegates: inputs.delegates, scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds };
}

/** Impersonating on top of a file that already impersonates would be a second, silent hop. */
function checkImpersonationOf(json: CredentialsJson, impersonation: ImpersonationTarget, naming: InputNaming, origin: CredentialsOrigin): void {
  if (json.type !== 'impersonated_service_account') return;
  throw new ActionError(
    `The ${origin.name} already impersonates ${impersonatedAccountOf(json.service_account_impersonation_url as string)}, and the ${naming.input('service_account')} asks to impersonate ${impersonation.serviceAccount} on top of it.`,
    "Leave service_account unset to use the file as it is, or pass the file's source_credentials as credentials_json together with service_account and delegates.",
  );
}

/**
 * Credentials of another universe would mint there, not at the endpoints of
 * the input universe: refused before any request rather than sent to the
 * wrong token endpoint (a confusing invalid_grant) or silently dropped from
 * the credentials file.
 */
function requireSameUniverse(json: CredentialsJson, universe: string, naming: InputNaming, origin: CredentialsOrigin): void {
  for (let file: CredentialsJson | undefined = json; file; file = file.source_credentials as CredentialsJson | undefined) {
    const own = file.universe_domain;
    if (typeof own === 'string' && own !== '' && own.toLowerCase() !== universe) {
      throw new ActionError(
        `The ${origin.name} is for the universe ${untrusted(own, 60)} (its universe_domain), and the ${naming.input('universe')} is ${universe}.`,
        `Set the ${naming.input('universe')} to ${untrusted(own, 60)} to use these credentials in their own universe, or use credentials of ${universe}.`,
      );
    }
  }
}
