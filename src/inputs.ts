import { ActionError } from './errors.ts';
import { hasShape, untrusted } from './untrusted.ts';

/**
 * The action's inputs, with the same defaults as action.yml: outside a runner
 * (local runs, tests) nobody applies those, so the code does.
 */
export const INPUT_DEFAULTS = {
  credentials_json: '',
  workload_identity_provider: '',
  service_account: '',
  audience: '',
  delegates: '',
  scopes: 'https://www.googleapis.com/auth/cloud-platform, https://www.googleapis.com/auth/generative-language.retriever',
  access_token_scopes: '',
  project_id: '',
  quota_project_id: '',
  access_token_lifetime: '3600s',
  create_credentials_file: 'true',
  credentials_file_dir: '',
  export_environment_variables: 'true',
  cleanup_credentials: 'true',
  verify: 'false',
  verify_model: '',
  gemini_api: 'generativelanguage',
  vertex_location: 'global',
  cache: 'false',
  cache_encryption_key: '',
  min_token_lifetime: '600',
  retries: '3',
  request_timeout: '15',
  timeout: '120',
  universe: 'googleapis.com',
  endpoints: '',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export type InputReader = (name: InputName) => string;

/** Which Gemini API verify checks and later steps are set up for: the Gemini API, or Gemini on Vertex AI. */
export type GeminiApi = 'generativelanguage' | 'vertex';

export interface Inputs {
  credentialsJson: string;
  workloadIdentityProvider: string;
  serviceAccount: string;
  audience: string;
  delegates: string[];
  scopes: string[];
  /** The input scopes differs from its default, so it wins over scopes a credentials file names (on a runner, defaults arrive as values). */
  scopesSet: boolean;
  projectId: string;
  quotaProjectId: string;
  accessTokenLifetimeSeconds: number;
  /** The input access_token_lifetime differs from its default, so it wins over a lifetime a credentials file names. */
  accessTokenLifetimeSet: boolean;
  createCredentialsFile: boolean;
  credentialsFileDir: string;
  exportEnvironmentVariables: boolean;
  cleanupCredentials: boolean;
  verify: boolean;
  verifyModel: string;
  geminiApi: GeminiApi;
  vertexLocation: string;
  cache: boolean;
  cacheEncryptionKey: string;
  minTokenLifetimeSeconds: number;
  retries: number;
  requestTimeoutMs: number;
  timeoutMs: number;
  universe: string;
  endpoints: string;
}

/** A yes-or-no input's value: `text` is the input, or its default where it is unset. */
export type BooleanReader = (name: InputName, text: string) => boolean;

/**
 * How a message names an input and says how to set it. The Action speaks of
 * its inputs as a workflow writes them; the CLI of the option or variable the
 * user gave (`option --scopes`, `--scopes VALUE`).
 */
export interface InputNaming {
  /** What a sentence that starts with "The" calls the input: `input scopes`. */
  input(name: string): string;
  /** The input's bare name, for a fix: `scopes`. */
  name(name: string): string;
  /** How to set it to `value`: `scopes: VALUE`. */
  setting(name: string, value: string): string;
}

export const ACTION_INPUTS: InputNaming = {
  input: (name) => `input ${name}`,
  name: (name) => name,
  setting: (name, value) => `${name}: ${value}`,
};

/** The inputs with their defaults applied, each parsed and checked; an error names the input and the fix. */
export function readInputs(read: InputReader, readBoolean?: BooleanReader, naming: InputNaming = ACTION_INPUTS): Inputs {
  const value = (name: InputName): string => read(name).trim() || INPUT_DEFAULTS[name];
  const flag = (name: InputName): boolean => (readBoolean ?? ((input, text) => parseBoolean(input, text, naming)))(name, value(name));
  const scopes = readScopes(read, naming);
  const lifetime = (text: string): number => parseDuration('access_token_lifetime', text, 1, 43200, naming);
  const accessTokenLifetimeSeconds = lifetime(value('access_token_lifetime'));
  return {
    credentialsJson: read('credentials_json'),
    workloadIdentityProvider: value('workload_identity_provider'),
    serviceAccount: value('service_account'),
    audience: value('audience'),
    delegates: parseList(value('delegates')),
    scopes,
    scopesSet: !sameScopes(scopes, parseList(INPUT_DEFAULTS.scopes)),
    projectId: parseProjectId('project_id', value('project_id'), naming),
    quotaProjectId: parseProjectId('quota_project_id', value('quota_project_id'), naming),
    accessTokenLifetimeSeconds,
    accessTokenLifetimeSet: accessTokenLifetimeSeconds !== lifetime(INPUT_DEFAULTS.access_token_lifetime),
    createCredentialsFile: flag('create_credentials_file'),
    credentialsFileDir: value('credentials_file_dir'),
    exportEnvironmentVariables: flag('export_environment_variables'),
    cleanupCredentials: flag('cleanup_credentials'),
    verify: flag('verify'),
    verifyModel: value('verify_model'),
    geminiApi: parseGeminiApi(value('gemini_api'), naming),
    vertexLocation: parseVertexLocation(value('vertex_location'), naming),
    cache: flag('cache'),
    cacheEncryptionKey: read('cache_encryption_key'),
    minTokenLifetimeSeconds: parseDuration('min_token_lifetime', value('min_token_lifetime'), 0, 43200, naming),
    retries: parseInteger('retries', value('retries'), 0, 10, naming),
    requestTimeoutMs: parseDuration('request_timeout', value('request_timeout'), 1, 600, naming) * 1000,
    timeoutMs: parseDuration('timeout', value('timeout'), 1, 3600, naming) * 1000,
    universe: parseUniverse(value('universe'), naming),
    endpoints: value('endpoints'),
  };
}

/** Inputs that are valid but do nothing as set: worth a warning, not a failure. */
export function inputWarnings(inputs: Inputs): string[] {
  const warnings: string[] = [];
  if (inputs.verifyModel && !inputs.verify) warnings.push('verify_model is set but verify is false, so no model is checked. Set verify: true to check it.');
  if (inputs.vertexLocation !== INPUT_DEFAULTS.vertex_location && inputs.geminiApi !== 'vertex') {
    warnings.push(`vertex_location is ${inputs.vertexLocation}, but gemini_api is ${inputs.geminiApi}, so the location is not used. Set gemini_api: vertex for Gemini on Vertex AI.`);
  }
  return warnings;
}

/** Comma- or newline-separated values, blanks dropped. */
function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * `scopes`, or `access_token_scopes`, its name in google-github-actions/auth.
 * The runner fills in the default of `scopes` where a workflow leaves it out,
 * so `scopes` at its default counts as unset beside the other name.
 */
function readScopes(read: InputReader, naming: InputNaming): string[] {
  const scopes = parseScopes('scopes', read('scopes').trim() || INPUT_DEFAULTS.scopes, naming);
  const otherText = read('access_token_scopes').trim();
  if (otherText === '') return scopes;
  const other = parseScopes('access_token_scopes', otherText, naming);
  if (sameScopes(scopes, other) || sameScopes(scopes, parseList(INPUT_DEFAULTS.scopes))) return other;
  throw new ActionError(
    `The inputs scopes and access_token_scopes are both set and name different scopes (scopes: ${scopes.join(', ')}; access_token_scopes: ${other.join(', ')}).`,
    'Keep one of them: access_token_scopes is another name for scopes, for workflows that come from google-github-actions/auth.',
  );
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((scope) => set.has(scope));
}

function parseScopes(name: InputName, text: string, naming: InputNaming): string[] {
  const scopes = parseList(text);
  for (const scope of scopes) {
    if (/\s/.test(scope)) {
      throw new ActionError(
        `The ${naming.input(name)} has a value with spaces inside it ("${untrusted(scope, 80)}").`,
        'Separate scopes with commas or new lines, e.g. "https://www.googleapis.com/auth/cloud-platform, https://www.googleapis.com/auth/generative-language.retriever".',
      );
    }
  }
  if (scopes.length === 0) {
    throw new ActionError(`The ${naming.input(name)} is empty.`, `Leave it unset for the default (${INPUT_DEFAULTS.scopes}) or name at least one scope.`);
  }
  return scopes;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(name: string, text: string, naming: InputNaming = ACTION_INPUTS): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ActionError(`The ${naming.input(name)} must be true or false, not "${untrusted(text, 40)}".`, `Set ${naming.setting(name, 'true')} or ${naming.setting(name, 'false')}.`);
}

function parseInteger(name: string, text: string, min: number, max: number, naming: InputNaming = ACTION_INPUTS): number {
  const trimmed = text.trim();
  const number = /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ActionError(`The ${naming.input(name)} must be a whole number from ${min} to ${max}, not "${untrusted(trimmed, 40)}".`, `Set ${naming.setting(name, String(min))} or another number in that range.`);
  }
  return number;
}

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** Seconds from `90`, `90s`, `15m` or `1h`, within [min, max]. */
export function parseDuration(name: string, text: string, min: number, max: number, naming: InputNaming = ACTION_INPUTS): number {
  const match = /^(\d{1,9})\s*(s|m|h)?$/i.exec(text.trim());
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[(match[2] ?? '').toLowerCase()] ?? NaN) : NaN;
  if (!Number.isFinite(seconds) || seconds < min || seconds > max) {
    throw new ActionError(
      `The ${naming.input(name)} must be a duration from ${min}s to ${max}s (like 3600s, 60m or 1h), not "${untrusted(text.trim(), 40)}".`,
      `Set ${naming.name(name)} to a number of seconds such as ${Math.max(min, Math.min(max, 3600))}s.`,
    );
  }
  return seconds;
}

/**
 * A project ID (or number), or nothing: it goes into a request header
 * (x-goog-user-project) and into variables later steps' shells expand, so
 * nothing else may pass, checked before any request.
 */
function parseProjectId(name: string, text: string, naming: InputNaming = ACTION_INPUTS): string {
  const project = text.trim();
  if (project !== '' && !hasShape('project', project)) {
    throw new ActionError(
      `The ${naming.input(name)} must be a project ID such as my-project-123, not "${untrusted(project, 40)}".`,
      'Use the project ID as `gcloud projects list` prints it (6 to 30 lowercase letters, digits and hyphens, starting with a letter), not the project name.',
    );
  }
  return project;
}

function parseGeminiApi(text: string, naming: InputNaming): GeminiApi {
  const api = text.trim();
  if (api === 'generativelanguage' || api === 'vertex') return api;
  throw new ActionError(
    `The ${naming.input('gemini_api')} must be generativelanguage or vertex, not "${untrusted(api, 40)}".`,
    'Use generativelanguage for the Gemini API (generativelanguage.googleapis.com) or vertex for Gemini on Vertex AI (aiplatform.googleapis.com).',
  );
}

/**
 * `global`, a multi-region (`us`, `eu`) or a region like `us-central1`. Checked strictly:
 * the location becomes part of a host name, and a loose one could send the token elsewhere.
 */
function parseVertexLocation(text: string, naming: InputNaming): string {
  const location = text.trim();
  if (location.length <= 30 && /^(?:global|us|eu|[a-z]+(?:-[a-z]+)+\d{1,2})$/.test(location)) return location;
  throw new ActionError(
    `The ${naming.input('vertex_location')} "${untrusted(location, 40)}" is not a Vertex AI location.`,
    'Use global (the default), a region such as us-central1 or europe-west4, or the multi-region us or eu; see https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations.',
  );
}

function parseUniverse(text: string, naming: InputNaming): string {
  const universe = text.trim().toLowerCase();
  // DNS allows 63 characters a label and 253 a name; past that, a request would fail with an obscure network error.
  if (universe.length > 253 || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(universe)) {
    throw new ActionError(`The ${naming.input('universe')} must be a domain name such as googleapis.com, not "${untrusted(text.trim(), 60)}".`, `Leave ${naming.name('universe')} unset unless you use a Google Cloud universe other than googleapis.com.`);
  }
  return universe;
}
