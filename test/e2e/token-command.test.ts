import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { DIST, failure, MAIN, POST } from '../support/action.ts';
import { type FakeGoogle, type FakeProvider, type FakeUser, type ServiceAccountKey } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { removeJob, runTokenJob, SHELL_STEP, traceLoads, type TokenJob } from '../support/job.ts';
import { reportedMode, WINDOWS } from '../support/platform.ts';
import { findLeaks, makeTempDir, runJob, runStep, type StepResult } from '../support/runner.ts';

const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';

let fake: FakeGoogle;
let user: FakeUser;
let key: ServiceAccountKey;
let provider: FakeProvider;
const jobs: TokenJob[] = [];

useFakeGoogle(
  (started) => {
    fake = started;
    key = fake.addServiceAccountKey();
    provider = fake.addProvider();
    fake.grantTokenCreator(TARGET, key.email);
    fake.grantTokenCreator(TARGET, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
  },
  () => {
    user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
    fake.grantTokenCreator(TARGET, user.email);
  },
);
afterEach(() => {
  for (const job of jobs.splice(0)) removeJob(job);
});

async function job(inputs: Record<string, string>, runs: string[], options: Parameters<typeof runTokenJob>[3] = {}): Promise<TokenJob> {
  const result = await runTokenJob(fake, inputs, runs, { ...options, env: { ...fake.oidcEnv, ...options.env } });
  jobs.push(result);
  assert.equal(result.main.code, 0, result.main.stdout);
  return result;
}

function ran(step: StepResult | null | undefined): StepResult {
  assert.ok(step, 'the step ran');
  return step;
}

/** The lines a `run:` step printed that are not workflow commands. */
function printed(step: StepResult | null | undefined): string[] {
  const { code, stdout } = ran(step);
  assert.equal(code, 0, stdout);
  return stdout.split('\n').filter((line) => line !== '' && !line.startsWith('::'));
}

const USER_CREDENTIALS = (): Record<string, string> => ({ credentials_json: JSON.stringify(user.json) });

describe('gemini-auth-token', () => {
  it('is on PATH for later steps and prints the current token, without a request, while it lives long enough', async () => {
    const run = await job(USER_CREDENTIALS(), ['token=$(gemini-auth-token); echo "token=[$token]"', 'gemini-auth-token --json']);
    const token = run.main.outputs.access_token ?? '';
    assert.deepEqual(printed(run.runs[0]), [`token=[${token}]`], 'stdout carries the token alone');
    assert.deepEqual(JSON.parse(printed(run.runs[1])[0] ?? ''), { access_token: token, expires_at: run.main.outputs.expires_at });
    assert.equal(fake.count('token'), 1, 'no request beyond the main step');
    for (const step of run.runs) assert.deepEqual(step?.masks, [], 'nothing new to mask');
    assert.equal(run.post?.code, 0);
    assert.ok(!existsSync(run.folder), 'the post step removes the folder');
    assert.deepEqual(readdirSync(run.runnerTemp), [], 'and the credentials file');
  });

  it('keeps its state in a private folder of RUNNER_TEMP: the token, the refresh settings without secrets, and a wrapper around this Node', async () => {
    const run = await job(USER_CREDENTIALS(), [], { skipPost: true });
    assert.match(run.folder, /[\\/]gemini-auth-[0-9a-f]{24}$/);
    assert.equal(join(run.folder, '..'), run.runnerTemp);
    assert.deepEqual(readdirSync(run.folder).sort(), ['bin', 'refresh.json', 'token.json']);
    // On Windows the .cmd for cmd and PowerShell too, and it is what token_command names (the unit tests check its content).
    const commands = WINDOWS ? ['gemini-auth-token', 'gemini-auth-token.cmd'] : ['gemini-auth-token'];
    assert.deepEqual(readdirSync(join(run.folder, 'bin')).sort(), commands);
    const mode = (path: string): number => statSync(join(run.folder, path)).mode & 0o777;
    assert.deepEqual(
      [mode('.'), mode('bin'), ...commands.map((name) => mode(join('bin', name))), mode('token.json'), mode('refresh.json')],
      [0o700, 0o700, ...commands.map(() => 0o700), 0o600, 0o600].map(reportedMode),
    );
    const wrapper = readFileSync(join(run.folder, 'bin', 'gemini-auth-token'), 'utf8');
    assert.equal(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${join(DIST, 'token', 'index.js')}' '--state' '${run.folder}' "$@"\n`);
    assert.equal(run.main.outputs.token_command, join(run.folder, 'bin', commands.at(-1) ?? ''), 'the output token_command names it');
    const settings = readFileSync(join(run.folder, 'refresh.json'), 'utf8');
    for (const secret of fake.secrets()) assert.ok(!settings.includes(secret), 'the refresh settings hold no secret');
    assert.equal(JSON.parse(settings).credentialsFile, run.main.outputs.credentials_file_path);
  });

  it('refreshes a token that expires within min_token_lifetime: one request, and the new token is masked before it is printed', async () => {
    fake.tokenLifetimeSeconds = 300;
    const run = await job(USER_CREDENTIALS(), ['token=$(gemini-auth-token); echo "token=[$token]"', 'gemini-auth-token --min-lifetime 60']);
    const [line] = printed(run.runs[0]);
    const token = /^token=\[(.+)\]$/.exec(line ?? '')?.[1] ?? '';
    assert.ok(fake.issuedTokens.has(token), 'a token the fake issued');
    assert.notEqual(token, run.main.outputs.access_token);
    assert.equal(fake.count('token'), 2, 'one refresh');
    const stdout = run.runs[0]?.stdout ?? '';
    assert.ok(stdout.indexOf(`::add-mask::${token}\n`) >= 0 && stdout.indexOf(`::add-mask::${token}\n`) < stdout.indexOf(`token=[`), 'masked before it is printed');
    assert.deepEqual(printed(run.runs[1]), [token], 'the new token is kept for the next call');
  });

  it('takes --min-lifetime in seconds, minutes or hours, and refuses anything else', async () => {
    const run = await job(USER_CREDENTIALS(), ['gemini-auth-token --min-lifetime 30m', 'gemini-auth-token --min-lifetime=1h', 'gemini-auth-token --min-lifetime soon']);
    const token = run.main.outputs.access_token;
    assert.deepEqual(printed(run.runs[0]), [token], '30 minutes: the current token will do');
    const [refreshed] = printed(run.runs[1]);
    assert.notEqual(refreshed, token, 'an hour: a 3599 s token will not');
    assert.equal(fake.count('token'), 2);
    assert.match(failure(ran(run.runs[2])), /--min-lifetime must be a duration .* not "soon"/);
  });

  it('explains its options with --help, and refuses unknown ones', async () => {
    const run = await job(USER_CREDENTIALS(), ['gemini-auth-token --help', 'gemini-auth-token --verbose']);
    const help = run.runs[0]?.stdout ?? '';
    assert.match(help, /^Usage: gemini-auth-token \[--min-lifetime SECONDS\] \[--json\]/);
    // As README advises: the token taken on a line of its own, never inside the curl line, and the quota project sent.
    assert.match(help, /^ {2}token=\$\(gemini-auth-token\)\n {2}curl --fail-with-body -sS -H "Authorization: Bearer \$token" \\\n {4}-H "x-goog-user-project: \$GOOGLE_CLOUD_QUOTA_PROJECT" \\\n/m);
    assert.doesNotMatch(help, /Bearer \$\(/);
    assert.match(help, /\$token = gemini-auth-token; if \(\$LASTEXITCODE\)/);
    assert.doesNotMatch(help, /--state/, 'the internal option is not advertised');
    const message = failure(ran(run.runs[1]));
    assert.match(message, /Unknown option '--verbose'/);
    assert.match(message, /Fix: Run gemini-auth-token --help/);
    assert.equal(fake.count('token'), 1);
  });

  it('refreshes every kind of credentials the action takes, from the file the step wrote', async () => {
    const externalAccount = {
      type: 'external_account',
      audience: provider.stsAudience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${fake.url}/sts/v1/token`,
      credential_source: {
        url: `${fake.oidcRequestUrl}&audience=${encodeURIComponent(provider.allowedAudiences[0] ?? '')}`,
        headers: { Authorization: `Bearer ${fake.oidcRequestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
    };
    const impersonatedFile = {
      type: 'impersonated_service_account',
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`,
      source_credentials: user.json,
      delegates: [],
    };
    // A federated token lives as long as the OIDC token it came from: 5 minutes.
    const FEDERATED = `principal://iam.googleapis.com/${provider.pool}/subject/repo:octo-org/octo-repo:ref:refs/heads/main`;
    const cases: { name: string; inputs: Record<string, string>; requests: string[]; principal: string; lifetime?: number }[] = [
      { name: 'authorized_user', inputs: USER_CREDENTIALS(), requests: ['token'], principal: user.email },
      { name: 'service_account key', inputs: { credentials_json: JSON.stringify(key.json) }, requests: ['token'], principal: key.email },
      { name: 'service_account key, impersonating', inputs: { credentials_json: JSON.stringify(key.json), service_account: TARGET }, requests: ['token', 'iamcredentials'], principal: TARGET, lifetime: 3600 },
      { name: 'impersonated_service_account file', inputs: { credentials_json: JSON.stringify(impersonatedFile) }, requests: ['token', 'iamcredentials'], principal: TARGET, lifetime: 3600 },
      { name: 'external_account', inputs: { credentials_json: JSON.stringify(externalAccount) }, requests: ['oidc', 'sts'], principal: FEDERATED, lifetime: 300 },
      { name: 'workload identity', inputs: { workload_identity_provider: provider.name }, requests: ['oidc', 'sts'], principal: FEDERATED, lifetime: 300 },
      { name: 'workload identity, impersonating', inputs: { workload_identity_provider: provider.name, service_account: TARGET, access_token_lifetime: '1800s' }, requests: ['oidc', 'sts', 'iamcredentials'], principal: TARGET, lifetime: 1800 },
    ];
    for (const { name, inputs, requests, principal, lifetime = 3599 } of cases) {
      fake.requests.length = 0;
      const oidcTokens = fake.issuedOidcTokens.length;
      // google-auth-library (external accounts) would log whole token answers with this set.
      const run = await job(inputs, ['gemini-auth-token --min-lifetime 1h --json'], { env: { GOOGLE_SDK_NODE_LOGGING: '*' } });
      const answer = JSON.parse(printed(run.runs[0])[0] ?? '{}') as { access_token: string; expires_at: string };
      assert.notEqual(answer.access_token, run.main.outputs.access_token, name);
      assert.equal(fake.issuedTokens.get(answer.access_token)?.principal, principal, name);
      assert.deepEqual(fake.requests.map((request) => request.endpoint), [...requests, ...requests], `${name}: the refresh makes the requests the step made`);
      const left = Date.parse(answer.expires_at) - Date.now();
      assert.ok(left > (lifetime - 60) * 1000 && left <= lifetime * 1000, `${name}: expires in ${left} ms`);
      if (requests.includes('oidc')) assert.equal(fake.issuedOidcTokens.length, oidcTokens + 2, `${name}: a fresh OIDC token for the refresh`);
    }
  });

  it('refreshes without a credentials file too, from a copy in its own folder', async () => {
    const run = await job({ ...USER_CREDENTIALS(), create_credentials_file: 'false' }, ['gemini-auth-token --min-lifetime 1h'], { skipPost: true });
    assert.equal(run.main.outputs.credentials_file_path, '');
    const [copy] = readdirSync(run.folder).filter((name) => name.endsWith('.json') && name.startsWith('gemini-auth-'));
    assert.ok(copy, 'the folder holds the ADC content');
    assert.equal(statSync(join(run.folder, copy)).mode & 0o777, reportedMode(0o600));
    assert.ok(fake.issuedTokens.has(printed(run.runs[0])[0] ?? ''));
    assert.equal(fake.count('token'), 2);
  });

  it('fails with the action\'s own words when the credentials were revoked', async () => {
    const running = job(USER_CREDENTIALS(), ['gemini-auth-token --min-lifetime 1h']);
    // Revoke once the main step has its token, before the later step refreshes.
    while (fake.count('token') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    fake.revokeRefreshToken(user.refreshToken);
    const run = await running;
    const message = failure(ran(run.runs[0]));
    assert.match(message, /Google rejected the refresh token in credentials_json \(HTTP 400 invalid_grant/);
    assert.match(message, /Fix: Publish the app/);
    assert.equal(fake.count('token'), 2, 'a definite answer is not retried');
  });

  it("hides every part of the credentials file's secrets from an answer that echoes the refresh, where the runner's masks of whole values do not reach", async () => {
    const running = job(USER_CREDENTIALS(), ['gemini-auth-token --min-lifetime 1h']);
    while (fake.count('token') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    fake.revokeRefreshToken(user.refreshToken);
    // The refresh request comes back inside the error, cut at 400 characters just before the refresh token's end.
    fake.alterAnswers('token', (_body, _status, request) => ({ error: 'invalid_request', error_description: `${'x'.repeat(Math.max(0, 390 - request.body.length))} ${request.body}` }));
    const run = await running;
    const message = failure(ran(run.runs[0]));
    assert.match(message, /\[redacted\]/);
    for (const secret of [user.refreshToken, user.clientSecret]) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) {
        for (let at = 0; at + 12 <= form.length; at++) assert.ok(!message.includes(form.slice(at, at + 12)), `a piece of a secret is in the error: ${form.slice(at, at + 12)}`);
      }
    }
  });

  it('refreshes once for 20 parallel calls that find the token dead: the others wait and print what it wrote', async (t) => {
    // The current token is made to have expired; the one refreshed lives long enough for every caller.
    const expire = 'folder=$(dirname "$(dirname "$(command -v gemini-auth-token)")"); printf \'{"access_token":"ya29.dead","expires_at":"2000-01-01T00:00:00Z"}\' > "$folder/token.json"';
    const parallel = 'for i in $(seq 20); do gemini-auth-token > "token-$i.txt" & done; wait; sort -u token-*.txt; rm token-*.txt';
    for (const flow of [
      { name: 'authorized_user', inputs: USER_CREDENTIALS, refresh: ['token'] as const },
      { name: 'workload identity, impersonating', inputs: () => ({ workload_identity_provider: provider.name, service_account: TARGET }), refresh: ['oidc', 'sts', 'iamcredentials'] as const },
    ]) {
      await t.test(flow.name, async () => {
        fake.reset();
        user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
        fake.grantTokenCreator(TARGET, user.email);
        const run = await job(flow.inputs(), [expire, parallel], { skipPost: true });
        const tokens = printed(run.runs[1]);
        assert.equal(tokens.length, 1, `every call printed the same token: ${tokens.join(', ')}`);
        assert.ok(fake.issuedTokens.has(tokens[0] ?? '') && tokens[0] !== run.main.outputs.access_token, 'a token refreshed after the main step');
        for (const endpoint of flow.refresh) assert.equal(fake.count(endpoint), 2, `${endpoint}: the main step's request and one refresh`);
        assert.deepEqual(readdirSync(run.folder).sort(), ['bin', 'refresh.json', 'token.json'], 'the lock is gone');
      });
    }
  });

  it('keeps token.json whole when calls refresh in parallel', async () => {
    fake.tokenLifetimeSeconds = 300;
    const parallel = 'for i in 1 2 3 4 5 6 7 8; do gemini-auth-token > /dev/null & done; wait';
    const run = await job(USER_CREDENTIALS(), [parallel, 'gemini-auth-token --min-lifetime 60'], { skipPost: true });
    assert.equal(run.runs[0]?.code, 0, run.runs[0]?.stdout);
    assert.equal(fake.count('token'), 1 + 8, 'each call refreshed a 300 s token');
    const [last] = printed(run.runs[1]);
    assert.ok(fake.issuedTokens.has(last ?? '') && last !== run.main.outputs.access_token, 'one of the refreshed tokens, read whole');
    assert.deepEqual(readdirSync(run.folder).sort(), ['bin', 'refresh.json', 'token.json'], 'no temporary file left');
  });

  const openRunnerTemp = WINDOWS
    ? 'takes a RUNNER_TEMP whatever chmod made of it on Windows, where its ACL, not mode bits, says who may write to it (SECURITY.md)'
    : 'refuses a RUNNER_TEMP that anyone may write to without the sticky bit: there another user could rename its folder and plant a command';
  it(openRunnerTemp, async () => {
    const runnerTemp = await makeTempDir('gemini-auth-open-runner-temp-');
    chmodSync(runnerTemp, 0o777);
    try {
      if (WINDOWS) {
        // chmod only decides the read-only attribute there, and the check that needs mode bits does not run.
        const { steps, failed } = await runJob(
          [
            { script: MAIN, inputs: { endpoints: fake.endpointsInput, ...USER_CREDENTIALS(), create_credentials_file: 'false' } },
            { script: SHELL_STEP, env: { STEP_RUN: 'gemini-auth-token' } },
          ],
          { env: { ACTIONS_STEP_DEBUG: 'true', GCE_METADATA_HOST: fake.hostPort }, runnerTemp },
        );
        assert.ok(!failed, steps.map((step) => step?.stdout).join('\n'));
        assert.deepEqual(findLeaks(ran(steps[0]), fake.secrets()), []);
        assert.deepEqual(printed(steps[1]), [ran(steps[0]).outputs.access_token], 'the command it installed there works');
        return;
      }
      // The other user, whenever the folder is there: theirs in its place, with a gemini-auth-token of their own.
      const plant = 'for f in "$RUNNER_TEMP"/gemini-auth-*; do mv "$f" "$f.moved"; mkdir -p "$f/bin"; printf \'#!/bin/sh\\necho PLANTED\\n\' > "$f/bin/gemini-auth-token"; chmod +x "$f/bin/gemini-auth-token"; done';
      const { steps, failed } = await runJob(
        [
          { script: MAIN, inputs: { endpoints: fake.endpointsInput, ...USER_CREDENTIALS(), create_credentials_file: 'false' } },
          { script: SHELL_STEP, env: { STEP_RUN: plant }, always: true },
          { script: SHELL_STEP, env: { STEP_RUN: 'gemini-auth-token' } },
        ],
        { env: { ACTIONS_STEP_DEBUG: 'true', GCE_METADATA_HOST: fake.hostPort }, runnerTemp },
      );
      assert.ok(failed);
      assert.match(failure(ran(steps[0])), /The folder .* for gemini-auth-token is writable by every user and has no sticky bit/);
      assert.equal(fake.requests.length, 0, 'refused before any request');
      for (const step of steps) assert.ok(!step?.stdout.includes('PLANTED'), 'no later step ran the planted command');
      assert.deepEqual(readdirSync(runnerTemp), [], 'nothing written there');
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
  });

  it('writes nothing into its folder once someone swapped it for another, even between creating and writing', async () => {
    const runnerTemp = await makeTempDir('gemini-auth-runner-temp-');
    try {
      // The swap happens while the main step waits for its token.
      fake.inject('token', { delayMs: 1500 });
      const running = runStep(MAIN, { inputs: { endpoints: fake.endpointsInput, ...USER_CREDENTIALS() }, runnerTemp, env: { ACTIONS_STEP_DEBUG: 'true' } });
      while (fake.count('token') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const name = readdirSync(runnerTemp).find((entry) => /^gemini-auth-[0-9a-f]+$/.test(entry));
      assert.ok(name, 'the folder is made before the token is asked for');
      renameSync(join(runnerTemp, name), join(runnerTemp, `${name}.moved`));
      mkdirSync(join(runnerTemp, name), { mode: 0o700 });
      const main = await running;
      assert.match(failure(main), /The folder .*gemini-auth-[0-9a-f]+ that gemini-auth created for gemini-auth-token was replaced or opened to others before gemini-auth wrote into it\./);
      assert.deepEqual(readdirSync(join(runnerTemp, name)), [], 'nothing went into the folder in its place');
      assert.deepEqual(main.addedPath, [], 'and nothing of it onto the PATH');
      assert.deepEqual(findLeaks(main, fake.secrets()), []);
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
  });

  it('leaves in place a folder someone put where its own was: the post step removes only what the main step created', async () => {
    const run = await job(USER_CREDENTIALS(), [], { skipPost: true });
    renameSync(run.folder, `${run.folder}.moved`);
    mkdirSync(run.folder, { mode: 0o700 });
    writeFileSync(join(run.folder, 'theirs.txt'), 'kept');
    const post = await runStep(POST, { state: run.main.state, runnerTemp: run.runnerTemp });
    assert.equal(post.code, 0, post.stdout);
    assert.deepEqual(readdirSync(run.folder), ['theirs.txt'], 'the folder in its place stays');
    assert.match(post.warnings.join('\n'), /Not removing .*gemini-auth-[0-9a-f]+: it is no longer what gemini-auth created there/);
    assert.ok(!existsSync(run.main.outputs.credentials_file_path ?? ''), 'what is still its own goes');
  });

  it('says what to do when its state is gone', async () => {
    const run = await job(USER_CREDENTIALS(), ['folder=$(dirname "$(dirname "$(command -v gemini-auth-token)")"); rm "$folder/refresh.json" "$folder/token.json"; gemini-auth-token']);
    const message = failure(ran(run.runs[0]));
    assert.match(message, /gemini-auth-token finds no state in .*gemini-auth-[0-9a-f]{24}/);
    assert.match(message, /Fix: Call gemini-auth-token in the steps after the gemini-auth step of the same job/);
  });

  it('loads nothing but its own small bundle while the token lives long enough', async () => {
    const dir = await makeTempDir();
    try {
      const fast = join(dir, 'fast');
      const slow = join(dir, 'slow');
      const env = (file: string): string => Object.entries(traceLoads(file)).map(([name, value]) => `${name}='${value}'`).join(' ');
      await job(USER_CREDENTIALS(), [`${env(fast)} gemini-auth-token`, `${env(slow)} gemini-auth-token --min-lifetime 1h`]);
      const fromDist = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((url) => url.includes('/dist/')).map((url) => url.slice(url.indexOf('/dist/') + 1));
      assert.deepEqual(fromDist(fast), ['dist/token/index.js']);
      assert.ok(fromDist(slow).length > 1, 'a refresh loads the token sources besides');
      const bundle = readFileSync(join(DIST, 'token', 'index.js'), 'utf8');
      assert.ok(bundle.length < 32 * 1024, `the command's bundle is ${bundle.length} bytes`);
      for (const heavy of ['issueFileCommand', 'GoogleAuth', 'gaxios']) assert.ok(!bundle.includes(heavy), `the bundle holds ${heavy}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
