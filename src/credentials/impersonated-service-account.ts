// impersonated_service_account: what `gcloud auth application-default login
// --impersonate-service-account` writes, and our ADC file with impersonation.
// Its source credentials mint, then one generateAccessToken request.
import { impersonatedAccountOf } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { IMPERSONATION_SOURCE_SCOPES, withImpersonation } from './impersonation.ts';
import { isObject, optionalStrings, requireStrings } from './json.ts';
import type { CredentialsJson, CredentialType } from './types.ts';

export interface ImpersonatedServiceAccountJson {
  readonly type: 'impersonated_service_account';
  readonly service_account_impersonation_url: string;
  readonly source_credentials: CredentialsJson;
  /** Emails, or `projects/-/serviceAccounts/EMAIL` names. */
  readonly delegates: readonly string[];
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly [field: string]: unknown;
}

const TYPE = 'impersonated_service_account';
const FIX = 'Store the file that `gcloud auth application-default login --impersonate-service-account=EMAIL` writes, unchanged.';

export const impersonatedServiceAccount: CredentialType<ImpersonatedServiceAccountJson> = {
  type: TYPE,
  secretFields: [],

  validate(json, registry, origin) {
    requireStrings(json, TYPE, ['service_account_impersonation_url'], origin);
    optionalStrings(json, TYPE, ['quota_project_id', 'universe_domain'], origin);
    if (!impersonatedAccountOf(json.service_account_impersonation_url as string)) {
      throw new ActionError(`The ${TYPE} ${origin.name} has a service_account_impersonation_url that names no service account (…/serviceAccounts/EMAIL:generateAccessToken).`, FIX);
    }
    const delegates = json.delegates ?? [];
    if (!Array.isArray(delegates) || !delegates.every((delegate) => typeof delegate === 'string')) {
      throw new ActionError(`The ${TYPE} ${origin.name} has a field delegates that is not a list of service account emails.`, FIX);
    }
    if (!isObject(json.source_credentials) || Array.isArray(json.source_credentials)) {
      throw new ActionError(`The ${TYPE} ${origin.name} lacks the object source_credentials.`, FIX);
    }
    const source = registry.validate(json.source_credentials, true, origin);
    return { ...(json as ImpersonatedServiceAccountJson), source_credentials: source, delegates: delegates as string[] };
  },

  source(json, options, registry) {
    const target = {
      serviceAccount: impersonatedAccountOf(json.service_account_impersonation_url) ?? '',
      delegates: json.delegates.map((delegate) => delegate.replace(/^projects\/[^/]+\/serviceAccounts\//, '')),
      scopes: options.scopes,
      lifetimeSeconds: options.lifetimeSeconds,
    };
    const source = withImpersonation(registry.source(json.source_credentials, { ...options, scopes: IMPERSONATION_SOURCE_SCOPES }), target);
    return { ...source, quotaProjectId: json.quota_project_id || source.quotaProjectId };
  },
};
