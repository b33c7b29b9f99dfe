// Reading a credentials JSON, whatever its type: raw or base64, size, and the
// checks of its fields. Errors name the input and the field but never quote
// any of the value: it is a secret.
import { ActionError } from '../errors.ts';
import { hasShape } from '../untrusted.ts';

/** Far above any real credentials file (a service-account key is about 2.3 KB). */
export const MAX_CREDENTIALS_BYTES = 64 * 1024;

const SECRET_HOWTO =
  'Store the whole file as a repository secret, e.g. `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`, and pass it as credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}.';

/**
 * Where a credentials JSON came from, as messages name it, and how its user
 * hands gemini-auth a complete one: the Action's input credentials_json, or the
 * CLI's file or variable.
 */
export interface CredentialsOrigin {
  /** The JSON after its type: `The authorized_user credentials_json lacks ...`. */
  readonly name: string;
  /** The raw text after "The": `The input credentials_json is not valid JSON`. */
  readonly subject: string;
  /** A fix: how to store or pass the whole file. */
  readonly howto: string;
  /** The end of a fix after new credentials were created: "then <store>". */
  readonly store: string;
}

export const ACTION_CREDENTIALS: CredentialsOrigin = {
  name: 'credentials_json',
  subject: 'input credentials_json',
  howto: SECRET_HOWTO,
  store: '`gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`',
};

/** The JSON object of credentials_json, given raw or base64. */
export function readJsonObject(input: string, origin: CredentialsOrigin = ACTION_CREDENTIALS): Record<string, unknown> {
  if (input.length > MAX_CREDENTIALS_BYTES) {
    throw new ActionError(`The ${origin.subject} is ${input.length} characters long; a credentials JSON is a few kilobytes.`, origin.howto);
  }
  const value = decodeCredentialsJson(input);
  if (value === undefined) {
    throw new ActionError(`The ${origin.subject} is not valid JSON, nor base64 of JSON (its content is not shown: it is a secret).`, origin.howto);
  }
  if (!isObject(value) || Array.isArray(value)) {
    throw new ActionError(`The ${origin.subject} must hold a JSON object, the content of a credentials file.`, origin.howto);
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
export function requireStrings(json: Record<string, unknown>, type: string, fields: readonly string[], origin: CredentialsOrigin, fix = 'Store the complete credentials file, unchanged.'): void {
  for (const field of fields) {
    const value = json[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ActionError(value === undefined ? `The ${type} ${origin.name} lacks the field ${field}.` : `The ${type} ${origin.name} has an empty or non-text field ${field}.`, fix);
    }
  }
}

/** Each field, where present, must be text. */
export function optionalStrings(json: Record<string, unknown>, type: string, fields: readonly string[], origin: CredentialsOrigin): void {
  for (const field of fields) {
    if (json[field] !== undefined && json[field] !== null && typeof json[field] !== 'string') {
      throw new ActionError(`The ${type} ${origin.name} has a field ${field} that is not text.`, 'Store the credentials file unchanged.');
    }
  }
}

/**
 * Each project field, where present, must be a name without characters a
 * header or a shell treats specially: it becomes a request header and
 * variables for later steps. (The inputs of the same name must be project IDs;
 * outputs and variables take only those, see main.ts.)
 */
export function optionalProjectIds(json: Record<string, unknown>, type: string, fields: readonly string[], origin: CredentialsOrigin): void {
  optionalStrings(json, type, fields, origin);
  for (const field of fields) {
    const value = json[field];
    if (typeof value === 'string' && value !== '' && !hasShape('identifier', value)) {
      throw new ActionError(`The ${type} ${origin.name} has a field ${field} that is not a project ID.`, 'Store the credentials file unchanged, or set the input of the same name to the project ID to use instead.');
    }
  }
}
