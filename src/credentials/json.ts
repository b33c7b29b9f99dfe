// Reading a credentials JSON, whatever its type: raw or base64, size, and the
// checks of its fields. Errors name the input and the field but never quote
// any of the value: it is a secret.
import { ActionError } from '../errors.ts';
import { hasShape } from '../untrusted.ts';

/** Far above any real credentials file (a service-account key is about 2.3 KB). */
export const MAX_CREDENTIALS_BYTES = 64 * 1024;

export const SECRET_HOWTO =
  'Store the whole file as a repository secret, e.g. `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`, and pass it as credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}.';

/** The JSON object of credentials_json, given raw or base64. */
export function readJsonObject(input: string): Record<string, unknown> {
  if (input.length > MAX_CREDENTIALS_BYTES) {
    throw new ActionError(`The input credentials_json is ${input.length} characters long; a credentials JSON is a few kilobytes.`, SECRET_HOWTO);
  }
  const value = decodeCredentialsJson(input);
  if (value === undefined) {
    throw new ActionError('The input credentials_json is not valid JSON, nor base64 of JSON (its content is not shown: it is a secret).', SECRET_HOWTO);
  }
  if (!isObject(value) || Array.isArray(value)) {
    throw new ActionError('The input credentials_json must hold a JSON object, the content of a credentials file.', SECRET_HOWTO);
  }
  return value as Record<string, unknown>;
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Each field must be non-empty text; `fix` says where a complete file comes from. */
export function requireStrings(json: Record<string, unknown>, type: string, fields: readonly string[], fix = 'Store the complete credentials file, unchanged.'): void {
  for (const field of fields) {
    const value = json[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ActionError(`The ${type} credentials_json ${value === undefined ? 'lacks the field' : 'has an empty or non-text field'} ${field}.`, fix);
    }
  }
}

/** Each field, where present, must be text. */
export function optionalStrings(json: Record<string, unknown>, type: string, fields: readonly string[]): void {
  for (const field of fields) {
    if (json[field] !== undefined && json[field] !== null && typeof json[field] !== 'string') {
      throw new ActionError(`The ${type} credentials_json has a field ${field} that is not text.`, 'Store the credentials file unchanged.');
    }
  }
}

/**
 * Each project field, where present, must be a name without characters a
 * header or a shell treats specially: it becomes a request header and
 * variables for later steps. (The inputs of the same name must be project IDs;
 * outputs and variables take only those, see main.ts.)
 */
export function optionalProjectIds(json: Record<string, unknown>, type: string, fields: readonly string[]): void {
  optionalStrings(json, type, fields);
  for (const field of fields) {
    const value = json[field];
    if (typeof value === 'string' && value !== '' && !hasShape('identifier', value)) {
      throw new ActionError(`The ${type} credentials_json has a field ${field} that is not a project ID.`, 'Store the credentials file unchanged, or set the input of the same name to the project ID to use instead.');
    }
  }
}
