// Every credentials JSON type gemini-auth takes, each known by its own module.
// A new type is one module added to TYPES.
import { ActionError } from '../errors.ts';
import { maskSecret } from '../secrets.ts';
import { untrusted } from '../untrusted.ts';
import { authorizedUser, isQuickstartTokenJson } from './authorized-user.ts';
import { externalAccountAuthorizedUser } from './external-account-authorized-user.ts';
import { externalAccount } from './external-account.ts';
import { impersonatedServiceAccount } from './impersonated-service-account.ts';
import { IMPERSONATION_SOURCE_SCOPES, withImpersonation } from './impersonation.ts';
import { ACTION_CREDENTIALS, decodeCredentialsJson, isObject, readJsonObject, type CredentialsOrigin } from './json.ts';
import { serviceAccount } from './service-account.ts';
import type { CredentialsJson, CredentialType, Registry } from './types.ts';

const TYPES: readonly CredentialType<CredentialsJson>[] = [authorizedUser, serviceAccount, externalAccount, externalAccountAuthorizedUser, impersonatedServiceAccount] as never;

function typeOf(name: unknown): CredentialType<CredentialsJson> | undefined {
  return TYPES.find((type) => type.type === name);
}

export const registry: Registry = {
  validate(json, nested, origin) {
    if (json.type === undefined && (isObject(json.installed) || isObject(json.web))) {
      throw new ActionError(
        `The ${origin.subject} holds an OAuth client file (client_secret.json), not credentials.`,
        'Turn it into credentials with `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever`, then store the file that command writes. ' + origin.howto,
      );
    }
    // The quickstart's token.json is an authorized user's credentials without a type; its module says so in the log.
    if (isQuickstartTokenJson(json)) return authorizedUser.validate(json, registry, origin);
    if (json.type === 'gdch_service_account') {
      throw new ActionError(
        `The ${nested ? `source_credentials of the impersonated_service_account ${origin.name}` : origin.subject} is a gdch_service_account key: it signs in to Google Distributed Cloud (air-gapped), whose tokens Google Cloud's APIs, the Gemini API among them, do not take.`,
        'For Google Cloud, use a service_account key (`gcloud iam service-accounts keys create key.json --iam-account=EMAIL`), or better, workload_identity_provider with service_account, which needs no key.',
      );
    }
    const type = typeOf(json.type);
    if (!type) {
      throw new ActionError(
        typeof json.type === 'string'
          ? `The ${origin.subject} has type "${untrusted(json.type, 40)}", which gemini-auth does not take.`
          : `The ${origin.subject} has no "type" field: it is not a Google credentials file.`,
        'Use an authorized_user file (from `gcloud auth application-default login`), a service_account key, an external_account configuration, an external_account_authorized_user file (from `gcloud auth application-default login --login-config=...`), or an impersonated_service_account file whose source_credentials is one of those; or use workload_identity_provider instead.',
      );
    }
    return type.validate(json, registry, origin);
  },
  source(json, options, target) {
    // validate() let through only types that TYPES knows.
    const type = typeOf(json.type) as CredentialType<CredentialsJson>;
    if (!target) return type.source(json, options, registry);
    if (type.impersonating) return type.impersonating(json, options, target);
    return withImpersonation(type.source(json, { ...options, scopes: IMPERSONATION_SOURCE_SCOPES }, registry), target);
  },
};

/** Parses credentials_json, given raw or base64, into a credentials JSON of a type gemini-auth takes; errors name `origin`. */
export function parseCredentialsJson(input: string, origin: CredentialsOrigin = ACTION_CREDENTIALS): CredentialsJson {
  return registry.validate(readJsonObject(input, origin), false, origin);
}

/** Fields that hold a secret in any type, also nested (an OAuth client file, an impersonation source). */
const SECRET_FIELDS = new Set(['client_secret', ...TYPES.flatMap((type) => type.secretFields)]);
/** No credentials file nests deeper; the bound keeps the walk of a hostile input short. */
const MAX_DEPTH = 8;

/**
 * The values in a credentials JSON that must never be printed, whatever its
 * type and whether or not it is valid: each secret field's text, or every
 * text inside it (a credential source's request headers).
 */
export function secretValues(json: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!isObject(value) || depth > MAX_DEPTH) return;
    for (const [key, field] of Object.entries(value)) {
      if (typeof field === 'string' && SECRET_FIELDS.has(key)) found.push(field);
      else if (SECRET_FIELDS.has(key) && isObject(field)) found.push(...Object.values(field).filter((inner) => typeof inner === 'string'));
      else visit(field, depth + 1);
    }
  };
  visit(json, 0);
  return found;
}

/**
 * Masks a raw secret input before it is parsed: the whole value, each line
 * long enough to be secret (short lines of a JSON file are braces and keys),
 * and, where it holds a credentials JSON (raw or base64, valid or not), each
 * secret value in it with all its forms.
 */
export function maskRawInput(text: string, mask: (secret: string) => void): void {
  if (text.trim() === '') return;
  mask(text.trim());
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) {
    for (const line of lines) if (line.length >= 24 && !line.startsWith('-----')) mask(line);
  }
  for (const secret of secretValues(decodeCredentialsJson(text))) maskSecret(secret, mask);
}
