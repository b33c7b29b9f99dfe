// --help: the program's and each command's, the options drawn from the option table.
import { COMMANDS, OPTIONS, PROGRAM, takes, variableOf, type Command, type OptionName, type OptionSpec } from './options.ts';

const ABOUT: Record<Command, { summary: string; text: string; examples: string[] }> = {
  token: {
    summary: 'print a valid access token, alone on one line (cached)',
    text: 'Prints a Google access token on stdout. The token is cached in a 0600 file per credentials and settings; a cached token with at least --min-lifetime seconds left is printed without any request, and parallel calls refresh it once.',
    examples: ['curl -H "Authorization: Bearer $(gemini-auth token)" https://generativelanguage.googleapis.com/v1beta/models', 'gemini-auth token --json | jq -r .expires_at'],
  },
  login: {
    summary: 'write the credentials file (ADC) and print the variables to export',
    text: 'Mints a token to prove the credentials, writes the credentials file that gcloud and the Google client libraries refresh from (mode 0600), and prints the variables that point them at it: GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE, the project and the quota project.',
    examples: ['eval "$(gemini-auth login)"', 'gemini-auth login --format dotenv > gemini.env', 'gemini-auth login --format github   # in a GitHub Actions step'],
  },
  verify: {
    summary: 'list the Gemini models with a fresh token; one line, or the cause and the fix',
    text: 'Mints a fresh token, asks who it is (tokeninfo) and lists every page of the Gemini models it can see. Prints one line with the count and exits 0, or exits 1 with the cause and the fix.',
    examples: ['gemini-auth verify --model gemini-2.5-flash'],
  },
};

const CREDENTIALS = 'Credentials, the first found wins: --credentials-file; GEMINI_AUTH_CREDENTIALS_JSON (the JSON, raw or base64); --workload-identity-provider with the OIDC token of --oidc-token-file, --oidc-token-env, or else of GitHub Actions, CircleCI (CIRCLE_OIDC_TOKEN_V2) or GitLab (GEMINI_AUTH_OIDC_TOKEN); GOOGLE_APPLICATION_CREDENTIALS.';

export function programHelp(): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    ...wrap('A Google access token for the Gemini API in any CI system or on a laptop: from the file `gcloud auth application-default login` writes, a service account key, an external_account file, or keyless workload identity federation with your CI\'s OIDC token.'),
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.padEnd(8)} ${ABOUT[command].summary}`),
    '',
    ...wrap(CREDENTIALS),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options; \`${PROGRAM} --version\` for the version.`,
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const about = ABOUT[command];
  const options = (Object.keys(OPTIONS) as OptionName[]).filter((name) => takes(command, name));
  return [
    `Usage: ${PROGRAM} ${command} [options]`,
    '',
    ...wrap(about.text),
    '',
    ...wrap(CREDENTIALS),
    '',
    `Options (each also read from GEMINI_AUTH_<NAME>, e.g. --scopes from ${variableOf('scopes')}):`,
    ...options.flatMap((name) => {
      const spec: OptionSpec = OPTIONS[name];
      const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
      const [first = '', ...rest] = wrap(spec.help, 70);
      return left.length < 34 ? [`${left.padEnd(34)}${first}`, ...rest.map((line) => `${' '.repeat(34)}${line}`)] : [left, ...[first, ...rest].map((line) => `${' '.repeat(34)}${line}`)];
    }),
    '',
    'Examples:',
    ...about.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

function wrap(text: string, width = 80): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}
