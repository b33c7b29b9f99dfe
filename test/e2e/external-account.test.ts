// external_account configurations through the built action: impersonation in the
// configuration's own shape, the lifetime that wins, mistakes named with their
// field before any request, local failures that are not retried, and executable
// sources that are bounded, reported and cleaned up.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider } from '../support/fake-google.ts';
import { escapeRegExp, shellScriptCommand, WINDOWS } from '../support/platform.ts';
import { makeTempDir } from '../support/runner.ts';

const SA = 'gemini-ci@my-project.iam.gserviceaccount.com';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ALLOW = { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' };
const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

let fake: FakeGoogle;
let provider: FakeProvider;
let dir: string;
let files = 0;

before(async () => {
  fake = await startFakeGoogle();
  provider = fake.addProvider({ name: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/external' });
  fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
  dir = await makeTempDir('gemini-auth-external-');
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
});

function writeFile(content: string, mode = 0o600): string {
  const file = join(dir, `file-${++files}`);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

/** A configuration whose file source holds a GitHub OIDC token the provider accepts. */
function fileConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'external_account',
    audience: provider.stsAudience,
    subject_token_type: JWT,
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: { file: writeFile(fake.mintOidcToken({}, provider.allowedAudiences[0])) },
    ...extra,
  };
}

const impersonationUrl = (account: string): string => `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${account}:generateAccessToken`;

/** An executable source whose script is `body` (sh). */
function executableConfig(body: string, executable: Record<string, unknown> = {}): Record<string, unknown> {
  const command = shellScriptCommand(writeFile(`#!/bin/sh\n${body}\n`, 0o700));
  return { ...fileConfig(), credential_source: { executable: { command, ...executable } } };
}

/** Whether a process has ended (gone, or a zombie its new parent has yet to reap), waiting a moment for the kill to land. */
async function ended(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 20; tries++) {
    try {
      process.kill(pid, 0);
      // Only Linux shows a zombie in /proc; elsewhere a process that answers runs (macOS's launchd reaps at once, Windows has none).
      if (process.platform === 'linux' && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function executableResponse(): string {
  return JSON.stringify({ version: 1, success: true, token_type: JWT, id_token: fake.mintOidcToken({}, provider.allowedAudiences[0]), expiration_time: Math.floor(Date.now() / 1000) + 300 });
}

describe('external_account impersonation', () => {
  it('with the input service_account: STS, then generateAccessToken; an external_account file that impersonates; the project from the email', async () => {
    const config = fileConfig();
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(config), service_account: SA });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts', 'iamcredentials']);
    assert.equal(new URLSearchParams(fake.requests[0]?.body).get('scope'), 'https://www.googleapis.com/auth/cloud-platform', 'a token that only impersonates');
    assert.equal(main.outputs.auth_type, 'external_account');
    assert.equal(main.outputs.principal, SA);
    assert.equal(fake.issuedTokens.get(main.outputs.access_token ?? '')?.principal, SA);
    assert.equal(main.outputs.project_id, 'my-project');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_PROJECT, 'my-project');
    assert.deepEqual(file?.content, {
      type: 'external_account',
      audience: provider.stsAudience,
      subject_token_type: JWT,
      token_url: `${fake.url}/sts/v1/token`,
      token_info_url: `${fake.url}/sts/v1/introspect`,
      credential_source: config.credential_source,
      service_account_impersonation_url: `${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
      quota_project_id: 'my-project',
    });
    assert.deepEqual(main.warnings, []);
  });

  it("takes the configuration's token_lifetime_seconds, unless access_token_lifetime is set, and says which won", async () => {
    const config = fileConfig({ service_account_impersonation_url: impersonationUrl(SA), service_account_impersonation: { token_lifetime_seconds: 1800 } });
    const own = await runAction(fake, { credentials_json: JSON.stringify(config) });
    assert.equal(own.main.code, 0, own.main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts', 'iamcredentials']);
    assert.equal(JSON.parse(fake.requests[1]?.body ?? '{}').lifetime, '1800s', "the configuration's lifetime");
    assert.deepEqual(own.file?.content.service_account_impersonation, { token_lifetime_seconds: 1800 });
    assert.equal(own.main.outputs.principal, SA);

    fake.reset();
    const input = await runAction(fake, { credentials_json: JSON.stringify(config), access_token_lifetime: '15m' });
    assert.equal(input.main.code, 0, input.main.stdout);
    assert.equal(JSON.parse(fake.requests[1]?.body ?? '{}').lifetime, '900s', 'the input wins when set');
    assert.match(input.main.stdout, /The input access_token_lifetime \(900s\) is used instead of the configuration's service_account_impersonation\.token_lifetime_seconds \(1800s\)/);
    assert.deepEqual(input.file?.content.service_account_impersonation, { token_lifetime_seconds: 900 }, 'later steps get the lifetime this step used');
  });

  it('refuses service_account on top of a configuration that impersonates already, and delegates, before any request', async () => {
    const impersonating = await runAction(fake, { credentials_json: JSON.stringify(fileConfig({ service_account_impersonation_url: impersonationUrl(SA) })), service_account: 'other@my-project.iam.gserviceaccount.com' });
    assert.match(failure(impersonating.main), new RegExp(`The external_account credentials_json cannot impersonate other@my-project\\.iam\\.gserviceaccount\\.com on top of ${SA}, which it impersonates already: .*Fix: Impersonate one service account, named once: leave service_account \\(and delegates\\) unset to use the configuration as it is, or remove its service_account_impersonation_url`));
    const delegated = await runAction(fake, { credentials_json: JSON.stringify(fileConfig()), service_account: SA, delegates: 'hop@my-project.iam.gserviceaccount.com' });
    assert.match(failure(delegated.main), new RegExp(`The external_account credentials_json cannot impersonate ${SA} through delegates: its credentials file for later steps names one service account`));
    assert.deepEqual(fake.requests, []);
  });
});

describe('external_account configuration mistakes: named with the field and the fix, before any request', () => {
  const base = (): Record<string, unknown> => fileConfig();
  const cases: [string, () => Record<string, unknown>, RegExp, RegExp, Record<string, string>?][] = [
    ['no credential_source', () => ({ ...base(), credential_source: undefined }), /external_account credentials_json lacks the object credential_source/, /credential_source/],
    ['an empty credential_source', () => ({ ...base(), credential_source: {} }), /credential_source of the external_account credentials_json names no source/, /exactly one of file, url/],
    ['file and url both', () => ({ ...base(), credential_source: { file: '/x', url: 'https://x' } }), /names 2 sources \(file and url\), and takes one/, /exactly one of/],
    ['format xml', () => ({ ...base(), credential_source: { file: '/x', format: { type: 'xml' } } }), /credential_source\.format\.type of the external_account credentials_json is "xml", and it takes text or json/, /json/],
    ['json without its field name', () => ({ ...base(), credential_source: { file: '/x', format: { type: 'json' } } }), /credential_source\.format .* is json without subject_token_field_name/, /subject_token_field_name/],
    ['environment_id azure1', () => ({ ...base(), credential_source: { environment_id: 'azure1', regional_cred_verification_url: 'https://sts.amazonaws.com' } }), /environment_id of the external_account credentials_json is "azure1", and Google's client libraries know only aws1/, /aws1/],
    ['timeout_millis -1', () => executableConfig('exit 0', { timeout_millis: -1 }), /executable\.timeout_millis of the external_account credentials_json is -1/, /from 5000 to 120000/, ALLOW],
    ['an executable without command', () => ({ ...base(), credential_source: { executable: { timeout_millis: 5000 } } }), /credential_source\.executable of the external_account credentials_json has no command/, /command/, ALLOW],
    ['certificate {}', () => ({ ...base(), credential_source: { certificate: {} } }), /credential_source\.certificate of the external_account credentials_json names no certificate configuration/, /certificate_config_location/],
    ['workforce_pool_user_project on a workload pool', () => ({ ...base(), workforce_pool_user_project: '123' }), /sets workforce_pool_user_project, which only workforce pools take/, /workforce/],
    ['a token_lifetime_seconds that is no number', () => ({ ...base(), service_account_impersonation_url: impersonationUrl(SA), service_account_impersonation: { token_lifetime_seconds: '1h' } }), /token_lifetime_seconds that is not a number of seconds/, /3600/],
    ['an executable, not allowed', () => executableConfig('exit 0'), /runs the executable \S+ \(credential_source\.executable\.command\), and Google's client libraries run executables only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1/, /set GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 in the environment of this step/],
    ['AWS on a GitHub-hosted runner without AWS credentials', () => ({ ...base(), credential_source: { environment_id: 'aws1', region_url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone', url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials', regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15' } }), /takes its subject token from AWS \(credential_source\.environment_id aws1\), and this GitHub-hosted runner is no AWS instance/, /workload_identity_provider/],
  ];
  for (const [name, config, message, fix, env] of cases) {
    it(name, async () => {
      const { main } = await runAction(fake, { credentials_json: JSON.stringify(config()) }, { env: env ?? {} });
      const line = failure(main);
      assert.match(line, message);
      assert.match(line.slice(line.indexOf(' Fix: ')), fix);
      assert.doesNotMatch(line, /Please report it/);
      assert.deepEqual(fake.requests, []);
    });
  }
});

describe('external_account credential sources: local failures are answers, network failures are retried', () => {
  it('a missing credential_source.file fails at once with the path, not as an outage', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...fileConfig(), credential_source: { file: join(dir, 'not-there.jwt') } }) });
    const line = failure(main);
    const missing = escapeRegExp(join(dir, 'not-there.jwt'));
    assert.match(line, new RegExp(`could not get its subject token from credential_source\\.file ${missing} \\(The file at ${missing} does not exist`));
    assert.match(line, /Fix: Make sure an earlier step writes credential_source\.file/);
    assert.doesNotMatch(line, /outage|attempts/);
    assert.deepEqual(fake.requests, []);
    assert.ok(main.durationMs < 3000, `took ${main.durationMs} ms`);
  });

  it('a credential_source.url that answers 404 is an answer: one request, the URL without its query named', async () => {
    const config = { ...fileConfig(), credential_source: { url: `${fake.url}/nowhere?secret-query=1`, headers: { 'x-api-key': 'header-secret-value' } } };
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config) }, { secrets: ['header-secret-value'] });
    const line = failure(main);
    assert.match(line, new RegExp(`could not get its subject token: credential_source\\.url ${fake.url}/nowhere answered HTTP 404`));
    assert.doesNotMatch(line, /secret-query/);
    assert.equal(fake.count('unknown'), 1);
    assert.ok(main.masks.includes('header-secret-value'), 'the header is masked');
  });

  it('a credential_source.url that fails once is retried by our loop, the library\'s own retries off', async () => {
    fake.inject('oidc', { status: 503 }, 1);
    const config = { ...fileConfig(), credential_source: { url: `${fake.oidcRequestUrl}&audience=${encodeURIComponent(provider.allowedAudiences[0] ?? '')}`, headers: { Authorization: `Bearer ${fake.oidcRequestToken}` }, format: { type: 'json', subject_token_field_name: 'value' } } };
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config) });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['oidc', 'oidc', 'sts']);
  });
});

describe('external_account executable sources', () => {
  it('runs the program with the protocol\'s environment and exchanges what it prints', async () => {
    const expected = `[ "$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE" = "${provider.stsAudience}" ] && [ "$GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE" = "${JWT}" ] && [ "$GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE" = 0 ] && [ "$GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL" = "${SA}" ] || { echo "wrong environment" >&2; exit 3; }`;
    const config = executableConfig(`${expected}\nprintf '%s' '${executableResponse()}'`);
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config), service_account: SA }, { env: ALLOW });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts', 'iamcredentials']);
    assert.equal(main.outputs.principal, SA);
  });

  it('a program that is not there: one clear error with the command and the fix, no stack trace', async () => {
    const config = { ...fileConfig(), credential_source: { executable: { command: './command -opt', timeout_millis: 5000 } } };
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config) }, { env: ALLOW });
    const line = failure(main);
    assert.match(line, /The executable \.\/command of the external_account credentials_json could not be started \(ENOENT: no such file\)/);
    assert.doesNotMatch(line, /-opt/, 'arguments may hold secrets');
    assert.match(line, /Fix: Install the program on the runner, or correct credential_source\.executable\.command/);
    assert.ok(main.stdout.indexOf('::endgroup::') < main.stdout.indexOf('::error::'), 'the log group is closed');
    assert.doesNotMatch(main.stdout + main.stderr, STACK_TRACE);
  });

  it('a program that fails says how, with its error output; one that reports a failure says what it reported', async () => {
    const failing = await runAction(fake, { credentials_json: JSON.stringify(executableConfig('echo "cannot reach the identity provider" >&2\nexit 4')) }, { env: ALLOW });
    assert.match(failure(failing.main), /The executable \S+ of the external_account credentials_json failed \(exit code 4; its error output: cannot reach the identity provider\)/);
    const reporting = await runAction(fake, { credentials_json: JSON.stringify(executableConfig(`printf '%s' '{"version":1,"success":false,"code":"401","message":"Caller not authorized."}'`)) }, { env: ALLOW });
    assert.match(failure(reporting.main), /reported a failure \(401: Caller not authorized\.\)/);
    assert.deepEqual(fake.requests, []);
  });

  it('a program whose child keeps stdout open is stopped at timeout_millis, its whole process group with it', async () => {
    const pids = join(dir, 'pids');
    // The shell's own process and its child's; on Windows Git Bash gives their Windows process ids in /proc/PID/winpid.
    const ids = WINDOWS ? '"$(cat /proc/$$/winpid) $(cat /proc/$!/winpid)"' : '"$$ $!"';
    const config = executableConfig(`sleep 600 &\necho ${ids} > '${pids}'\nsleep 600`, { timeout_millis: 5000 });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config) }, { env: ALLOW, timeoutMs: 20_000 });
    const line = failure(main);
    assert.match(line, /The executable \S+ of the external_account credentials_json did not finish within 5000 ms \(credential_source\.executable\.timeout_millis/);
    assert.match(line, /Fix: .*raise credential_source\.executable\.timeout_millis/);
    assert.ok(main.durationMs < 8000, `took ${main.durationMs} ms`);
    for (const pid of readFileSync(pids, 'utf8').trim().split(' ').map(Number)) assert.ok(await ended(pid), `process ${pid} is still running`);
  });

  it('the input timeout bounds a program whose timeout_millis is longer', async () => {
    const config = executableConfig('sleep 600', { timeout_millis: 60_000 });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(config), timeout: '2' }, { env: ALLOW });
    assert.match(failure(main), /did not finish within (19\d\d|2000) ms/);
    assert.ok(main.durationMs < 4000, `took ${main.durationMs} ms`);
  });
});
