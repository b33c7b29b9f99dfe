// Workload identity federation from the CLI: the subject token from a file, a
// variable, or the CI detected (GitHub Actions, CircleCI, GitLab, in that
// order); its claims in the log; and the credentials file of `login`, which
// later processes refresh from through google-auth-library.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliFailure, printedToken, runCli, type CliRun } from '../support/cli.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider } from '../support/fake-google.ts';
import { reportedMode } from '../support/platform.ts';

const GITLAB_ISSUER = 'https://gitlab.com';
const CIRCLE_ORG = 'c9b6a4d2-5f1e-4b7a-9d3c-2e8f0a1b6c4d';
const CIRCLE_ISSUER = `https://oidc.circleci.com/org/${CIRCLE_ORG}`;
const POOLS = 'projects/123456789012/locations/global/workloadIdentityPools';

/** Claims only GitHub's tokens have, left out of the other CIs' tokens. */
const NOT_GITHUB = Object.fromEntries(
  ['repository', 'repository_owner', 'repository_owner_id', 'repository_id', 'repository_visibility', 'run_id', 'run_number', 'run_attempt', 'actor', 'actor_id', 'workflow', 'workflow_ref', 'workflow_sha', 'job_workflow_ref', 'job_workflow_sha', 'head_ref', 'base_ref', 'event_name'].map((claim) => [claim, undefined]),
);

let fake: FakeGoogle;
let github: FakeProvider;
let gitlab: FakeProvider;
let circleci: FakeProvider;
let dir: string;

before(async () => {
  fake = await startFakeGoogle();
  github = fake.addProvider();
  gitlab = fake.addProvider({ name: `${POOLS}/gitlab/providers/gitlab-ci`, issuer: GITLAB_ISSUER });
  circleci = fake.addProvider({ name: `${POOLS}/circleci/providers/circleci`, issuer: CIRCLE_ISSUER, allowedAudiences: [CIRCLE_ORG] });
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-oidc-'));
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

function gitlabToken(claims: Record<string, unknown> = {}): string {
  return fake.mintOidcToken({
    ...NOT_GITHUB,
    iss: GITLAB_ISSUER,
    sub: 'project_path:acme/gemini-app:ref_type:branch:ref:main',
    aud: `https://iam.googleapis.com/${gitlab.name}`,
    project_path: 'acme/gemini-app',
    namespace_path: 'acme',
    ref: 'main',
    ref_type: 'branch',
    ref_path: 'refs/heads/main',
    pipeline_source: 'push',
    ...claims,
  });
}

function circleToken(): string {
  return fake.mintOidcToken({
    ...NOT_GITHUB,
    ref: undefined,
    iss: CIRCLE_ISSUER,
    aud: CIRCLE_ORG,
    sub: `org/${CIRCLE_ORG}/project/5e2c7a90-1b3d-4f6e-8a9c-0d1e2f3a4b5c/user/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
    'oidc.circleci.com/project-id': '5e2c7a90-1b3d-4f6e-8a9c-0d1e2f3a4b5c',
    'oidc.circleci.com/context-ids': ['7f3e2d1c-0b9a-4876-5432-10fedcba9876'],
    'oidc.circleci.com/vcs-origin': 'github.com/acme/gemini-app',
    'oidc.circleci.com/vcs-ref': 'refs/heads/main',
  });
}

/** The variables `login --format json` printed, after checking the run. */
function exported(run: CliRun): Record<string, string> {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, string>;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** `login` into a folder of the test's, then the credentials file it wrote. */
async function login(args: string[], env: Record<string, string>, options: { githubActions?: boolean } = {}): Promise<{ path: string; content: Record<string, unknown> }> {
  const folder = mkdtempSync(join(dir, 'login-'));
  const run = await runCli(fake, ['login', '--format', 'json', '--credentials-file-dir', folder, ...args], { env, ...options });
  const path = exported(run).GOOGLE_APPLICATION_CREDENTIALS ?? '';
  assert.equal(dirname(path), folder);
  assert.equal(statSync(path).mode & 0o777, reportedMode(0o600));
  return { path, content: readJson(path) };
}

/** A later process refreshing from the credentials file alone, as client libraries do. */
async function refreshFrom(path: string, env: Record<string, string> = {}): Promise<string> {
  fake.reset();
  return printedToken(await runCli(fake, ['token'], { env: { GOOGLE_APPLICATION_CREDENTIALS: path, ...env }, answer: true }));
}

const subjectTokenSent = (): string => new URLSearchParams(fake.requests.find((request) => request.endpoint === 'sts')?.body).get('subject_token') ?? '';

describe('subject tokens detected in CI', () => {
  it('GitHub Actions: the runner\'s OIDC request, then STS; the credentials file asks the runner again', async () => {
    const run = await runCli(fake, ['token', '--debug', '--workload-identity-provider', github.name], { env: fake.oidcEnv, githubActions: true, answer: true });
    assert.equal(fake.issuedTokens.get(printedToken(run))?.kind, 'federated');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['oidc', 'sts']);
    assert.ok(run.masks.includes(fake.oidcRequestToken) && run.masks.includes(subjectTokenSent()), 'the request token and the OIDC token are masked');
    assert.match(run.stderr, /\nGitHub OIDC token claims: iss=https:\/\/token\.actions\.githubusercontent\.com, sub=repo:octo-org\/octo-repo:ref:refs\/heads\/main, aud=.*, repository=octo-org\/octo-repo/);

    fake.reset();
    const { path, content } = await login(['--workload-identity-provider', github.name], fake.oidcEnv, { githubActions: true });
    assert.deepEqual(content.credential_source, {
      url: `${fake.oidcRequestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${github.name}`)}`,
      headers: { Authorization: `Bearer ${fake.oidcRequestToken}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    });
    await refreshFrom(path, fake.oidcEnv);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['oidc', 'sts'], 'google-auth-library asks the runner for a fresh token');
  });

  it('CircleCI: CIRCLE_OIDC_TOKEN_V2, its claims in the log; the credentials file reads a 0600 copy beside it', async () => {
    const token = circleToken();
    const run = await runCli(fake, ['token', '--debug', '--workload-identity-provider', circleci.name], { env: { CIRCLECI: 'true', CIRCLE_OIDC_TOKEN_V2: token }, answer: true });
    assert.equal(fake.issuedTokens.get(printedToken(run))?.principal, `principal://iam.googleapis.com/${circleci.pool}/subject/org/${CIRCLE_ORG}/project/5e2c7a90-1b3d-4f6e-8a9c-0d1e2f3a4b5c/user/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`);
    assert.equal(subjectTokenSent(), token);
    assert.match(run.stderr, /\nCircleCI OIDC token claims: iss=https:\/\/oidc\.circleci\.com\/org\/\S+, sub=org\/\S+, aud=c9b6a4d2-\S+, oidc\.circleci\.com\/project-id=5e2c7a90-\S+, oidc\.circleci\.com\/context-ids=7f3e2d1c-\S+, oidc\.circleci\.com\/vcs-origin=github\.com\/acme\/gemini-app, oidc\.circleci\.com\/vcs-ref=refs\/heads\/main\n/);

    const { path, content } = await login(['--workload-identity-provider', circleci.name], { CIRCLE_OIDC_TOKEN_V2: token });
    const copy = String((content.credential_source as Record<string, unknown>).file);
    assert.equal(dirname(copy), dirname(path), 'the copy sits beside the credentials file');
    assert.equal(readFileSync(copy, 'utf8'), token);
    assert.equal(statSync(copy).mode & 0o777, reportedMode(0o600));
    await refreshFrom(path);
    assert.equal(subjectTokenSent(), token, 'google-auth-library read the copy');
  });

  it('GitLab: the id_tokens entry GEMINI_AUTH_OIDC_TOKEN; a refusal of the attribute condition names the claims it tested', async () => {
    const token = gitlabToken();
    const run = await runCli(fake, ['token', '--debug', '--workload-identity-provider', gitlab.name], { env: { GITLAB_CI: 'true', GEMINI_AUTH_OIDC_TOKEN: token }, answer: true });
    assert.equal(fake.issuedTokens.get(printedToken(run))?.kind, 'federated');
    assert.match(run.stderr, /\nGitLab OIDC token claims: iss=https:\/\/gitlab\.com, sub=project_path:acme\/gemini-app:ref_type:branch:ref:main, aud=https:\/\/iam\.googleapis\.com\/\S+, ref=main, project_path=acme\/gemini-app, namespace_path=acme, pipeline_source=push, ref_path=refs\/heads\/main\n/);

    const strict = fake.addProvider({ name: `${POOLS}/gitlab/providers/gitlab-strict`, issuer: GITLAB_ISSUER, allowedAudiences: [`https://iam.googleapis.com/${gitlab.name}`], condition: (claims) => claims.project_path === 'acme/other' });
    const refused = await runCli(fake, ['token', '--workload-identity-provider', strict.name], { env: { GITLAB_CI: 'true', GEMINI_AUTH_OIDC_TOKEN: token } });
    assert.match(cliFailure(refused), /The provider's attribute condition rejected this job's OIDC token \(HTTP 400 unauthorized_client.*\)\. The token's claims: .*project_path=acme\/gemini-app, namespace_path=acme, pipeline_source=push/);
  });

  it('takes GitHub Actions before CircleCI before GitLab', async () => {
    const everything: Record<string, string> = { ...fake.oidcEnv, CIRCLE_OIDC_TOKEN_V2: circleToken(), GEMINI_AUTH_OIDC_TOKEN: gitlabToken() };
    await runCli(fake, ['token', '--workload-identity-provider', github.name], { env: everything, answer: true });
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['oidc', 'sts']);
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ...withoutGitHub } = everything;
    fake.reset();
    await runCli(fake, ['token', '--workload-identity-provider', circleci.name], { env: withoutGitHub, answer: true });
    assert.equal(subjectTokenSent(), everything.CIRCLE_OIDC_TOKEN_V2);
    const { CIRCLE_OIDC_TOKEN_V2: _circle, ...onlyGitLab } = withoutGitHub;
    fake.reset();
    await runCli(fake, ['token', '--workload-identity-provider', gitlab.name], { env: onlyGitLab, answer: true });
    assert.equal(subjectTokenSent(), everything.GEMINI_AUTH_OIDC_TOKEN);
  });
});

describe('subject tokens named on the command line', () => {
  it('--oidc-token-file beats the CI\'s, and the credentials file re-reads that file: a new token written there is the one sent', async () => {
    const path = join(dir, 'token.jwt');
    writeFileSync(path, `${gitlabToken()}\n`);
    const { path: credentials, content } = await login(['--workload-identity-provider', gitlab.name, '--oidc-token-file', path], { ...fake.oidcEnv, CIRCLE_OIDC_TOKEN_V2: circleToken() });
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['sts'], 'neither GitHub nor CircleCI was asked');
    assert.deepEqual(content.credential_source, { file: path });
    const renewed = gitlabToken({ jti: 'renewed' });
    writeFileSync(path, renewed);
    await refreshFrom(credentials);
    assert.equal(subjectTokenSent(), renewed);
  });

  it('--oidc-token-env beats the detected CIs', async () => {
    const token = gitlabToken();
    await runCli(fake, ['token', '--workload-identity-provider', gitlab.name, '--oidc-token-env', 'MY_OIDC_TOKEN'], { env: { MY_OIDC_TOKEN: token, CIRCLE_OIDC_TOKEN_V2: circleToken() }, answer: true });
    assert.equal(subjectTokenSent(), token);
  });

  it("quotes a refused token's issuer as data: no escape sequence or line break of it reaches the failure line", async () => {
    const path = join(dir, 'hostile-issuer.jwt');
    writeFileSync(path, gitlabToken({ iss: 'https://evil.example/\u001b[2K\u001b[1G\r\n::warning::INJECTED' }));
    const run = await runCli(fake, ['token', '--workload-identity-provider', gitlab.name, '--oidc-token-file', path], { githubActions: true });
    const line = cliFailure(run);
    assert.match(line, /refused the job's OIDC token \(HTTP 400 invalid_grant: .*the issuer in ID Token .* does not match.*Fix: Check the provider's issuer \(https:\/\/evil\.example\/ ::warning::INJECTED \[\d+ characters removed\]\)/);
    assert.doesNotMatch(run.stderr, /(?!\n)\p{Cc}/u, 'no control character on stderr but the line ends');
    assert.ok(!run.commands.some((command) => command.command === 'warning'), 'no workflow command from the token');
  });

  it('refuses, before any request, a token file that is missing or holds no JWT, and a variable that is empty', async () => {
    const provider = ['token', '--workload-identity-provider', gitlab.name];
    const missing = await runCli(fake, [...provider, '--oidc-token-file', join(dir, 'none.jwt')]);
    assert.match(cliFailure(missing), /Cannot read the OIDC token file \S+none\.jwt, which --oidc-token-file names \(ENOENT\)/);
    const notJwt = join(dir, 'not.jwt');
    writeFileSync(notJwt, 'ghp_notAJwtButASecret1234567890');
    const garbage = await runCli(fake, [...provider, '--oidc-token-file', notJwt], { secrets: ['ghp_notAJwtButASecret1234567890'] });
    assert.match(cliFailure(garbage), /What the file \S+not\.jwt holds is not an OIDC token: a JWT is three base64url parts joined by dots \(its content is not shown\)/);
    const empty = await runCli(fake, [...provider, '--oidc-token-env', 'EMPTY'], { env: { EMPTY: '' } });
    assert.match(cliFailure(empty), /There is no OIDC token in the variable EMPTY: it is empty\. Fix: Set EMPTY to your CI's OIDC token/);
    assert.deepEqual(fake.requests, []);
  });
});
