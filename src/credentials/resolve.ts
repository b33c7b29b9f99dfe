import { registry } from './registry.ts';
import type { SubjectTokenSupplier } from './subject-token.ts';
import type { CredentialsJson, ImpersonationTarget, SourceOptions, TokenSource } from './types.ts';
import { workloadIdentitySource, type WorkloadIdentityProvider } from './workload-identity.ts';

/** Where the token comes from: exactly one of the two. */
export type CredentialChoice =
  | { readonly kind: 'credentials_json'; readonly json: CredentialsJson }
  | { readonly kind: 'workload_identity'; readonly provider: WorkloadIdentityProvider; readonly audience: string };

/** What decides the token source, checked before any request. */
export interface SourceSettings {
  readonly credential: CredentialChoice;
  readonly impersonation: ImpersonationTarget | undefined;
  readonly sourceOptions: SourceOptions;
  readonly universe: string;
}

/**
 * The token source the settings name. `subjectTokens` is called only for
 * workload identity: the shell's supplier of the CI's OIDC tokens.
 */
export function resolveSource(settings: SourceSettings, subjectTokens: () => SubjectTokenSupplier): TokenSource {
  const { credential, impersonation, sourceOptions, universe } = settings;
  if (credential.kind === 'workload_identity') {
    return workloadIdentitySource({ provider: credential.provider, audience: credential.audience, universe, subjectToken: subjectTokens() }, sourceOptions, impersonation);
  }
  return credentialsSource(credential.json, sourceOptions, impersonation);
}

/**
 * The token source of a credentials JSON: the input credentials_json, or an ADC
 * file read back to refresh. `target` impersonates on top of it.
 */
export function credentialsSource(json: CredentialsJson, options: SourceOptions, target?: ImpersonationTarget): TokenSource {
  return registry.source(json, options, target);
}
