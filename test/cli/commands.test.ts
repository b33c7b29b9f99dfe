// Each command and each output format, read back the way their users read them:
// `token --json` by a JSON parser, `login`'s shell lines sourced by bash, its
// dotenv lines by Node's dotenv reader, its github format by the runner's
// parser of $GITHUB_ENV; `verify`'s line; `--help` of every command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { CLI_DIST, cliFailure, runCli, type CliRun } from '../support/cli.ts';
import { startFakeGoogle, type FakeGoogle, type FakeUser } from '../support/fake-google.ts';
import { reportedMode, WINDOWS } from '../support/platform.ts';

let fake: FakeGoogle;
let user: FakeUser;
let dir: string;
let credentials: string;

before(async () => {
  fake = await startFakeGoogle();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-commands-'));
  credentials = join(dir, 'user.json');
  writeFileSync(credentials, JSON.stringify(user.json), { mode: 0o600 });
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

/** A folder whose path holds spaces and both kinds of quotes (Windows forbids " in names), and a dollar sign, as a value must survive them. */
function awkwardFolder(name: string): string {
  const folder = join(dir, WINDOWS ? `${name} it's a dir $HOME` : `${name} it's a "dir" $HOME`);
  mkdirSync(folder, { mode: 0o700 });
  return folder;
}

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, run.stderr);
  return run;
}

const ADC_VARIABLES = ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH'];
const PROJECT_VARIABLES = ['CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT', 'GOOGLE_CLOUD_PROJECT'];
const QUOTA_VARIABLES = ['GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_BILLING_QUOTA_PROJECT'];
/** gcloud's own variables for the endpoints that GEMINI_AUTH_ENDPOINTS points at the fake. */
const GCLOUD_ENDPOINT_VARIABLES = ['CLOUDSDK_AUTH_TOKEN_HOST', 'CLOUDSDK_API_ENDPOINT_OVERRIDES_STS', 'CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS'];

/** The variables login exports for a file in `folder`, with the user's quota project. */
function expectedVariables(variables: Record<string, string>, folder: string): void {
  assert.deepEqual(Object.keys(variables).sort(), [...ADC_VARIABLES, ...PROJECT_VARIABLES, ...QUOTA_VARIABLES, ...GCLOUD_ENDPOINT_VARIABLES].sort());
  const path = variables.GOOGLE_APPLICATION_CREDENTIALS ?? '';
  assert.ok(path.startsWith(join(folder, 'gemini-auth-')) && path.endsWith('.json'), path);
  for (const name of ADC_VARIABLES) assert.equal(variables[name], path);
  for (const name of [...PROJECT_VARIABLES, ...QUOTA_VARIABLES]) assert.equal(variables[name], 'gemini-project');
  assert.deepEqual(GCLOUD_ENDPOINT_VARIABLES.map((name) => variables[name]), [`${fake.url}/oauth2/token`, `${fake.url}/sts/`, `${fake.url}/iamcredentials/`]);
  assert.equal(statSync(path).mode & 0o777, reportedMode(0o600));
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { type: 'authorized_user', client_id: user.clientId, client_secret: user.clientSecret, refresh_token: user.refreshToken, token_uri: `${fake.url}/oauth2/token`, quota_project_id: 'gemini-project' });
}

describe('gemini-auth token', () => {
  it('--json: the token and its facts, one JSON line', async () => {
    const run = ok(await runCli(fake, ['token', '--json', '--credentials-file', credentials], { answer: true }));
    assert.equal(run.stdout.split('\n').length, 2, 'one line');
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(answer), ['access_token', 'expires_at', 'auth_type', 'principal', 'project_id']);
    assert.ok(fake.issuedTokens.has(String(answer.access_token)));
    assert.match(String(answer.expires_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(String(answer.expires_at)) - (fake.issuedTokens.get(String(answer.access_token))?.expiresAt ?? 0)) < 3000);
    assert.deepEqual([answer.auth_type, answer.principal, answer.project_id], ['authorized_user', 'dev@example.com', 'gemini-project']);
  });
});

describe('gemini-auth login', () => {
  it('--format shell (the default): export lines that bash sources back into the same values', async () => {
    const folder = awkwardFolder('shell');
    const run = ok(await runCli(fake, ['login', '--credentials-file', credentials, '--credentials-file-dir', folder]));
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token'], 'one token minted, to prove the credentials');
    assert.ok(run.stdout.split('\n').filter(Boolean).every((line) => line.startsWith('export ')));
    const script = join(dir, 'login.sh');
    writeFileSync(script, run.stdout);
    const sourced = execFileSync('bash', ['-c', `set -eu; source "$1"; for name in ${[...ADC_VARIABLES, ...PROJECT_VARIABLES, ...QUOTA_VARIABLES, ...GCLOUD_ENDPOINT_VARIABLES].join(' ')}; do printf '%s\\0%s\\0' "$name" "\${!name}"; done`, 'bash', script], { env: { PATH: process.env.PATH ?? '' } }).toString();
    const values = sourced.split('\0').slice(0, -1);
    const variables = Object.fromEntries(values.flatMap((value, index) => (index % 2 === 0 ? [[value, values[index + 1] ?? '']] : [])));
    expectedVariables(variables, folder);
  });

  it('--format dotenv: lines a dotenv reader reads back into the same values', async () => {
    const folder = awkwardFolder('dotenv');
    const run = ok(await runCli(fake, ['login', '--format', 'dotenv', '--credentials-file', credentials, '--credentials-file-dir', folder]));
    expectedVariables(parseEnv(run.stdout) as Record<string, string>, folder);
    const simple = ok(await runCli(fake, ['login', '--format', 'dotenv', '--credentials-file', credentials, '--credentials-file-dir', mkdtempSync(join(dir, 'plain-'))]));
    assert.match(simple.stdout, /^GOOGLE_APPLICATION_CREDENTIALS='(\/|[A-Z]:\\)\S+\.json'\n/, 'single quotes where the value allows');
  });

  it('--format json: one object of the variables', async () => {
    const folder = awkwardFolder('json');
    const run = ok(await runCli(fake, ['login', '--format', 'json', '--credentials-file', credentials, '--credentials-file-dir', folder]));
    expectedVariables(JSON.parse(run.stdout) as Record<string, string>, folder);
    // For Gemini on Vertex AI, the Gen AI SDK's variables too.
    const vertex = ok(await runCli(fake, ['login', '--format', 'json', '--credentials-file', credentials, '--credentials-file-dir', folder, '--gemini-api', 'vertex', '--vertex-location', 'europe-west4']));
    const variables = JSON.parse(vertex.stdout) as Record<string, string>;
    assert.deepEqual([variables.GOOGLE_GENAI_USE_VERTEXAI, variables.GOOGLE_CLOUD_LOCATION, variables.GOOGLE_CLOUD_PROJECT], ['true', 'europe-west4', 'gemini-project']);
  });

  it('--format github: appends to $GITHUB_ENV through the toolkit, prints nothing', async () => {
    const folder = awkwardFolder('github');
    const run = ok(await runCli(fake, ['login', '--format', 'github', '--credentials-file', credentials, '--credentials-file-dir', folder], { githubActions: true }));
    assert.equal(run.stdout, '');
    expectedVariables(run.exportedEnv, folder);
    const outside = await runCli(fake, ['login', '--format', 'github', '--credentials-file', credentials, '--credentials-file-dir', folder]);
    assert.match(cliFailure(outside), /--format github needs GITHUB_ENV, which only a step of a GitHub Actions job has/);
    // The toolkit is declared side-effect free at build time: its chunk keeps the file command, not the HTTP client and undici.
    const chunks = readdirSync(CLI_DIST).filter((name) => name.endsWith('.js')).map((name) => readFileSync(join(CLI_DIST, name), 'utf8'));
    const toolkit = chunks.filter((chunk) => chunk.includes('exportVariable'));
    assert.equal(toolkit.length, 1, 'one chunk, loaded for --format github only');
    assert.ok(toolkit[0] && toolkit[0].length < 8 * 1024 && !/undici|HttpClient/.test(toolkit[0]), `the toolkit's chunk is ${toolkit[0]?.length} bytes`);
  });

  it('GEMINI_AUTH_FORMAT stands for --format, and a format it does not know is refused before any request', async () => {
    const folder = mkdtempSync(join(dir, 'variable-'));
    const run = ok(await runCli(fake, ['login', '--credentials-file', credentials, '--credentials-file-dir', folder], { env: { GEMINI_AUTH_FORMAT: 'json' } }));
    expectedVariables(JSON.parse(run.stdout) as Record<string, string>, folder);
    fake.reset();
    const refused = await runCli(fake, ['login', '--credentials-file', credentials], { env: { GEMINI_AUTH_FORMAT: 'yaml' } });
    assert.match(cliFailure(refused), /^gemini-auth: The variable GEMINI_AUTH_FORMAT must be shell, dotenv, json or github, not "yaml"\. Fix: Set GEMINI_AUTH_FORMAT=shell/);
    assert.deepEqual(fake.requests, []);
  });

  it('without --credentials-file-dir: a new private folder in the temp dir', async () => {
    const run = ok(await runCli(fake, ['login', '--format', 'json', '--credentials-file', credentials]));
    const path = (JSON.parse(run.stdout) as Record<string, string>).GOOGLE_APPLICATION_CREDENTIALS ?? '';
    const folder = join(path, '..');
    try {
      assert.ok(folder.startsWith(join(tmpdir(), 'gemini-auth-')), folder);
      assert.equal(statSync(folder).mode & 0o777, reportedMode(0o700));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('gemini-auth verify', () => {
  it('one line with the count, the principal and the model asked for', async () => {
    const run = ok(await runCli(fake, ['verify', '--credentials-file', credentials, '--model', 'gemini-2.5-flash']));
    assert.equal(run.stdout, '7 Gemini models visible to dev@example.com, models/gemini-2.5-flash among them and callable.\n');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'tokeninfo', 'models', 'countTokens']);
    assert.equal(fake.requests[2]?.headers['x-goog-user-project'], 'gemini-project');
    fake.reset();
    assert.equal(ok(await runCli(fake, ['verify', '--credentials-file', credentials])).stdout, '7 Gemini models visible to dev@example.com.\n');
  });

  it('--gemini-api vertex: the model in Vertex AI\'s Model Garden, in the project and location', async () => {
    const run = ok(await runCli(fake, ['verify', '--credentials-file', credentials, '--gemini-api', 'vertex', '--vertex-location', 'us-central1']));
    assert.equal(run.stdout, 'Gemini on Vertex AI answers to dev@example.com: publishers/google/models/gemini-2.5-flash in gemini-project (us-central1).\n');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'publisherModel']);
  });

  it('a model that is not there: exit 1, the cause and the fix', async () => {
    const run = await runCli(fake, ['verify', '--credentials-file', credentials], { env: { GEMINI_AUTH_MODEL: 'gemini-9-ultra' } });
    assert.match(cliFailure(run), /^gemini-auth: The model models\/gemini-9-ultra is not among the 7 models this token can see\. Fix: /);
  });

  it('an API that is not enabled: the link to enable it', async () => {
    fake.disabledApiProjects.add('gemini-project');
    try {
      const run = await runCli(fake, ['verify', '--credentials-file', credentials]);
      assert.match(cliFailure(run), /The Generative Language API is not enabled in project gemini-project.*Fix: Enable it at https:\/\//);
    } finally {
      fake.disabledApiProjects.clear();
    }
  });
});

describe('--help', () => {
  it('describes every command and its options, on stdout, with exit 0', async () => {
    const program = ok(await runCli(fake, ['--help']));
    for (const command of ['token', 'login', 'verify']) assert.match(program.stdout, new RegExp(`\\n  ${command} +\\S`));
    const options: Record<string, string[]> = {
      token: ['--credentials-file PATH', '--workload-identity-provider NAME', '--oidc-token-file PATH', '--oidc-token-env NAME', '--min-lifetime SECONDS', '--cache-dir DIR', '--json', '--scopes SCOPES', '--endpoints KEY=URL,...', '--debug', '--help'],
      login: ['--credentials-file-dir DIR', '--format FORMAT', '--service-account EMAIL', '--project-id ID', '--quota-project-id ID'],
      verify: ['--model NAME', '--retries N', '--timeout SECONDS'],
    };
    for (const [command, expected] of Object.entries(options)) {
      const help = ok(await runCli(fake, [command, '--help']));
      assert.match(help.stdout, new RegExp(`^Usage: gemini-auth ${command} \\[options\\]\\n`));
      for (const option of expected) assert.ok(help.stdout.includes(`\n  ${option} `) || help.stdout.includes(`\n  ${option}\n`), `${command} --help lists ${option}`);
      assert.match(help.stdout, /GEMINI_AUTH_<NAME>/);
      assert.equal(ok(await runCli(fake, ['-h', command])).stdout, help.stdout, '-h before the command too');
    }
    assert.ok(!ok(await runCli(fake, ['token', '--help'])).stdout.includes('--format'), 'only the options of the command');
    assert.deepEqual(fake.requests, []);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(ok(await runCli(fake, ['--version'])).stdout, `gemini-auth ${version}\n`);
  });

  it('an older Node: one line that says which Node it needs', async () => {
    const pretend = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.19.0' } });`;
    const run = await runCli(fake, ['token', '--credentials-file', credentials], { env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(pretend)}` } });
    assert.match(cliFailure(run), /^gemini-auth: gemini-auth needs Node\.js 24 or later; this is Node\.js 20\.19\.0\. Fix: Run it with Node\.js 24/);
    assert.deepEqual(fake.requests, []);
  });

  it('a command line it cannot read: one line with the fix', async () => {
    assert.match(cliFailure(await runCli(fake, [])), /^gemini-auth: No command given: the commands are token, login and verify\. Fix: Run `gemini-auth --help`/);
    assert.match(cliFailure(await runCli(fake, ['tokens'])), /^gemini-auth: There is no command "tokens"/);
    assert.match(cliFailure(await runCli(fake, ['token', 'extra'])), /^gemini-auth: gemini-auth token takes no argument "extra"/);
    assert.match(cliFailure(await runCli(fake, ['token', '--format', 'json'])), /^gemini-auth: The option --format is not one of gemini-auth token's\. Fix: Run `gemini-auth token --help`/);
    assert.match(cliFailure(await runCli(fake, ['verify', '--model'])), /^gemini-auth: The option --model needs a value\. Fix: Run `gemini-auth verify --help`/);
    assert.match(cliFailure(await runCli(fake, ['token', '--json=yes'])), /^gemini-auth: The option --json takes no value\./);
    assert.match(cliFailure(await runCli(fake, ['token', '-x'])), /^gemini-auth: Unknown option '-x'\./);
  });
});
