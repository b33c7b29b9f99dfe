// A hostile server, through the built action: every string field it answers, and every
// OIDC claim, carries text meant to command the runner (a new line and a workflow
// command, a carriage return, ANSI escapes), to change the job summary (a Markdown link
// or image, a table pipe, a script tag), to unmask tokens, to fill memory, or to keep a
// dead token alive. The run must print none of it as a command, write none of it into the
// summary as markup, put only values of their kind into outputs and variables, and leak
// nothing (runAction scans every run, with ACTIONS_STEP_DEBUG=true).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, runAction, type ActionRun } from '../support/action.ts';
import { DEFAULT_MODELS, startFakeGoogle, withEveryString, type FakeGoogle } from '../support/fake-google.ts';
import type { StepResult } from '../support/runner.ts';

const SA = 'gemini-ci@my-project.iam.gserviceaccount.com';
const MARK = 'INJECTED';

const PAYLOADS: [string, string][] = [
  ['a new line and ::warning::', `x\n::warning::${MARK}`],
  ['a new line and ::add-mask::', `x\n::add-mask::${MARK}`],
  ['a new line and ::stop-commands::', `x\n::stop-commands::${MARK}`],
  ['a carriage return', `x\r::error::${MARK}`],
  ['ANSI escapes', `x\u001b[2K\u001b[1G::warning::${MARK}\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007`],
  ['a Markdown link', `[${MARK}](https://evil.example/)`],
  ['a Markdown image', `![${MARK}](https://evil.example/x.png)`],
  ['a table pipe', `x|${MARK}|y`],
  ['a script tag', `<script>alert("${MARK}")</script>`],
];

/** What the action itself writes as workflow commands; anything else on a line of its own was injected. */
const OWN_COMMANDS = new Set(['add-mask', 'debug', 'warning', 'error', 'group', 'endgroup']);
/** The tags of the summary's table, which the action writes. */
const OWN_TAGS = /<\/?(?:h3|table|tr|th|td)>/g;

interface Scenario {
  /** Sets the fake up so that the payload reaches the fields; returns the inputs and environment. */
  arrange(fake: FakeGoogle, payload: string): { inputs: Record<string, string>; env?: Record<string, string> };
  /** Whether the run succeeds in spite of the payload. */
  succeeds: boolean;
}

const append = (payload: string) => (text: string): string => `${text}${payload}`;

const SCENARIOS: [string, Scenario][] = [
  [
    'a working flow: the id_token email, the token answer, tokeninfo (email, sub, scopes), model names and display names',
    {
      succeeds: true,
      arrange(fake, payload) {
        const user = fake.addUser({ email: `dev${payload}@example.com`, quotaProjectId: 'gemini-project' });
        fake.models = [...DEFAULT_MODELS, `models/${payload}`];
        fake.alterAnswers('token', (body) => withEveryString(body, (text, key) => (key === 'scope' ? `${text} https://www.googleapis.com/auth/${payload}` : text)));
        fake.alterAnswers('tokeninfo', (body) => withEveryString(body, (text, key) => (['exp', 'expires_in'].includes(key) ? text : `${text}${payload}`)));
        fake.alterAnswers('models', (body) => withEveryString(body, (text, key) => (key === 'nextPageToken' ? text : `${text}${payload}`)));
        return { inputs: { credentials_json: JSON.stringify(user.json), verify: 'true' } };
      },
    },
  ],
  [
    "an OAuth error's error and error_description",
    {
      succeeds: false,
      arrange(fake, payload) {
        const user = fake.addUser();
        fake.revokeRefreshToken(user.refreshToken);
        fake.alterAnswers('token', (body) => withEveryString(body, append(payload)));
        return { inputs: { credentials_json: JSON.stringify(user.json) } };
      },
    },
  ],
  [
    "an API error's message, status, metadata (consumer, activationUrl) and help links",
    {
      succeeds: false,
      arrange(fake, payload) {
        const user = fake.addUser({ quotaProjectId: 'gemini-project' });
        fake.disabledApiProjects.add('gemini-project');
        // The reason stays, so that the consumer and the activation link are read.
        fake.alterAnswers('models', (body) => withEveryString(body, (text, key) => (key === 'reason' ? text : `${text}${payload}`)));
        return { inputs: { credentials_json: JSON.stringify(user.json), verify: 'true' } };
      },
    },
  ],
  [
    'the methods a listed model supports, with verify_model',
    {
      succeeds: false,
      arrange(fake, payload) {
        const user = fake.addUser({ quotaProjectId: 'gemini-project' });
        fake.alterAnswers('models', (body) => withEveryString(body, (text, key) => (key === 'supportedGenerationMethods' ? `embedContent${payload}` : text)));
        return { inputs: { credentials_json: JSON.stringify(user.json), verify: 'true', verify_model: 'gemini-2.5-flash' } };
      },
    },
  ],
  [
    "a Vertex AI error's message and metadata",
    {
      succeeds: false,
      arrange(fake, payload) {
        const key = fake.addServiceAccountKey({ projectId: 'gemini-project' });
        // The reason stays, so that the explanation that names the grant is the one given.
        fake.alterAnswers('vertexCountTokens', (body) => withEveryString(body, (text, key) => (key === 'reason' ? text : `${text}${payload}`)));
        return { inputs: { credentials_json: JSON.stringify(key.json), gemini_api: 'vertex', verify: 'true', verify_model: 'gemini-2.5-flash' } };
      },
    },
  ],
  [
    "GitHub's OIDC error message",
    {
      succeeds: false,
      arrange(fake, payload) {
        fake.addProvider();
        fake.alterAnswers('oidc', (body) => withEveryString(body, append(payload)));
        return { inputs: { workload_identity_provider: fake.addProvider().name }, env: { ...fake.oidcEnv, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-request-token' } };
      },
    },
  ],
  [
    'OIDC claims (sub, ref, environment, job_workflow_ref), with impersonation',
    {
      succeeds: true,
      arrange(fake, payload) {
        const provider = fake.addProvider();
        fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
        fake.oidcClaims = { sub: `repo:octo-org/octo-repo:ref:refs/heads/${payload}`, ref: `refs/heads/${payload}`, environment: payload, job_workflow_ref: `octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/${payload}` };
        return { inputs: { workload_identity_provider: provider.name, service_account: SA }, env: fake.oidcEnv };
      },
    },
  ],
  [
    'OIDC claims as the principal, without impersonation',
    {
      succeeds: true,
      arrange(fake, payload) {
        const provider = fake.addProvider();
        fake.oidcClaims = { sub: `repo:octo-org/octo-repo:ref:refs/heads/${payload}`, ref: `refs/heads/${payload}` };
        return { inputs: { workload_identity_provider: provider.name, project_id: 'my-project' }, env: fake.oidcEnv };
      },
    },
  ],
  [
    "OIDC claims and STS's error_description when the attribute condition refuses",
    {
      succeeds: false,
      arrange(fake, payload) {
        const provider = fake.addProvider({ condition: () => false });
        fake.oidcClaims = { ref: `refs/heads/${payload}`, repository: `octo-org/${payload}` };
        fake.alterAnswers('sts', (body) => withEveryString(body, (text, key) => (key === 'error' ? text : `${text}${payload}`)));
        return { inputs: { workload_identity_provider: provider.name }, env: fake.oidcEnv };
      },
    },
  ],
  [
    "the IAM Credentials API's error message",
    {
      succeeds: false,
      arrange(fake, payload) {
        const provider = fake.addProvider();
        fake.alterAnswers('iamcredentials', (body) => withEveryString(body, append(payload)));
        return { inputs: { workload_identity_provider: provider.name, service_account: SA }, env: fake.oidcEnv };
      },
    },
  ],
];

/** Lines as the runner splits a stream: at \n, \r\n and a lone \r. */
function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Everything a step shows that could command the runner or the reader, checked. */
function assertHarmless(step: StepResult, name: string): void {
  for (const [stream, text] of [['stdout', step.stdout], ['stderr', step.stderr]] as const) {
    // eslint-disable-next-line no-control-regex -- looking for them is the point
    assert.ok(!/[\u001b\u0080-\u009f]/.test(text), `${name}: an escape or C1 control character on ${stream}`);
    for (const line of runnerLines(text)) {
      const command = /^::([A-Za-z][\w-]*)/.exec(line.trimStart())?.[1];
      if (command === undefined) continue;
      assert.ok(OWN_COMMANDS.has(command), `${name}: a line on ${stream} starts the command ${command} the action never writes: ${JSON.stringify(line)}`);
      assert.ok(!/^::[\w-]+(?: [^:]*)?::INJECTED/.test(line.trimStart()), `${name}: an injected command on ${stream}: ${JSON.stringify(line)}`);
      if (command === 'add-mask') assert.ok(!line.includes(MARK), `${name}: a mask the action did not mean: ${JSON.stringify(line)}`);
    }
  }
  assert.ok(!/[<>]/.test(step.summary.replace(OWN_TAGS, '')), `${name}: the summary holds a tag the action did not write:\n${step.summary}`);
  for (const [, cell] of step.summary.matchAll(/<td>(.*?)<\/td>/g)) {
    assert.ok(!/[<>[\]()|`!]/.test(cell ?? ''), `${name}: a summary cell holds markup: ${cell}`);
  }
}

/** Outputs and variables hold only values of their kind. */
function assertValidated(step: StepResult, name: string): void {
  const { outputs } = step;
  for (const model of outputs.models === undefined ? [] : (JSON.parse(outputs.models) as unknown[])) {
    assert.match(String(model), /^models\/[A-Za-z0-9._-]+$/, `${name}: the output models`);
  }
  assert.match(outputs.principal ?? '', /^[A-Za-z0-9._:/@+=,-]*$/, `${name}: the output principal`);
  assert.match(outputs.project_id ?? '', /^([a-z][a-z0-9-]{4,28}[a-z0-9])?$/, `${name}: the output project_id`);
  for (const [output, value] of Object.entries(outputs)) {
    // eslint-disable-next-line no-control-regex -- looking for them is the point
    if (output !== 'models') assert.ok(!/[\r\n\u001b<>|[\]()`'"$;&]/.test(value), `${name}: the output ${output} holds ${JSON.stringify(value)}`);
  }
  for (const [variable, value] of Object.entries(step.exportedEnv)) {
    // eslint-disable-next-line no-control-regex -- looking for them is the point
    assert.ok(!/[\r\n\u001b<>|[\]()`'"$;&]/.test(value) && !value.includes(MARK), `${name}: the variable ${variable} holds ${JSON.stringify(value)}`);
  }
}

/** `use` with a fake of its own, closed after. */
async function withFake<T>(use: (fake: FakeGoogle) => Promise<T>): Promise<T> {
  const fake = await startFakeGoogle();
  try {
    return await use(fake);
  } finally {
    await fake.close();
  }
}

function hostileRun(scenario: Scenario, payload: string): Promise<ActionRun> {
  return withFake((fake) => {
    const { inputs, env } = scenario.arrange(fake, payload);
    return runAction(fake, inputs, { env: env ?? {} });
  });
}

describe('a hostile server', { concurrency: 4 }, () => {
  for (const [name, scenario] of SCENARIOS) {
    it(`${name}: every payload stays data`, { concurrency: 4 }, async (t) => {
      await Promise.all(
        PAYLOADS.map(([payloadName, payload]) =>
          t.test(payloadName, async () => {
            const run = await hostileRun(scenario, payload);
            const label = `${name} × ${payloadName}`;
            if (scenario.succeeds) assert.equal(run.main.code, 0, `${label}\n${run.main.stdout}`);
            else failure(run.main);
            for (const step of [run.main, run.post]) assertHarmless(step, label);
            assertValidated(run.main, label);
            assert.ok(`${run.main.stdout}${run.main.stderr}`.includes(MARK), `${label}: the hostile text reached no line at all, so this run tests nothing`);
            assert.deepEqual(run.leftovers, []);
          }),
        ),
      );
    });
  }

  it('a claim that stops workflow commands cannot unmask the tokens: every token is masked before the claims are printed', async () => {
    await withFake(async (fake) => {
      const provider = fake.addProvider();
      fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
      fake.oidcClaims = { ref: 'refs/heads/main\n::stop-commands::x' };
      // runAction fails the test if any token shows unmasked, as it would after a stop-commands line.
      const { main } = await runAction(fake, { workload_identity_provider: provider.name, service_account: SA }, { env: fake.oidcEnv });
      assert.equal(main.code, 0, main.stdout);
      assert.ok(!main.commands.some((command) => command.command === 'stop-commands'), 'no stop-commands line');
      const claims = main.stdout.indexOf('GitHub OIDC token claims:');
      const lastMask = main.stdout.lastIndexOf('::add-mask::');
      assert.ok(claims > lastMask, 'the claims line comes after the last mask');
      assert.ok(main.masks.includes(main.outputs.access_token ?? ''), 'the impersonated token is masked');
      assert.match(main.stdout, /ref=refs\/heads\/main ::stop-commands::x \[1 character removed\]/);
    });
  });

  it("a Vertex AI model name of another shape is not taken, nor printed", async () => {
    await withFake(async (fake) => {
      const key = fake.addServiceAccountKey({ projectId: 'gemini-project' });
      fake.alterAnswers('publisherModel', (body) => ({ ...(body as Record<string, unknown>), name: `publishers/google/models/x\n::warning::${MARK}` }));
      const { main, post } = await runAction(fake, { credentials_json: JSON.stringify(key.json), gemini_api: 'vertex', verify: 'true' });
      assert.match(failure(main), /Vertex AI \(publishers\.models\.get\) answered without the model\./);
      for (const step of [main, post]) assertHarmless(step, 'a Vertex AI model name');
      assert.equal(main.outputs.models, undefined);
    });
  });

  it('an answer that echoes the request shows no part of a secret, even where the error text is cut', async () => {
    await withFake(async (fake) => {
      const user = fake.addUser();
      fake.revokeRefreshToken(user.refreshToken);
      // The cut at 400 characters falls 10 characters before the end of the form-encoded refresh token.
      fake.alterAnswers('token', (_body, _status, request) => ({ error: 'invalid_request', error_description: `${'x'.repeat(Math.max(0, 390 - request.body.length))} ${request.body}` }));
      const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json) });
      const message = failure(main);
      assert.match(message, /\[redacted\]/);
      for (const secret of [user.refreshToken, user.clientSecret]) {
        for (const form of [secret, encodeURIComponent(secret)]) {
          for (let at = 0; at + 12 <= form.length; at++) {
            const fragment = form.slice(at, at + 12);
            assert.ok(!main.stdout.includes(fragment) || main.masks.some((mask) => mask.includes(fragment) && mask === form), `a piece of a secret shows: ${fragment}`);
            assert.ok(!message.includes(fragment), `a piece of a secret is in the error: ${fragment}`);
          }
        }
      }
    });
  });

  it('a model list that never ends, or that is huge, fails clearly instead of filling memory', async () => {
    await withFake(async (fake) => {
      const user = fake.addUser({ quotaProjectId: 'gemini-project' });
      const inputs = { credentials_json: JSON.stringify(user.json), verify: 'true' };
      fake.models = Array.from({ length: 25 }, (_, i) => `models/m${i}`);
      fake.maxPageSize = 1;
      const pages = await runAction(fake, inputs);
      assert.match(failure(pages.main), /The Gemini API \(generativelanguage models\.list\) kept answering with more pages after 20\./);
      assert.equal(fake.count('models'), 20);

      fake.requests.length = 0;
      fake.models = Array.from({ length: 120 }, (_, i) => `models/m${i}-${'a'.repeat(40_000)}`);
      fake.maxPageSize = 10;
      const huge = await runAction(fake, inputs);
      const pagesRead = /The Gemini API \(generativelanguage models\.list\) answered more than 4 MiB of models in (\d+) pages, far more than the Gemini API lists\./.exec(failure(huge.main))?.[1];
      assert.ok(pagesRead, failure(huge.main));
      assert.equal(fake.count('models'), Number(pagesRead), 'no page after the bound');
      assert.ok(Number(pagesRead) < 12, 'the list was not read to its end');
    });
  });

  it("an impersonated token's expireTime far in the future is capped at the lifetime asked for", async () => {
    await withFake(async (fake) => {
      const provider = fake.addProvider();
      fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
      fake.alterAnswers('iamcredentials', (body) => ({ ...(body as Record<string, unknown>), expireTime: '9999-12-31T23:59:59Z' }));
      const started = Date.now();
      const { main } = await runAction(fake, { workload_identity_provider: provider.name, service_account: SA, access_token_lifetime: '1800s' }, { env: fake.oidcEnv });
      assert.equal(main.code, 0, main.stdout);
      const expiresAt = Date.parse(main.outputs.expires_at ?? '');
      assert.ok(expiresAt <= Date.now() + 1800_000 && expiresAt >= started + 1790_000, `expires_at ${main.outputs.expires_at}`);
    });
  });
});
