// Each credential source of the CLI, through the built CLI against the fake:
// the token it prints is one the fake issued to the right principal, with the
// protocol's minimum of requests, and the first source found wins.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliFailure, printedToken, runCli } from '../support/cli.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider, type FakeUser, type ServiceAccountKey } from '../support/fake-google.ts';

const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';
let fake: FakeGoogle;
let user: FakeUser;
let key: ServiceAccountKey;
let provider: FakeProvider;
let dir: string;

before(async () => {
  fake = await startFakeGoogle();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  key = fake.addServiceAccountKey();
  provider = fake.addProvider();
  fake.grantTokenCreator(TARGET, user.email);
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-credentials-'));
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  return path;
}

/** Who the fake issued the printed token to. */
function principalOf(token: string): string | undefined {
  return fake.issuedTokens.get(token)?.principal;
}

describe('credential sources', () => {
  it('--credentials-file: an authorized_user file, one request', async () => {
    const run = await runCli(fake, ['token', '--credentials-file', file('user.json', user.json)], { answer: true });
    assert.equal(principalOf(printedToken(run)), user.email);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token']);
    assert.equal(run.stderr, '', 'quiet: nothing on stderr');
  });

  it('GEMINI_AUTH_CREDENTIALS_FILE stands for --credentials-file', async () => {
    const run = await runCli(fake, ['token'], { env: { GEMINI_AUTH_CREDENTIALS_FILE: file('user-env.json', user.json) }, answer: true });
    assert.equal(principalOf(printedToken(run)), user.email);
  });

  it('GEMINI_AUTH_CREDENTIALS_JSON, raw or base64', async () => {
    for (const text of [JSON.stringify(user.json), Buffer.from(JSON.stringify(user.json)).toString('base64')]) {
      const run = await runCli(fake, ['token'], { env: { GEMINI_AUTH_CREDENTIALS_JSON: text }, answer: true });
      assert.equal(principalOf(printedToken(run)), user.email);
    }
  });

  it('a service_account key, signed here: one request', async () => {
    const run = await runCli(fake, ['token', '--json', '--credentials-file', file('key.json', key.json)], { answer: true });
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(principalOf(String(answer.access_token)), key.email);
    assert.deepEqual({ ...answer, access_token: undefined, expires_at: undefined }, { access_token: undefined, expires_at: undefined, auth_type: 'service_account', principal: key.email, project_id: key.projectId });
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token']);
  });

  it('--service-account impersonates on top of the credentials: two requests', async () => {
    const run = await runCli(fake, ['token', '--json', '--credentials-file', file('user-sa.json', user.json), '--service-account', TARGET], { answer: true });
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(principalOf(String(answer.access_token)), TARGET);
    assert.equal(answer.auth_type, 'authorized_user', 'the source type, as the Action reports it');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'iamcredentials']);
  });

  it('an external_account file whose credential_source is a file, through google-auth-library', async () => {
    const oidc = file('subject.jwt', fake.mintOidcToken({}, `https://iam.googleapis.com/${provider.name}`));
    const external = { type: 'external_account', audience: `//iam.googleapis.com/${provider.name}`, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${fake.url}/sts/v1/token`, credential_source: { file: oidc } };
    const run = await runCli(fake, ['token', '--credentials-file', file('external.json', external)], { answer: true });
    assert.equal(fake.issuedTokens.get(printedToken(run))?.kind, 'federated');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['sts']);
  });

  it("an external_account file whose credential source fails names the file, not the Action's input", async () => {
    const missing = join(dir, 'no-such-subject.jwt');
    const external = { type: 'external_account', audience: `//iam.googleapis.com/${provider.name}`, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${fake.url}/sts/v1/token`, credential_source: { file: missing } };
    const path = file('external-missing.json', external);
    const line = cliFailure(await runCli(fake, ['token', '--credentials-file', path]));
    assert.ok(line.includes(`The external_account credentials file ${path}`), line);
    assert.ok(!line.includes('credentials_json'), line);
    assert.deepEqual(fake.requests, [], 'nothing was sent');
  });

  it('GOOGLE_APPLICATION_CREDENTIALS comes last', async () => {
    const run = await runCli(fake, ['token'], { env: { GOOGLE_APPLICATION_CREDENTIALS: file('adc.json', key.json) }, answer: true });
    assert.equal(principalOf(printedToken(run)), key.email);
  });

  it('the first source found wins: --credentials-file, GEMINI_AUTH_CREDENTIALS_JSON, --workload-identity-provider, GOOGLE_APPLICATION_CREDENTIALS', async () => {
    const all = { GEMINI_AUTH_CREDENTIALS_JSON: JSON.stringify(key.json), GEMINI_AUTH_WORKLOAD_IDENTITY_PROVIDER: provider.name, GOOGLE_APPLICATION_CREDENTIALS: file('adc-last.json', user.json), ...fake.oidcEnv };
    const fromFile = await runCli(fake, ['token', '--credentials-file', file('first.json', user.json)], { env: all, answer: true });
    assert.equal(principalOf(printedToken(fromFile)), user.email);
    const fromVariable = await runCli(fake, ['token'], { env: all, answer: true });
    assert.equal(principalOf(printedToken(fromVariable)), key.email);
    const { GEMINI_AUTH_CREDENTIALS_JSON: _json, ...withoutJson } = all;
    fake.reset();
    const federated = await runCli(fake, ['token'], { env: withoutJson, answer: true });
    assert.equal(fake.issuedTokens.get(printedToken(federated))?.kind, 'federated');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['oidc', 'sts']);
    const { GEMINI_AUTH_WORKLOAD_IDENTITY_PROVIDER: _provider, ...onlyAdc } = withoutJson;
    const last = await runCli(fake, ['token'], { env: onlyAdc, answer: true });
    assert.equal(principalOf(printedToken(last)), user.email);
  });

  it('masks every secret of the credentials in a GitHub Actions step, before anything is printed, also with --debug', async () => {
    const run = await runCli(fake, ['token', '--debug', '--credentials-file', file('user-masked.json', user.json)], { githubActions: true, answer: true });
    const token = printedToken({ ...run, stdout: run.stdout });
    for (const secret of [user.refreshToken, user.clientSecret, token]) assert.ok(run.masks.includes(secret), 'masked');
    assert.match(run.stderr, /debug: POST http:\/\/127\.0\.0\.1:\d+\/oauth2\/token -> HTTP 200/, 'debug lines are there');
    const firstLine = run.stderr.split('\n').find((line) => !line.startsWith('::add-mask::')) ?? '';
    const firstLineAt = run.stderr.indexOf(firstLine);
    for (const secret of [user.refreshToken, user.clientSecret]) assert.ok(run.stderr.indexOf(`::add-mask::${secret}`) < firstLineAt, 'masked before the first line');
  });

  it('names the file in its errors, never its content', async () => {
    const broken = file('broken.json', JSON.stringify(user.json).slice(0, -10));
    const run = await runCli(fake, ['token', '--credentials-file', broken], { secrets: [] });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `gemini-auth: The credentials file ${broken} (--credentials-file) is not valid JSON, nor base64 of JSON (its content is not shown: it is a secret). Fix: Pass a whole credentials file, unchanged, e.g. --credentials-file ~/.config/gcloud/application_default_credentials.json (what \`gcloud auth application-default login\` writes).\n`);
    const missing = await runCli(fake, ['token'], { env: { GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'gone.json') } });
    assert.match(missing.stderr, /^gemini-auth: Cannot read the credentials file .*gone\.json, which GOOGLE_APPLICATION_CREDENTIALS names \(ENOENT\)\. Fix: Point GOOGLE_APPLICATION_CREDENTIALS at an existing credentials file/);
  });

  it('says where an expired refresh token came from and how to renew it, outside GitHub', async () => {
    const expired = fake.addUser();
    fake.revokeRefreshToken(expired.refreshToken);
    const run = await runCli(fake, ['verify', '--credentials-file', file('expired.json', expired.json)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^gemini-auth: Google rejected the refresh token in credentials file \S+expired\.json \(HTTP 400 invalid_grant.*then pass the file it writes \(~\/\.config\/gcloud\/application_default_credentials\.json\) with --credentials-file\.\n$/);
    assert.doesNotMatch(run.stderr, /gh secret set/);
  });
});
