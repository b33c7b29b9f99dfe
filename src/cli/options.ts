// The command line: the commands, the option table and its parser. Options that
// mirror an input of the Action take its name kebab-cased, its default and its
// parser (src/inputs.ts); each option also reads GEMINI_AUTH_<NAME>.
import { ActionError } from '../errors.ts';
import { INPUT_DEFAULTS, parseBoolean, type InputName, type InputNaming, type InputReader } from '../inputs.ts';

export const PROGRAM = 'gemini-auth';
export const COMMANDS = ['token', 'login', 'verify'] as const;
export type Command = (typeof COMMANDS)[number];

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The Action input it mirrors: its default, its parser, its place in the core. */
  readonly input?: InputName;
  /** Its own default, where it differs from the input's. */
  readonly default?: string;
  /** The commands that take it; every command when unset. */
  readonly commands?: readonly Command[];
  /** A list: the option may be given more than once. */
  readonly multiple?: boolean;
  /** Names the value in the help: PATH, NAME, SECONDS. */
  readonly value?: string;
  readonly help: string;
}

/** Every option, in the order the help lists them. */
export const OPTIONS = {
  'credentials-file': { type: 'string', value: 'PATH', help: 'a credentials JSON file (authorized_user from `gcloud auth application-default login`, service_account, external_account, impersonated_service_account)' },
  'workload-identity-provider': { type: 'string', input: 'workload_identity_provider', value: 'NAME', help: 'projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER: keyless, with your CI\'s OIDC token' },
  'oidc-token-file': { type: 'string', value: 'PATH', help: 'with --workload-identity-provider: a file holding the OIDC token (read again at each refresh)' },
  'oidc-token-env': { type: 'string', value: 'NAME', help: 'with --workload-identity-provider: the variable holding the OIDC token' },
  'service-account': { type: 'string', input: 'service_account', value: 'EMAIL', help: 'a service account to impersonate' },
  delegates: { type: 'string', input: 'delegates', multiple: true, value: 'EMAILS', help: 'service accounts between, comma-separated (or repeat the option)' },
  audience: { type: 'string', input: 'audience', value: 'URL', help: 'audience of the OIDC token asked of GitHub Actions (default https://iam.googleapis.com/ + provider)' },
  scopes: { type: 'string', input: 'scopes', multiple: true, value: 'SCOPES', help: 'comma-separated (or repeat the option); default cloud-platform and generative-language.retriever' },
  'project-id': { type: 'string', input: 'project_id', value: 'ID', help: 'project for gcloud and the client libraries (default: from the credentials)' },
  'quota-project-id': { type: 'string', input: 'quota_project_id', value: 'ID', help: 'project billed for quota (default: the credentials\', else --project-id)' },
  'access-token-lifetime': { type: 'string', input: 'access_token_lifetime', value: 'SECONDS', help: 'lifetime of impersonated tokens (default 3600s)' },
  universe: { type: 'string', input: 'universe', value: 'DOMAIN', help: 'universe domain (default googleapis.com)' },
  endpoints: { type: 'string', input: 'endpoints', value: 'KEY=URL,...', help: 'service base URLs to use instead of Google\'s, comma- or newline-separated: oauth2, sts, iamcredentials, generativelanguage, aiplatform (plain http:// only to loopback)' },
  retries: { type: 'string', input: 'retries', value: 'N', help: 'retries of transient failures (default 3)' },
  'request-timeout': { type: 'string', input: 'request_timeout', value: 'SECONDS', help: 'per request (default 15)' },
  timeout: { type: 'string', input: 'timeout', value: 'SECONDS', help: 'for the whole command (default 120)' },
  'min-lifetime': { type: 'string', input: 'min_token_lifetime', default: '300', commands: ['token'], value: 'SECONDS', help: 'refresh when the cached token has less left (default 300); also 15m, 1h' },
  'cache-dir': { type: 'string', commands: ['token'], value: 'DIR', help: 'where tokens are cached (default $XDG_CACHE_HOME/gemini-auth, ~/.cache/gemini-auth, %LOCALAPPDATA%\\gemini-auth)' },
  json: { type: 'boolean', commands: ['token'], help: 'print {"access_token","expires_at","auth_type","principal","project_id"}' },
  'credentials-file-dir': { type: 'string', input: 'credentials_file_dir', commands: ['login'], value: 'DIR', help: 'where the credentials file goes (default a new private folder in the temp dir)' },
  format: { type: 'string', default: 'shell', commands: ['login'], value: 'FORMAT', help: 'shell (export NAME=\'value\'), dotenv, json, or github (appends to $GITHUB_ENV); default shell' },
  model: { type: 'string', input: 'verify_model', commands: ['verify'], value: 'NAME', help: 'a model that must be there and answer countTokens, e.g. gemini-2.5-flash' },
  'gemini-api': { type: 'string', input: 'gemini_api', commands: ['login', 'verify'], value: 'API', help: 'generativelanguage (the Gemini API, default) or vertex (Gemini on Vertex AI): what verify checks, and for login the Gen AI SDK variables' },
  'vertex-location': { type: 'string', input: 'vertex_location', commands: ['login', 'verify'], value: 'LOCATION', help: 'with --gemini-api vertex: the Vertex AI location (default global)' },
  debug: { type: 'boolean', help: 'print debug lines (one per HTTP attempt); secrets stay hidden' },
  help: { type: 'boolean', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
const NAMES = Object.keys(OPTIONS) as OptionName[];

/** GEMINI_AUTH_CREDENTIALS_FILE for --credentials-file. */
export function variableOf(option: OptionName): string {
  return `GEMINI_AUTH_${option.toUpperCase().replaceAll('-', '_')}`;
}

/** The option that mirrors an input of the Action. */
function optionOf(input: string): OptionName | undefined {
  return NAMES.find((name) => (OPTIONS[name] as OptionSpec).input === input);
}

export function takes(command: Command, option: OptionName): boolean {
  const commands = (OPTIONS[option] as OptionSpec).commands;
  return !commands || commands.includes(command);
}

/** A value and where it came from: the command line, a variable, or the default. */
export interface Setting {
  readonly value: string;
  readonly from: 'option' | 'variable' | 'default';
}

export interface CommandLine {
  /** Undefined only with --help or --version. */
  readonly command: Command | undefined;
  readonly help: boolean;
  readonly version: boolean;
  setting(option: OptionName): Setting;
  text(option: OptionName): string;
  flag(option: OptionName): boolean;
}

const usageFix = (command?: Command): string => `Run \`${PROGRAM} ${command ? `${command} ` : ''}--help\` for the ${command ? 'options' : 'commands'}.`;

/**
 * The command and its options, from `argv` and, for options not given there,
 * from GEMINI_AUTH_<NAME> in `env`. Options of another command are refused.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  const { values, positionals } = readArgv(argv);
  const [word, ...extra] = positionals;
  if (word !== undefined && !(COMMANDS as readonly string[]).includes(word)) {
    throw new ActionError(`There is no command "${word.slice(0, 40)}"; the commands are token, login and verify.`, usageFix());
  }
  const command = word as Command | undefined;
  if (!command && !values.help && !values.version) throw new ActionError('No command given: the commands are token, login and verify.', usageFix());
  if (extra.length > 0) throw new ActionError(`${PROGRAM} ${command} takes no argument "${extra[0]?.slice(0, 40)}".`, usageFix(command));
  if (command) {
    const foreign = NAMES.find((name) => values[name] !== undefined && !takes(command, name));
    if (foreign) throw new ActionError(`The option --${foreign} is not one of ${PROGRAM} ${command}'s.`, usageFix(command));
  }
  const setting = (option: OptionName): Setting => {
    const value = values[option];
    if (value !== undefined) return { value: value === true ? 'true' : value.join(','), from: 'option' };
    const variable = env[variableOf(option)];
    if (variable !== undefined && variable.trim() !== '' && (!command || takes(command, option))) return { value: variable, from: 'variable' };
    const spec: OptionSpec = OPTIONS[option];
    return { value: spec.default ?? (spec.input ? INPUT_DEFAULTS[spec.input] : ''), from: 'default' };
  };
  return {
    command,
    help: values.help === true,
    version: values.version === true,
    setting,
    text: (option) => setting(option).value.trim(),
    flag(option) {
      const { value, from } = setting(option);
      return from === 'option' ? value === 'true' : from === 'variable' ? parseBoolean(variableOf(option), value, VARIABLE_NAMING) : false;
    },
  };
}

function commandIn(argv: readonly string[]): Command | undefined {
  return COMMANDS.find((command) => argv.includes(command));
}

/**
 * The options and the words of `argv`: `--name value`, `--name=value`, `--flag`,
 * `-h`, and after `--` only words. A string option takes the next argument
 * whatever it is (`--retries -1`); a list option may come more than once.
 * Not node:util's parseArgs: loading it costs a cached `token` call about 2 ms.
 */
function readArgv(argv: readonly string[]): { values: Record<string, string[] | true>; positionals: string[] } {
  const values: Record<string, string[] | true> = {};
  const positionals: string[] = [];
  const specs: Record<string, OptionSpec> = { ...OPTIONS, version: { type: 'boolean', help: '' } };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg === '-h' ? 'help' : arg.startsWith('--') ? arg.slice(2, equals < 0 ? undefined : equals) : '';
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    const command = commandIn(argv);
    if (!spec) throw new ActionError(`Unknown option '${arg.slice(0, equals < 0 ? 60 : Math.min(equals, 60))}'.`, usageFix(command));
    if (spec.type === 'boolean') {
      if (equals >= 0) throw new ActionError(`The option --${name} takes no value.`, usageFix(command));
      values[name] = true;
      continue;
    }
    const value = equals >= 0 ? arg.slice(equals + 1) : argv[++index];
    if (value === undefined) throw new ActionError(`The option --${name} needs a value.`, usageFix(command));
    const previous = values[name];
    values[name] = spec.multiple && Array.isArray(previous) ? [...previous, value] : [value];
  }
  return { values, positionals };
}

/** How errors name a variable: `The variable GEMINI_AUTH_JSON must be true or false`. */
const VARIABLE_NAMING: InputNaming = { input: (name) => `variable ${name}`, name: (name) => name, setting: (name, value) => `${name}=${value}` };

/** The two credential inputs as the precedence chose the credentials: one of them is set. */
export interface CredentialInputs {
  readonly credentials_json: string;
  readonly workload_identity_provider: string;
}

/**
 * The Action's inputs as this command line gives them: each input from the
 * option that mirrors it (or its variable), '' where there is none, so that
 * readInputs applies the input's default; the credentials as the precedence
 * chose them.
 */
export function inputReader(line: CommandLine, chosen: CredentialInputs): InputReader {
  return (name) => {
    if (name === 'credentials_json' || name === 'workload_identity_provider') return chosen[name];
    const option = optionOf(name);
    const value = option ? line.setting(option).value : '';
    // On a command line, endpoints also come comma-separated: key=URL,key=URL.
    return name === 'endpoints' ? value.replace(/,\s*(?=[a-z0-9]+\s*=)/gi, '\n') : value;
  };
}

/** Names each input (or option of the CLI's own) as the user gave it: `option --scopes`, or `variable GEMINI_AUTH_SCOPES`. */
export function inputNaming(line: CommandLine): InputNaming {
  const spelled = (input: string): { kind: string; name: string; set: (value: string) => string } => {
    const option = optionOf(input) ?? (input in OPTIONS ? (input as OptionName) : undefined);
    if (!option) return { kind: 'setting', name: input, set: (value) => `${input} ${value}` };
    if (line.setting(option).from === 'variable') {
      const variable = variableOf(option);
      return { kind: 'variable', name: variable, set: (value) => `${variable}=${value}` };
    }
    return { kind: 'option', name: `--${option}`, set: (value) => `--${option} ${value}` };
  };
  return {
    input: (name) => `${spelled(name).kind} ${spelled(name).name}`,
    name: (name) => spelled(name).name,
    setting: (name, value) => spelled(name).set(value),
  };
}
