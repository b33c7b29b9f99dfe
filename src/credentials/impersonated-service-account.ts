// impersonated_service_account: what `gcloud auth application-default login
// --impersonate-service-account` writes, and our ADC file with impersonation.
// Its source credentials mint, then one generateAccessToken request. A file whose
// source impersonates again (Google's Node library resolves those recursively)
// becomes one delegation chain: the same grants, one request fewer.
import { impersonatedAccountOf } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { isObject, optionalProjectIds, optionalStrings, requireStrings } from './json.ts';
import type { CredentialsJson, CredentialType } from './types.ts';

export interface ImpersonatedServiceAccountJson {
  readonly type: 'impersonated_service_account';
  readonly service_account_impersonation_url: string;
  readonly source_credentials: CredentialsJson;
  /** Emails, or `projects/-/serviceAccounts/EMAIL` names. */
  readonly delegates: readonly string[];
  /** The scopes the file asks for; the input scopes win when set. */
  readonly scopes?: readonly string[];
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
    optionalStrings(json, TYPE, ['universe_domain'], origin);
    optionalProjectIds(json, TYPE, ['quota_project_id'], origin);
    if (!impersonatedAccountOf(json.service_account_impersonation_url as string)) {
      throw new ActionError(`The ${TYPE} ${origin.name} has a service_account_impersonation_url that names no service account (…/serviceAccounts/EMAIL:generateAccessToken).`, FIX);
    }
    const delegates = stringList(json.delegates ?? [], 'delegates', 'service account emails', origin.name);
    const scopes = json.scopes === undefined || json.scopes === null ? undefined : stringList(json.scopes, 'scopes', 'OAuth scopes', origin.name);
    if (!isObject(json.source_credentials) || Array.isArray(json.source_credentials)) {
      throw new ActionError(`The ${TYPE} ${origin.name} lacks the object source_credentials.`, FIX);
    }
    const source = registry.validate(json.source_credentials, true, origin);
    const file = { ...(json as ImpersonatedServiceAccountJson), source_credentials: source, delegates, ...(scopes ? { scopes } : {}) };
    if (source.type !== TYPE) return file;
    // source → (its delegates) → its account → (our delegates) → our account: one chain.
    const inner = source as ImpersonatedServiceAccountJson;
    const quota = file.quota_project_id ?? inner.quota_project_id;
    return { ...file, ...(quota ? { quota_project_id: quota } : {}), source_credentials: inner.source_credentials, delegates: [...inner.delegates, impersonatedAccountOf(inner.service_account_impersonation_url) ?? '', ...file.delegates] };
  },

  source(json, options, registry) {
    const target = {
      serviceAccount: impersonatedAccountOf(json.service_account_impersonation_url) ?? '',
      delegates: json.delegates.map(emailOf),
      scopes: options.scopesSet || !json.scopes?.length ? options.scopes : json.scopes,
      lifetimeSeconds: options.lifetimeSeconds,
    };
    const source = registry.source(json.source_credentials, options, target);
    return { ...source, quotaProjectId: json.quota_project_id || source.quotaProjectId };
  },
};

/** `name` names the JSON in errors: credentials_json, or where the CLI read it. */
function stringList(value: unknown, field: string, what: string, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ActionError(`The ${TYPE} ${name} has a field ${field} that is not a list of ${what}.`, FIX);
  }
  return value as string[];
}

/** `projects/-/serviceAccounts/EMAIL` or EMAIL, as EMAIL. */
function emailOf(delegate: string): string {
  return delegate.replace(/^projects\/[^/]+\/serviceAccounts\//, '');
}
