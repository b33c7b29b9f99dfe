import { impersonatedAccountOf } from './endpoints.ts';
import { ActionError } from './errors.ts';

export interface AuthorizedUserJson {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  quota_project_id?: string;
  universe_domain?: string;
  account?: string;
}

export interface ServiceAccountJson {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  quota_project_id?: string;
  universe_domain?: string;
  token_uri?: string;
}

export interface ExternalAccountJson {
  type: 'external_account';
  audience: string;
  subject_token_type: string;
  token_url?: string;
  service_account_impersonation_url?: string;
  quota_project_id?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** What `gcloud auth application-default login --impersonate-service-account` writes, and our ADC file with impersonation. */
export interface ImpersonatedServiceAccountJson {
  type: 'impersonated_service_account';
  service_account_impersonation_url: string;
  source_credentials: SourceCredentialsJson;
  /** Emails, or `projects/-/serviceAccounts/EMAIL` names. */
  delegates?: string[];
  quota_project_id?: string;
  universe_domain?: string;
}

/** Credentials that mint a token of their own, without impersonating anyone. */
export type SourceCredentialsJson = AuthorizedUserJson | ServiceAccountJson | ExternalAccountJson;
export type CredentialsJson = SourceCredentialsJson | ImpersonatedServiceAccountJson;

/** Far above any real credentials file (a service-account key is about 2.3 KB). */
export const MAX_CREDENTIALS_BYTES = 64 * 1024;

const SECRET_HOWTO =
  'Store the whole file as a repository secret, e.g. `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`, and pass it as credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}.';

/**
 * Parses credentials_json, given raw or base64-encoded. Errors name the input
 * and the field but never quote any of the value: it is a secret.
 */
export function parseCredentialsJson(input: string): CredentialsJson {
  if (input.length > MAX_CREDENTIALS_BYTES) {
    throw new ActionError(`The input credentials_json is ${input.length} characters long; a credentials JSON is a few kilobytes.`, SECRET_HOWTO);
  }
  const value = decodeCredentialsJson(input);
  if (value === undefined) {
    throw new ActionError('The input credentials_json is not valid JSON, nor base64 of JSON (its content is not shown: it is a secret).', SECRET_HOWTO);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ActionError('The input credentials_json must hold a JSON object, the content of a credentials file.', SECRET_HOWTO);
  }
  return validate(value as Record<string, unknown>, true);
}

/** The JSON value of credentials_json, raw or base64; undefined when it is neither. */
export function decodeCredentialsJson(input: string): unknown {
  try {
    return JSON.parse(decodeText(input)) as unknown;
  } catch {
    return undefined;
  }
}

function decodeText(input: string): string {
  const text = stripBom(input).trim();
  if (text.startsWith('{') || text === '') return text;
  const compact = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const decoded = stripBom(Buffer.from(compact, 'base64').toString('utf8')).trim();
    if (decoded.startsWith('{')) return decoded;
  }
  return text;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function validate(json: Record<string, unknown>, topLevel: boolean): CredentialsJson {
  const type = json.type;
  if (type === undefined && (isObject(json.installed) || isObject(json.web))) {
    throw new ActionError(
      'The input credentials_json holds an OAuth client file (client_secret.json), not credentials.',
      'Turn it into credentials with `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever`, then store the file that command writes. ' + SECRET_HOWTO,
    );
  }
  switch (type) {
    case 'authorized_user':
      requireStrings(json, type, ['client_id', 'client_secret', 'refresh_token']);
      optionalStrings(json, type, ['quota_project_id', 'universe_domain', 'account']);
      return json as unknown as AuthorizedUserJson;
    case 'service_account':
      requireStrings(json, type, ['client_email', 'private_key']);
      optionalStrings(json, type, ['private_key_id', 'project_id', 'quota_project_id', 'universe_domain', 'token_uri']);
      if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(json.private_key as string)) {
        throw new ActionError('The field private_key of the service_account credentials_json is not a PEM private key.', 'Create a new key (`gcloud iam service-accounts keys create key.json --iam-account=EMAIL`) and store the file unchanged.');
      }
      return json as unknown as ServiceAccountJson;
    case 'external_account':
      requireStrings(json, type, ['audience', 'subject_token_type']);
      optionalStrings(json, type, ['token_url', 'service_account_impersonation_url', 'quota_project_id', 'universe_domain']);
      return json as ExternalAccountJson;
    case 'impersonated_service_account':
      if (!topLevel) {
        throw new ActionError('The source_credentials of the impersonated_service_account credentials_json impersonates again.', 'Name the whole chain in one file: the source credentials, the final service account in service_account_impersonation_url, and the ones between in delegates.');
      }
      return validateImpersonated(json);
    default:
      throw new ActionError(
        typeof type === 'string'
          ? `The input credentials_json has type "${type.slice(0, 40)}", which gemini-auth does not take.`
          : 'The input credentials_json has no "type" field: it is not a Google credentials file.',
        'Use an authorized_user file (from `gcloud auth application-default login`), a service_account key, an external_account configuration, or an impersonated_service_account file whose source_credentials is one of those; or use workload_identity_provider instead.',
      );
  }
}

const IMPERSONATED_FIX = 'Store the file that `gcloud auth application-default login --impersonate-service-account=EMAIL` writes, unchanged.';

function validateImpersonated(json: Record<string, unknown>): ImpersonatedServiceAccountJson {
  const type = 'impersonated_service_account';
  requireStrings(json, type, ['service_account_impersonation_url']);
  optionalStrings(json, type, ['quota_project_id', 'universe_domain']);
  if (!impersonatedAccountOf(json.service_account_impersonation_url as string)) {
    throw new ActionError(`The ${type} credentials_json has a service_account_impersonation_url that names no service account (…/serviceAccounts/EMAIL:generateAccessToken).`, IMPERSONATED_FIX);
  }
  const delegates = json.delegates ?? [];
  if (!Array.isArray(delegates) || !delegates.every((delegate) => typeof delegate === 'string')) {
    throw new ActionError(`The ${type} credentials_json has a field delegates that is not a list of service account emails.`, IMPERSONATED_FIX);
  }
  if (!isObject(json.source_credentials) || Array.isArray(json.source_credentials)) {
    throw new ActionError(`The ${type} credentials_json lacks the object source_credentials.`, IMPERSONATED_FIX);
  }
  const source = validate(json.source_credentials as Record<string, unknown>, false) as SourceCredentialsJson;
  return { ...(json as unknown as ImpersonatedServiceAccountJson), source_credentials: source, delegates: delegates as string[] };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function requireStrings(json: Record<string, unknown>, type: string, fields: string[]): void {
  for (const field of fields) {
    const value = json[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ActionError(
        `The ${type} credentials_json ${value === undefined ? 'lacks the field' : 'has an empty or non-text field'} ${field}.`,
        type === 'authorized_user'
          ? 'Store the complete file that `gcloud auth application-default login --client-id-file=client_secret.json` writes (~/.config/gcloud/application_default_credentials.json), unchanged.'
          : 'Store the complete credentials file, unchanged.',
      );
    }
  }
}

function optionalStrings(json: Record<string, unknown>, type: string, fields: string[]): void {
  for (const field of fields) {
    if (json[field] !== undefined && json[field] !== null && typeof json[field] !== 'string') {
      throw new ActionError(`The ${type} credentials_json has a field ${field} that is not text.`, 'Store the credentials file unchanged.');
    }
  }
}

/** Fields that hold a secret in the files Google writes, also nested (an OAuth client file, an impersonation source). */
const SECRET_FIELDS = new Set(['client_secret', 'refresh_token', 'private_key']);
/** No credentials file nests deeper; the bound keeps the walk of a hostile input short. */
const MAX_DEPTH = 8;

/**
 * The values in a credentials JSON that must never be printed, whatever its
 * type and whether or not it is valid: the secret fields, and every request
 * header of a credential source (external accounts send API keys that way).
 */
export function secretValues(json: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!isObject(value) || depth > MAX_DEPTH) return;
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (typeof field === 'string' && SECRET_FIELDS.has(key)) found.push(field);
      else if (key === 'headers' && isObject(field)) found.push(...Object.values(field as Record<string, unknown>).filter((header) => typeof header === 'string'));
      else visit(field, depth + 1);
    }
  };
  visit(json, 0);
  return found;
}
