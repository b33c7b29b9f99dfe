// external_account: a workload or workforce identity federation configuration.
// Its credential_source yields a subject token (credential-source.ts), which one
// STS exchange turns into a federated token, and one generateAccessToken call,
// when the configuration or the input service_account says so, into a service
// account's: the same protocol layer, retries and deadline as every other type.
// The ADC file is again an external_account, with any impersonation in
// service_account_impersonation_url, the shape every Google client reads.
import { checkSecretUrl, chooseFileUrl, generateAccessTokenUrl, impersonatedAccountOf, stsIntrospectUrl, stsTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { stsExchange, STS_SERVICE } from '../google/sts.ts';
import { decodeJwtClaims, federatedExpiry, type MintedToken } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import type { FileSettings } from './adc-file.ts';
import { fetchSubjectToken, type SubjectToken } from './credential-source.ts';
import { MAX_TIMEOUT_MILLIS, MIN_TIMEOUT_MILLIS } from './executable-source.ts';
import { impersonate, IMPERSONATION_SOURCE_SCOPES, preconnectImpersonation, projectOfServiceAccount } from './impersonation.ts';
import { ACTION_CREDENTIALS, isObject, optionalProjectIds, optionalStrings, requireStrings } from './json.ts';
import type { CredentialType, ImpersonationTarget, MintContext, SourceOptions, TokenSource } from './types.ts';

export interface ExternalAccountJson {
  readonly type: 'external_account';
  readonly audience: string;
  readonly subject_token_type: string;
  readonly credential_source: Readonly<Record<string, unknown>>;
  readonly token_url?: string;
  readonly token_info_url?: string;
  readonly service_account_impersonation_url?: string;
  readonly service_account_impersonation?: { readonly token_lifetime_seconds?: number };
  readonly workforce_pool_user_project?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly [field: string]: unknown;
}

const TYPE = 'external_account';
const SERVICE = 'The external account token exchange';
const CREATE_CONFIG = 'create the configuration with `gcloud iam workload-identity-pools create-cred-config` and store it unchanged';
const SOURCE_KINDS = ['file', 'url', 'executable', 'certificate'] as const;
const WORKFORCE_AUDIENCE = /^\/\/iam\.[^/]+\/locations\/[^/]+\/workforcePools\/[^/]+\/providers\/.+$/;

export const externalAccount: CredentialType<ExternalAccountJson> = {
  type: TYPE,
  // Credential sources send API keys and the like as request headers.
  secretFields: ['headers'],

  validate(json, _registry, origin) {
    requireStrings(json, TYPE, ['audience', 'subject_token_type'], origin);
    optionalStrings(json, TYPE, ['token_url', 'token_info_url', 'service_account_impersonation_url', 'client_id', 'client_secret', 'universe_domain'], origin);
    optionalProjectIds(json, TYPE, ['quota_project_id', 'workforce_pool_user_project'], origin);
    validateCredentialSource(json.credential_source, origin.name);
    if (json.workforce_pool_user_project && !WORKFORCE_AUDIENCE.test(json.audience as string)) {
      throw new ActionError(
        `The ${TYPE} ${origin.name} sets workforce_pool_user_project, which only workforce pools take, and its audience names no workforce pool provider (//iam.googleapis.com/locations/global/workforcePools/POOL/providers/PROVIDER).`,
        'Remove workforce_pool_user_project from a workload identity pool configuration; for a workforce pool, correct the audience.',
      );
    }
    if (json.service_account_impersonation_url !== undefined && json.service_account_impersonation_url !== null && !impersonatedAccountOf(json.service_account_impersonation_url as string)) {
      throw new ActionError(`The ${TYPE} ${origin.name} has a service_account_impersonation_url that names no service account (…/serviceAccounts/EMAIL:generateAccessToken).`, `Correct it, or ${CREATE_CONFIG}.`);
    }
    const lifetime = (json.service_account_impersonation as Record<string, unknown> | undefined)?.token_lifetime_seconds;
    if (lifetime !== undefined && (!Number.isInteger(lifetime) || (lifetime as number) < 1 || (lifetime as number) > 43200)) {
      throw new ActionError(`The ${TYPE} ${origin.name} has a service_account_impersonation.token_lifetime_seconds that is not a number of seconds from 1 to 43200.`, 'Give it a whole number of seconds such as 3600, or remove it and use the input access_token_lifetime.');
    }
    return json as ExternalAccountJson;
  },

  source(json, options) {
    const account = impersonatedAccountOf(json.service_account_impersonation_url);
    const fileLifetime = json.service_account_impersonation?.token_lifetime_seconds;
    // access_token_lifetime, when set, wins over the configuration's lifetime, as the input scopes win over a file's.
    const lifetimeSeconds = options.lifetimeSet || fileLifetime === undefined ? options.lifetimeSeconds : fileLifetime;
    const target = account ? { serviceAccount: account, delegates: [], scopes: options.scopes, lifetimeSeconds } : undefined;
    return externalAccountSource(json, options, target);
  },

  // The input service_account (or an impersonated_service_account file's) goes into the configuration's own impersonation, which every client reads.
  impersonating(json, options, target) {
    const own = impersonatedAccountOf(json.service_account_impersonation_url);
    if (own || target.delegates.length) {
      throw new ActionError(
        `The ${TYPE} ${(options.origin ?? ACTION_CREDENTIALS).name} cannot impersonate ${target.serviceAccount} ${own ? `on top of ${own}, which it impersonates already` : 'through delegates'}: its credentials file for later steps names one service account to impersonate, and no chain.`,
        `Impersonate one service account, named once: leave service_account (and delegates) unset to use the configuration as it is, or remove its service_account_impersonation_url and set service_account; grant the federated identity roles/iam.workloadIdentityUser on that account itself.`,
      );
    }
    return externalAccountSource(json, options, target);
  },
};

function externalAccountSource(json: ExternalAccountJson, options: SourceOptions, target: ImpersonationTarget | undefined): TokenSource {
  return {
    authType: TYPE,
    description: `${TYPE} configuration for ${untrusted(json.audience, 200)}${target ? `, impersonating ${target.serviceAccount}` : ''}`,
    projectId: target ? projectOfServiceAccount(target.serviceAccount) : undefined,
    quotaProjectId: json.quota_project_id || json.workforce_pool_user_project || undefined,
    mint: (context) => mint(json, options.scopes, target, context, (options.origin ?? ACTION_CREDENTIALS).name),
    credentialsFile: (settings) => credentialsFile(json, target, settings),
    // Its header values need not be secret: the configuration is bound as a whole, keyed by cache_encryption_key alone.
    cacheBinding: { secrets: [], facts: { type: TYPE, configuration: json, scopes: options.scopes, ...(target ? { impersonate: target } : {}) } },
  };
}

/** `name` names the JSON in errors. */
async function mint(json: ExternalAccountJson, scopes: readonly string[], target: ImpersonationTarget | undefined, context: MintContext, name: string): Promise<MintedToken> {
  const { url, ignoredHost } = chooseFileUrl(context.endpoints, 'sts', json.token_url, stsTokenUrl(context.endpoints));
  if (ignoredHost) context.log.info(`Not using the configuration's token_url (host ${ignoredHost}): tokens go only to Google's Security Token Service or the endpoints input's sts, so the exchange goes to ${url}.`);
  const fileLifetime = json.service_account_impersonation?.token_lifetime_seconds;
  if (target && fileLifetime !== undefined && fileLifetime !== target.lifetimeSeconds) {
    context.log.info(`The input access_token_lifetime (${target.lifetimeSeconds}s) is used instead of the configuration's service_account_impersonation.token_lifetime_seconds (${fileLifetime}s).`);
  }
  if (target) preconnectImpersonation(target, context);
  let subject: SubjectToken | undefined;
  const federated = await stsExchange(
    {
      url,
      audience: json.audience,
      // A token that will only impersonate needs nothing but cloud-platform.
      scopes: target ? IMPERSONATION_SOURCE_SCOPES : scopes,
      subjectTokenType: json.subject_token_type,
      subjectToken: async () => (subject = await fetchSubjectToken(json, name, target?.serviceAccount, context)).token,
      agent: () => subject?.agent,
      ...(json.client_id ? { headers: { authorization: `Basic ${Buffer.from(`${json.client_id}:${json.client_secret ?? ''}`).toString('base64')}` } } : {}),
      // Client auth takes the place of the workforce user project, as in Google's libraries.
      ...(json.workforce_pool_user_project && !json.client_id ? { options: { userProject: json.workforce_pool_user_project } } : {}),
      explain: (error) => explainStsError(error, json, name),
    },
    context,
  );
  const subjectToken = subject?.token ?? '';
  // A claim of the subject token: text from outside.
  const claim = decodeJwtClaims(subjectToken).sub;
  const sub = typeof claim === 'string' ? untrusted(claim) : undefined;
  if (!target) return { accessToken: federated.accessToken, expiresAt: federatedExpiry(federated.expiresAt, subjectToken), principal: sub, scopes: federated.scopes };
  // The member to name if impersonation is denied: the subject where the token names it, else the whole pool.
  const pool = json.audience.replace(/^\/\/iam\.[^/]+\//, '').replace(/\/providers\/.*$/, '');
  const member = sub !== undefined ? `principal://iam.googleapis.com/${pool}/subject/${sub}` : `principalSet://iam.googleapis.com/${pool}/*`;
  return impersonate(federated.accessToken, member, target, context);
}

/** The configuration with the URLs this step used (our endpoint overrides: Private Service Connect) and its impersonation, for later steps. */
function credentialsFile(json: ExternalAccountJson, target: ImpersonationTarget | undefined, settings: FileSettings): Record<string, unknown> {
  const { endpoints } = settings;
  const { service_account_impersonation_url: _url, service_account_impersonation: _lifetime, token_info_url: infoUrl, quota_project_id: _quota, universe_domain: _universe, ...rest } = json;
  const overridesSts = endpoints.overridden.has('sts');
  return {
    ...rest,
    token_url: chooseFileUrl(endpoints, 'sts', json.token_url, stsTokenUrl(endpoints)).url,
    // gcloud introspects federated tokens at token_info_url, by default at Google's STS.
    ...(overridesSts || infoUrl ? { token_info_url: chooseFileUrl(endpoints, 'sts', infoUrl, stsIntrospectUrl(endpoints)).url } : {}),
    ...(target
      ? {
          service_account_impersonation_url: generateAccessTokenUrl(endpoints, target.serviceAccount),
          ...(target.lifetimeSeconds !== 3600 ? { service_account_impersonation: { token_lifetime_seconds: target.lifetimeSeconds } } : {}),
        }
      : {}),
  };
}

/** The checks google-auth-library makes of a credential_source, made up front with the field named and the fix. */
/** `name` names the JSON in errors: credentials_json, or where the CLI read it. */
function validateCredentialSource(source: unknown, name: string): void {
  if (!isObject(source) || Array.isArray(source)) {
    throw new ActionError(
      `The ${TYPE} ${name} lacks the object credential_source, which says where its subject token comes from.`,
      `Give it a credential_source (a file, url, executable, environment_id or certificate), or ${CREATE_CONFIG}. In GitHub Actions, workload_identity_provider needs no configuration at all.`,
    );
  }
  if (source.environment_id !== undefined) return validateAws(source, name);
  const kinds = SOURCE_KINDS.filter((kind) => source[kind] !== undefined && source[kind] !== null);
  if (kinds.length !== 1) {
    throw new ActionError(
      kinds.length === 0
        ? `The credential_source of the ${TYPE} ${name} names no source of a subject token.`
        : `The credential_source of the ${TYPE} ${name} names ${kinds.length} sources (${kinds.join(' and ')}), and takes one.`,
      `Give credential_source exactly one of file, url, executable, environment_id (AWS) or certificate, or ${CREATE_CONFIG}.`,
    );
  }
  const [kind] = kinds;
  if (kind === 'executable') return validateExecutable(source.executable, name);
  if (kind === 'certificate') return validateCertificate(source.certificate, name);
  if (typeof source[kind as string] !== 'string' || source[kind as string] === '') {
    throw new ActionError(`The credential_source.${kind} of the ${TYPE} ${name} is not text.`, `Give the ${kind === 'file' ? 'path of the token file' : 'URL that answers the token'}, or ${CREATE_CONFIG}.`);
  }
  if (kind === 'url') checkSourceUrls(source, name);
  validateFormat(source.format, name);
}

function validateFormat(format: unknown, name: string): void {
  if (format === undefined || format === null) return;
  const type = isObject(format) ? (format.type ?? 'text') : format;
  if (type !== 'text' && type !== 'json') {
    throw new ActionError(`The credential_source.format.type of the ${TYPE} ${name} is ${untrusted(JSON.stringify(type) ?? 'not text', 40)}, and it takes text or json.`, 'Set format.type to text (the whole answer is the token) or json (with subject_token_field_name naming the field that holds it).');
  }
  if (type === 'json' && (typeof (format as Record<string, unknown>).subject_token_field_name !== 'string' || (format as Record<string, unknown>).subject_token_field_name === '')) {
    throw new ActionError(`The credential_source.format of the ${TYPE} ${name} is json without subject_token_field_name.`, 'Set format.subject_token_field_name to the field of the JSON answer that holds the token (for a GitHub OIDC token: value).');
  }
}

function validateAws(source: Record<string, unknown>, name: string): void {
  if (source.environment_id !== 'aws1') {
    throw new ActionError(
      `The credential_source.environment_id of the ${TYPE} ${name} is ${untrusted(JSON.stringify(source.environment_id) ?? '', 40)}, and Google's client libraries know only aws1.`,
      `Set environment_id to aws1 for an AWS source (other environment IDs are not defined), or ${CREATE_CONFIG}.`,
    );
  }
  if (typeof source.regional_cred_verification_url !== 'string' || source.regional_cred_verification_url === '') {
    throw new ActionError(`The AWS credential_source of the ${TYPE} ${name} lacks regional_cred_verification_url.`, `Add it (https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15), or ${CREATE_CONFIG}.`);
  }
  checkSourceUrls(source, name);
}

/**
 * The URLs a credential source is read from get its headers (an API key, say)
 * and answer the subject token: https, plain http only to a loopback host or to
 * a cloud VM's metadata address (AWS and Azure configurations use it).
 */
function checkSourceUrls(source: Record<string, unknown>, name: string): void {
  for (const field of ['url', 'region_url', 'imdsv2_session_token_url']) {
    if (typeof source[field] === 'string') checkSecretUrl(source[field], `The field credential_source.${field} of the ${TYPE} ${name}`, `Or ${CREATE_CONFIG}.`, { metadataServer: true });
  }
}

function validateExecutable(executable: unknown, name: string): void {
  const config = (isObject(executable) ? executable : {}) as Record<string, unknown>;
  if (typeof config.command !== 'string' || config.command.trim() === '') {
    throw new ActionError(`The credential_source.executable of the ${TYPE} ${name} has no command.`, 'Set executable.command to the command line that prints the executable response (a full path, with its arguments).');
  }
  const timeout = config.timeout_millis;
  if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < MIN_TIMEOUT_MILLIS || (timeout as number) > MAX_TIMEOUT_MILLIS)) {
    throw new ActionError(
      `The credential_source.executable.timeout_millis of the ${TYPE} ${name} is ${untrusted(JSON.stringify(timeout) ?? '', 20)}, outside what Google's client libraries take.`,
      `Give a whole number of milliseconds from ${MIN_TIMEOUT_MILLIS} to ${MAX_TIMEOUT_MILLIS}, or remove it for the default of 30000.`,
    );
  }
  if (config.output_file !== undefined && typeof config.output_file !== 'string') {
    throw new ActionError(`The credential_source.executable.output_file of the ${TYPE} ${name} is not a path.`, 'Give the path of the file where the command caches its response, or remove it.');
  }
}

function validateCertificate(certificate: unknown, name: string): void {
  const config = (isObject(certificate) ? certificate : {}) as Record<string, unknown>;
  const useDefault = config.use_default_certificate_config === true;
  const location = typeof config.certificate_config_location === 'string' && config.certificate_config_location !== '';
  if (useDefault === location) {
    throw new ActionError(
      `The credential_source.certificate of the ${TYPE} ${name} ${useDefault ? 'names both use_default_certificate_config and certificate_config_location' : 'names no certificate configuration'}.`,
      'Set exactly one of certificate_config_location (the path of a certificate configuration naming cert_path and key_path) and use_default_certificate_config: true (gcloud\'s certificate_config.json).',
    );
  }
}

function explainStsError(error: GoogleError, json: ExternalAccountJson, name: string): ActionError {
  const said = summarize(error);
  const audience = untrusted(json.audience, 200);
  if (error.oauthError === 'invalid_target') {
    return new ActionError(`The provider of the ${TYPE} ${name}'s audience ${audience} does not exist or is disabled (${said}).`, `Check the audience: //iam.googleapis.com/ followed by the provider's full name; or ${CREATE_CONFIG}.`);
  }
  if (error.oauthError === 'invalid_client' || (error.oauthError === 'unauthorized_client' && json.client_id)) {
    return new ActionError(`${STS_SERVICE} rejected the client_id and client_secret of the ${TYPE} ${name} (${said}).`, 'Check client_id and client_secret against the OAuth client of the workforce pool, or remove both to send workforce_pool_user_project instead.');
  }
  if (error.oauthError === 'invalid_grant' || error.oauthError === 'unauthorized_client') {
    return new ActionError(
      `${STS_SERVICE} rejected the subject token of the ${TYPE} ${name} (${said}).`,
      "Compare what the credential_source yields with the provider: its issuer, allowed audiences, attribute mapping and condition (`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global`), and the configuration's subject_token_type.",
    );
  }
  return new ActionError(`${SERVICE} was refused (${said}).`, 'Check the audience, credential_source and service_account_impersonation_url of the external_account configuration.');
}
