// The options of the CLI that mirror the Action's inputs, through the built CLI
// against the fake: each takes effect where the input would, its variable
// GEMINI_AUTH_<NAME> stands for it, and the option given on the command line
// wins over the variable.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliFailure, printedToken, runCli, type CliOptions, type CliRun } from '../support/cli.ts';
import { decodeJwt, startFakeGoogle, type FakeGoogle, type FakeProvider, type FakeUser, type ServiceAccountKey } from '../support/fake-google.ts';

const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';
const OTHER = 'gemini-other@gemini-project.iam.gserviceaccount.com';
const GENERATIVE_LANGUAGE = 'https://www.googleapis.com/auth/generative-language';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

let fake: FakeGoogle;
let user: FakeUser;
let key: ServiceAccountKey;
let custom: FakeProvider;
let dir: string;
let userFile: string;
let keyFile: string;

before(async () => {
  fake = await startFakeGoogle();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  key = fake.addServiceAccountKey({ projectId: 'gemini-project' });
  custom = fake.addProvider({ name: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/custom-aud', allowedAudiences: ['my-audience'] });
  fake.grantTokenCreator(TARGET, user.email);
  fake.grantTokenCreator(OTHER, user.email);
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-options-'));
  userFile = join(dir, 'user.json');
  keyFile = join(dir, 'key.json');
  writeFileSync(userFile, JSON.stringify(user.json), { mode: 0o600 });
  writeFileSync(keyFile, JSON.stringify(key.json), { mode: 0o600 });
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

/** `gemini-auth token --json` (a fresh HOME each run: no cache between runs); its answer. */
async function tokenJson(args: string[], options: CliOptions = {}): Promise<Record<string, string | null>> {
  const run = await runCli(fake, ['token', '--json', ...args], { answer: true, ...options });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, string | null>;
}

/** The scope claim of the assertion the key signed for its last token request. */
function assertedScope(): unknown {
  const token = fake.requests.filter((request) => request.endpoint === 'token').at(-1);
  return decodeJwt(new URLSearchParams(token?.body).get('assertion') ?? '')?.payload.scope;
}

/** The option given `value` on the command line, then its variable GEMINI_AUTH_<NAME> alone. */
function bothWays(option: string, value: string): { args: string[]; env: Record<string, string> }[] {
  return [
    { args: [`--${option}`, value], env: {} },
    { args: [], env: { [`GEMINI_AUTH_${option.toUpperCase().replaceAll('-', '_')}`]: value } },
  ];
}

function loginVariables(run: CliRun): Record<string, string> {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, string>;
}

describe('options that mirror the inputs, each also read from GEMINI_AUTH_<NAME>', () => {
  it('--service-account (GEMINI_AUTH_SERVICE_ACCOUNT): the token acts as the service account; the option wins', async () => {
    assert.equal((await tokenJson(['--credentials-file', userFile, '--service-account', TARGET])).principal, TARGET);
    assert.equal((await tokenJson(['--credentials-file', userFile], { env: { GEMINI_AUTH_SERVICE_ACCOUNT: TARGET } })).principal, TARGET);
    assert.equal((await tokenJson(['--credentials-file', userFile, '--service-account', OTHER], { env: { GEMINI_AUTH_SERVICE_ACCOUNT: TARGET } })).principal, OTHER);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'iamcredentials', 'token', 'iamcredentials', 'token', 'iamcredentials']);
  });

  it('--audience (GEMINI_AUTH_AUDIENCE): the audience the OIDC token is asked for', async () => {
    for (const options of bothWays('audience', 'my-audience')) {
      fake.reset();
      const run = await runCli(fake, ['token', '--workload-identity-provider', custom.name, '--min-lifetime', '60', ...options.args], { env: { ...fake.oidcEnv, ...options.env }, answer: true });
      assert.equal(fake.issuedTokens.get(printedToken(run))?.kind, 'federated');
      assert.equal(fake.requests[0]?.query.audience, 'my-audience');
    }
  });

  it('--scopes (GEMINI_AUTH_SCOPES): comma- or newline-separated, or the option repeated; the default otherwise', async () => {
    await tokenJson(['--credentials-file', keyFile]);
    assert.equal(assertedScope(), `${CLOUD_PLATFORM} https://www.googleapis.com/auth/generative-language.retriever`, 'the default');
    await tokenJson(['--credentials-file', keyFile, '--scopes', `${CLOUD_PLATFORM},${GENERATIVE_LANGUAGE}`]);
    assert.equal(assertedScope(), `${CLOUD_PLATFORM} ${GENERATIVE_LANGUAGE}`);
    await tokenJson(['--credentials-file', keyFile, '--scopes', GENERATIVE_LANGUAGE, '--scopes', CLOUD_PLATFORM]);
    assert.equal(assertedScope(), `${GENERATIVE_LANGUAGE} ${CLOUD_PLATFORM}`);
    await tokenJson(['--credentials-file', keyFile], { env: { GEMINI_AUTH_SCOPES: `${GENERATIVE_LANGUAGE}\n${CLOUD_PLATFORM}` } });
    assert.equal(assertedScope(), `${GENERATIVE_LANGUAGE} ${CLOUD_PLATFORM}`);
  });

  it('--project-id and --quota-project-id (GEMINI_AUTH_PROJECT_ID, GEMINI_AUTH_QUOTA_PROJECT_ID): the project named, the quota project billed', async () => {
    assert.equal((await tokenJson(['--credentials-file', userFile, '--project-id', 'other-project'])).project_id, 'other-project');
    assert.equal((await tokenJson(['--credentials-file', userFile], { env: { GEMINI_AUTH_PROJECT_ID: 'other-project' } })).project_id, 'other-project');
    for (const options of bothWays('quota-project-id', 'billing-project')) {
      fake.reset();
      const run = await runCli(fake, ['verify', '--credentials-file', userFile, ...options.args], { env: options.env });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(fake.requests.find((request) => request.endpoint === 'models')?.headers['x-goog-user-project'], 'billing-project');
    }
  });

  it('--universe (GEMINI_AUTH_UNIVERSE): the credentials file is for that universe', async () => {
    // Credentials that name no universe of their own (gcloud writes googleapis.com into its files).
    const { universe_domain: _universe, ...anyUniverse } = user.json;
    const credentials = join(dir, 'user-any-universe.json');
    writeFileSync(credentials, JSON.stringify(anyUniverse), { mode: 0o600 });
    for (const options of bothWays('universe', 'my-universe.example')) {
      const folder = mkdtempSync(join(dir, 'universe-'));
      const variables = loginVariables(await runCli(fake, ['login', '--format', 'json', '--credentials-file', credentials, '--credentials-file-dir', folder, ...options.args], { env: options.env }));
      const file = JSON.parse(readFileSync(variables.GOOGLE_APPLICATION_CREDENTIALS ?? '', 'utf8')) as Record<string, unknown>;
      assert.equal(file.universe_domain, 'my-universe.example');
    }
  });

  it('--endpoints (GEMINI_AUTH_ENDPOINTS): key=URL pairs separated by commas or new lines, with the http rule of the input; the option wins', async () => {
    const pairs = `oauth2=${fake.url}/oauth2, generativelanguage=${fake.url}/generativelanguage`;
    // The variable points oauth2 at a port where nothing listens: the option must be the one used.
    const run = await runCli(fake, ['verify', '--credentials-file', userFile, '--endpoints', pairs, '--retries', '0'], { env: { GEMINI_AUTH_ENDPOINTS: 'oauth2=http://127.0.0.1:9/oauth2' } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'tokeninfo', 'models']);
    fake.reset();
    const variable = await runCli(fake, ['verify', '--credentials-file', userFile], { env: { GEMINI_AUTH_ENDPOINTS: pairs.replace(', ', ',') } });
    assert.equal(variable.code, 0, variable.stderr);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'tokeninfo', 'models']);
    fake.reset();
    const plain = await runCli(fake, ['token', '--credentials-file', userFile, '--endpoints', `generativelanguage=${fake.url}/generativelanguage,oauth2=http://example.com/oauth2`]);
    assert.match(cliFailure(plain), /^gemini-auth: The option --endpoints gives a plain http:\/\/ URL for oauth2 on example\.com: tokens would cross the network unencrypted\. Fix: Use https:\/\//);
    assert.deepEqual(fake.requests, []);
    const help = await runCli(fake, ['token', '--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /--endpoints KEY=URL,\.\.\. service base URLs .*oauth2, sts, iamcredentials, generativelanguage, aiplatform/);
  });

  it('--retries (GEMINI_AUTH_RETRIES): transient failures retried that many times, no more; the option wins', async () => {
    fake.inject('token', { status: 503 }, 20);
    assert.match(cliFailure(await runCli(fake, ['token', '--credentials-file', userFile, '--retries', '0'], { env: { GEMINI_AUTH_RETRIES: '2' } })), /did not answer usefully in 1 attempt \(last: HTTP 503\); retries: 0 allows no more\./);
    assert.equal(fake.count('token'), 1);
    fake.requests.length = 0;
    assert.match(cliFailure(await runCli(fake, ['token', '--credentials-file', userFile], { env: { GEMINI_AUTH_RETRIES: '1' } })), /in 2 attempts \(last: HTTP 503\); retries: 1 allows no more\./);
    assert.equal(fake.count('token'), 2);
    fake.clearFaults();
    fake.inject('token', { status: 503 }, 1);
    fake.requests.length = 0;
    printedToken(await runCli(fake, ['token', '--credentials-file', userFile], { answer: true }));
    assert.equal(fake.count('token'), 2, 'by default a transient failure is retried');
  });

  it('--timeout (GEMINI_AUTH_TIMEOUT): bounds the whole command, a request that never answers included', async () => {
    for (const options of bothWays('timeout', '2')) {
      fake.reset();
      fake.inject('token', 'hang', 5);
      const run = await runCli(fake, ['token', '--credentials-file', userFile, ...options.args], { env: options.env });
      assert.match(cliFailure(run), /no answer within [12](\.\d)?s\); the time the input timeout allows ran out\./);
      assert.ok(run.durationMs < 3500, `took ${Math.round(run.durationMs)} ms, as if the request had its full 15 s`);
    }
  });
});
