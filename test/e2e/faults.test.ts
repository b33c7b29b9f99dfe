// Faults of every endpoint, through the built action: each run either succeeds
// after retries within the deadline or fails with one clear message; none
// crashes, none leaves a file behind, none leaks (runAction scans every run).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, runAction, type ActionRun } from '../support/action.ts';
import { startFakeCache } from '../support/fake-cache.ts';
import { startFakeGoogle, type Endpoint, type Fault, type FakeGoogle } from '../support/fake-google.ts';

const SA = 'gemini-ci@my-project.iam.gserviceaccount.com';
const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

interface Scenario {
  fake: FakeGoogle;
  inputs: Record<string, string>;
  env: Record<string, string>;
}

/** A row of the matrix: the flow, and the endpoint of it that misbehaves. */
interface Row {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** An external_account configuration whose URL source is the fake's OIDC endpoint, impersonating: google-auth-library's path. */
  readonly externalAccount?: boolean;
}

/** A fake for the flow that reaches `endpoint`, with verify on so that every endpoint is on the path. */
async function scenario(endpoint: Endpoint, inputs: Record<string, string> = {}, externalAccount = false): Promise<Scenario> {
  const fake = await startFakeGoogle();
  if (externalAccount) {
    const provider = fake.addProvider();
    fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
    const config = {
      type: 'external_account',
      audience: provider.stsAudience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      credential_source: { url: `${fake.oidcRequestUrl}&audience=${encodeURIComponent(provider.allowedAudiences[0] ?? '')}`, headers: { Authorization: `Bearer ${fake.oidcRequestToken}` }, format: { type: 'json', subject_token_field_name: 'value' } },
    };
    return { fake, inputs: { credentials_json: JSON.stringify(config), service_account: SA, verify: 'true', ...inputs }, env: {} };
  }
  if (['oidc', 'sts', 'iamcredentials'].includes(endpoint)) {
    const provider = fake.addProvider();
    fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
    return { fake, inputs: { workload_identity_provider: provider.name, service_account: SA, verify: 'true', ...inputs }, env: fake.oidcEnv };
  }
  const user = fake.addUser({ quotaProjectId: 'gemini-project' });
  return { fake, inputs: { credentials_json: JSON.stringify(user.json), verify: 'true', ...inputs }, env: {} };
}

/** Runs the action in a fresh scenario and checks what every run must hold, success or not. */
async function runWith(endpoint: Endpoint, fault: Fault | undefined, times: number, inputs: Record<string, string> = {}, externalAccount = false, extraEnv: Record<string, string> = {}): Promise<ActionRun & { fake: FakeGoogle }> {
  const { fake, inputs: all, env } = await scenario(endpoint, inputs, externalAccount);
  try {
    if (fault) fake.inject(endpoint, fault, times);
    const run = await runAction(fake, all, { env: { ...env, ...extraEnv } });
    for (const step of [run.main, run.post]) assert.ok(!STACK_TRACE.test(step.stdout + step.stderr), `a stack trace was printed:\n${step.stdout}${step.stderr}`);
    assert.equal(run.post.code, 0, run.post.stdout);
    assert.deepEqual(run.leftovers, [], 'a file was left behind');
    if (run.main.code === 0) assert.ok(fake.issuedTokens.has(run.main.outputs.access_token ?? ''), 'the output is a token the fake issued');
    else failure(run.main);
    return { ...run, fake };
  } finally {
    await fake.close();
  }
}

const FAULTS: [string, Fault][] = [
  ['500', { status: 500 }],
  ['503', { status: 503 }],
  ['429+RA', { status: 429, retryAfter: 1 }],
  ['reset', 'reset'],
  ['hang', 'hang'],
  ['truncated', 'truncated'],
  ['non-JSON', 'non-json'],
  ['wrong shape', 'wrong-shape'],
];
const ROWS: Row[] = [
  ...(['oidc', 'token', 'sts', 'iamcredentials', 'tokeninfo', 'models'] as const).map((endpoint) => ({ name: endpoint, endpoint })),
  // An external_account with a URL source and service_account: the source (through google-auth-library), STS, IAM.
  { name: 'ext. source', endpoint: 'oidc', externalAccount: true },
  { name: 'external_account', endpoint: 'sts', externalAccount: true },
];
const SUBJECT_TOKEN_UNREADABLE = /The external_account credentials_json could not get its subject token from credential_source\.url http:\/\/127\.0\.0\.1:\d+\/github\/oidc \(Unable to parse the subject_token from the credential_source URL\)/;
/** A 200 of the wrong shape is a definite answer: a clear failure where a token was due, harmless where the answer only informs. */
const WRONG_SHAPE: Record<string, RegExp> = {
  oidc: /GitHub did not issue an OIDC token \(answer without a token\)/,
  token: /The Google OAuth token endpoint answered without an access token/,
  sts: /The Google Security Token Service answered without an access token/,
  iamcredentials: /The IAM Credentials API \(generateAccessToken\) answered without an access token and its expiry/,
  'ext. source': SUBJECT_TOKEN_UNREADABLE,
  external_account: /The Google Security Token Service answered without an access token/,
};
/** google-auth-library reads a URL source's 200 that is not JSON as a token-less answer, which it is. */
const NOT_JSON: Record<string, RegExp> = { 'ext. source': SUBJECT_TOKEN_UNREADABLE };
const LIMITS = { request_timeout: '1', timeout: '15' };

describe('faults', { concurrency: 4 }, () => {
  it('every endpoint × every fault: success after a retry, or one clear error', { concurrency: 4 }, async (t) => {
    const cells = new Map<string, string>();
    await Promise.all(
      ROWS.flatMap(({ name: row, endpoint, externalAccount }) =>
        FAULTS.map(([name, fault]) =>
          t.test(`${row} × ${name}`, async () => {
            const { main, fake } = await runWith(endpoint, fault, 1, LIMITS, externalAccount);
            const attempts = fake.count(endpoint);
            cells.set(`${row} ${name}`, `${main.code === 0 ? 'ok' : 'error'} ${attempts}× ${(main.durationMs / 1000).toFixed(1)}s`);
            assert.ok(main.durationMs < 15_000, 'within the deadline');
            const expected = fault === 'wrong-shape' ? WRONG_SHAPE[row] : fault === 'non-json' ? NOT_JSON[row] : undefined;
            if (expected) {
              assert.match(failure(main), expected);
              assert.equal(attempts, 1, 'a definite answer is not retried');
            } else {
              assert.equal(main.code, 0, main.stdout);
              assert.equal(attempts, fault === 'wrong-shape' ? 1 : 2, 'one retry, no more');
            }
          }),
        ),
      ),
    );
    // The Actions cache (cache: true): a fault of its lookup never fails the step, and never holds it up past the cache's own few seconds.
    await Promise.all(
      FAULTS.map(([name, fault]) =>
        t.test(`cache × ${name}`, async () => {
          const cache = await startFakeCache();
          try {
            cache.inject('GetCacheEntryDownloadURL', fault);
            const { main, fake } = await runWith('token', undefined, 0, { ...LIMITS, cache: 'true' }, false, cache.env);
            const attempts = cache.twirpCalls('GetCacheEntryDownloadURL').length;
            cells.set(`cache ${name}`, `${main.code === 0 ? 'ok' : 'error'} ${attempts}× ${(main.durationMs / 1000).toFixed(1)}s`);
            assert.equal(main.code, 0, main.stdout);
            assert.equal(main.outputs.cache_hit, 'false');
            assert.equal(fake.count('token'), 1, 'a fresh token, as without the cache');
            assert.ok(main.durationMs < 8000, `the cache held the step up for ${main.durationMs} ms`);
          } finally {
            await cache.close();
          }
        }),
      ),
    );
    const width = 16;
    const row = (cellsOfRow: string[]): string => cellsOfRow.map((cell) => cell.padEnd(width)).join(' | ');
    t.diagnostic('Fault matrix (outcome, requests to the faulty endpoint, duration of the main step; request_timeout 1 s, timeout 15 s, retries 3; cache: the lookup of cache: true):');
    t.diagnostic(row(['endpoint', ...FAULTS.map(([name]) => name)]));
    for (const endpoint of [...ROWS.map((entry) => entry.name), 'cache']) t.diagnostic(row([endpoint, ...FAULTS.map(([name]) => cells.get(`${endpoint} ${name}`) ?? '?')]));
  });

  it('a fault that outlasts the retries fails clearly after exactly retries + 1 attempts', { concurrency: 3 }, async (t) => {
    const persistent: [Endpoint, Fault, string, RegExp][] = [
      ['token', { status: 503 }, '2', /The Google OAuth token endpoint did not answer usefully in 3 attempts \(last: HTTP 503\); retries: 2 allows no more\./],
      ['sts', 'reset', '1', /The Google Security Token Service did not answer usefully in 2 attempts \(last: network error/],
      ['models', 'hang', '1', /The Gemini API \(generativelanguage models\.list\) did not answer usefully in 2 attempts \(last: no answer within 1s\)/],
    ];
    await Promise.all(
      persistent.map(([endpoint, fault, retries, message]) =>
        t.test(`${endpoint} × ${JSON.stringify(fault)}, retries ${retries}`, async () => {
          const { main, fake } = await runWith(endpoint, fault, 20, { ...LIMITS, retries });
          assert.match(failure(main), message);
          assert.match(failure(main), /Fix: .*re-run the job/);
          assert.equal(fake.count(endpoint), Number(retries) + 1);
        }),
      ),
    );
  });

  it('the timeout bounds the whole run: no attempt and no backoff passes it', { concurrency: 2 }, async (t) => {
    await Promise.all([
      t.test('503 with retries: 10 and timeout: 2', async () => {
        const { main, fake } = await runWith('token', { status: 503 }, 50, { retries: '10', timeout: '2' });
        assert.match(failure(main), /in \d+ attempts \(last: HTTP 503\); the time the input timeout allows ran out/);
        assert.ok(fake.count('token') < 11);
        assert.ok(main.durationMs < 3500, `took ${main.durationMs} ms`);
      }),
      t.test('a hang with request_timeout: 15 and timeout: 2', async () => {
        const { main } = await runWith('token', 'hang', 50, { timeout: '2' });
        assert.match(failure(main), /no answer within [12](\.\d)?s/);
        assert.ok(main.durationMs < 3500, `took ${main.durationMs} ms, as if the request had its full 15 s`);
      }),
      t.test('a Retry-After beyond the timeout ends the run at once, saying the server asked for longer', async () => {
        const { main, fake } = await runWith('token', { status: 429, retryAfter: 60 }, 5, { timeout: '10' });
        assert.match(failure(main), /in 1 attempt \(last: HTTP 429 asking to retry after 60 s\); the server asked to wait longer than the input timeout leaves \((9|10) s\)\. Fix: The service is busy or rate-limits this caller/);
        assert.equal(fake.count('token'), 1);
        assert.ok(main.durationMs < 2000, `took ${main.durationMs} ms`);
      }),
    ]);
  });

  it('external_account keeps retries and timeout: retries 0 is one request; a token endpoint that never answers ends within timeout', { concurrency: 3 }, async (t) => {
    await Promise.all([
      t.test('STS 503 with retries: 0', async () => {
        const { main, fake } = await runWith('sts', { status: 503 }, 20, { ...LIMITS, retries: '0' }, true);
        assert.match(failure(main), /The Google Security Token Service did not answer usefully in 1 attempt \(last: HTTP 503\); retries: 0 allows no more/);
        assert.equal(fake.count('sts'), 1);
      }),
      t.test('a URL source that keeps failing, retries: 2', async () => {
        const { main, fake } = await runWith('oidc', { status: 500 }, 20, { ...LIMITS, retries: '2' }, true);
        assert.match(failure(main), /The credential source of the external_account credentials_json did not answer usefully in 3 attempts \(last: credential_source\.url http:\/\/127\.0\.0\.1:\d+\/github\/oidc answered HTTP 500\)/);
        assert.equal(fake.count('oidc'), 3);
        assert.equal(fake.count('sts'), 0);
      }),
      t.test('STS hangs, request_timeout 15 and timeout 3', async () => {
        const { main } = await runWith('sts', 'hang', 50, { timeout: '3' }, true);
        assert.match(failure(main), /The Google Security Token Service did not answer usefully in 1 attempt \(last: no answer within [23](\.\d)?s\); the time the input timeout allows ran out/);
        assert.ok(main.durationMs < 4500, `took ${main.durationMs} ms`);
      }),
    ]);
  });

  it('honours Retry-After', async () => {
    const { main, fake } = await runWith('token', { status: 429, retryAfter: 2 }, 1);
    assert.equal(main.code, 0, main.stdout);
    const [first, second] = fake.requests.filter((request) => request.endpoint === 'token').map((request) => request.at);
    assert.ok(second! - first! >= 2000, `retried after ${second! - first!} ms`);
  });

  it('fetches a fresh OIDC token for each STS attempt', async () => {
    const { main, fake } = await runWith('sts', { status: 503 }, 2, LIMITS);
    assert.equal(main.code, 0, main.stdout);
    const subjects = fake.requests.filter((request) => request.endpoint === 'sts').map((request) => new URLSearchParams(request.body).get('subject_token'));
    assert.equal(subjects.length, 3);
    assert.equal(fake.count('oidc'), 3);
    assert.deepEqual(subjects, fake.issuedOidcTokens, 'each attempt sends the token fetched for it');
    assert.equal(new Set(subjects).size, 3);
  });

  it('never retries a definite answer', { concurrency: 4 }, async (t) => {
    const definite: [string, Endpoint, (fake: FakeGoogle, inputs: Record<string, string>) => Record<string, string>, RegExp][] = [
      ['400 invalid_grant', 'token', (fake, inputs) => {
        fake.revokeRefreshToken((JSON.parse(inputs.credentials_json ?? '{}') as { refresh_token: string }).refresh_token);
        return inputs;
      }, /invalid_grant/],
      ['401 invalid_client', 'token', (_fake, inputs) => ({ ...inputs, credentials_json: (inputs.credentials_json ?? '').replace(/"client_secret":"[^"]+"/, '"client_secret":"GOCSPX-not-the-secret"') }), /rejected the OAuth client/],
      ['400 invalid_target', 'sts', (_fake, inputs) => ({ ...inputs, workload_identity_provider: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/gone' }), /does not exist or is disabled/],
      ['403 permission denied', 'iamcredentials', (_fake, inputs) => ({ ...inputs, service_account: 'other@my-project.iam.gserviceaccount.com' }), /may not impersonate/],
      ['403 API disabled', 'models', (fake, inputs) => {
        fake.disabledApiProjects.add('gemini-project');
        return inputs;
      }, /not enabled in project gemini-project/],
      ['404 page', 'unknown', (fake, inputs) => ({ ...inputs, endpoints: fake.endpointsInput.replace('/generativelanguage', '/nowhere') }), /answered with an error \(HTTP 404\)/],
    ];
    await Promise.all(
      definite.map(([name, endpoint, arrange, message]) =>
        t.test(name, async () => {
          const { fake, inputs, env } = await scenario(endpoint === 'unknown' ? 'models' : endpoint, LIMITS);
          try {
            const run = await runAction(fake, arrange(fake, inputs), { env, secrets: ['GOCSPX-not-the-secret'] });
            assert.match(failure(run.main), message);
            assert.equal(fake.count(endpoint), 1, 'asked once');
            assert.deepEqual(run.leftovers, []);
          } finally {
            await fake.close();
          }
        }),
      ),
    );
  });
});
