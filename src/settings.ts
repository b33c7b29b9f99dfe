// The inputs, validated up front into what the core works with. Both shells read
// their own inputs (action inputs, command-line options) into `Inputs`; every
// check here happens before any request.
import { parseCredentialsJson } from './credentials/registry.ts';
import type { CredentialChoice, SourceSettings } from './credentials/resolve.ts';
import type { ImpersonationTarget } from './credentials/types.ts';
import { defaultAudience, parseProvider } from './credentials/workload-identity.ts';
import { impersonatedAccountOf, resolveEndpoints, type Endpoints } from './endpoints.ts';
import { ActionError } from './errors.ts';
import type { HttpLimits } from './google/http.ts';
import type { Inputs } from './inputs.ts';
import { untrusted } from './untrusted.ts';

export interface AuthSettings extends SourceSettings {
  readonly endpoints: Endpoints;
  readonly limits: HttpLimits;
}

const EMAIL_PATTERN = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;

export function authSettings(inputs: Inputs): AuthSettings {
  requireOneCredential(inputs);
  // The impersonation target is checked before the credential is parsed, as users read the inputs.
  const impersonation = impersonationTarget(inputs);
  const credential = credentialChoice(inputs);
  if (credential.kind === 'credentials_json' && credential.json.type === 'impersonated_service_account' && impersonation) {
    throw new ActionError(
      `The credentials_json already impersonates ${impersonatedAccountOf(credential.json.service_account_impersonation_url as string)}, and the input service_account asks to impersonate ${impersonation.serviceAccount} on top of it.`,
      "Leave service_account unset to use the file as it is, or pass the file's source_credentials as credentials_json together with service_account and delegates.",
    );
  }
  return {
    credential,
    impersonation,
    sourceOptions: { scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds },
    universe: inputs.universe,
    endpoints: resolveEndpoints(inputs.universe, inputs.endpoints),
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

function credentialChoice(inputs: Inputs): CredentialChoice {
  if (inputs.credentialsJson !== '') return { kind: 'credentials_json', json: parseCredentialsJson(inputs.credentialsJson) };
  const provider = parseProvider(inputs.workloadIdentityProvider);
  return { kind: 'workload_identity', provider, audience: inputs.audience || defaultAudience(provider, inputs.universe) };
}

function impersonationTarget(inputs: Inputs): ImpersonationTarget | undefined {
  if (!inputs.serviceAccount) {
    if (inputs.delegates.length === 0) return undefined;
    throw new ActionError(
      'The input delegates is set without service_account: delegates are the service accounts between the credentials and the one service_account names, so alone they impersonate nothing.',
      'Set service_account to the service account the token should act as, or leave delegates unset.',
    );
  }
  for (const [input, email] of [['service_account', inputs.serviceAccount], ...inputs.delegates.map((d) => ['delegates', d])] as const) {
    if (!EMAIL_PATTERN.test(email)) {
      throw new ActionError(`The input ${input} must be a service account email, not "${untrusted(email, 80)}".`, 'Use the full email, like name@project-id.iam.gserviceaccount.com.');
    }
  }
  return { serviceAccount: inputs.serviceAccount, delegates: inputs.delegates, scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds };
}
