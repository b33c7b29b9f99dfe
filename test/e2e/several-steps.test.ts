// Two gemini-auth steps in one job, each with its own identity: each step's
// token_command prints its own identity's token, while the exported variables
// and the plain gemini-auth-token on PATH are the last step's.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAIN, POST } from '../support/action.ts';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.ts';
import { SHELL_STEP } from '../support/job.ts';
import { findLeaks, makeTempDir, runJob, type StepResult } from '../support/runner.ts';

let fake: FakeGoogle;

before(async () => {
  fake = await startFakeGoogle();
});
after(async () => {
  await fake.close();
});

/** `name=value` lines a `run:` step printed, workflow commands left out. */
function printed(step: StepResult | null | undefined): Record<string, string> {
  assert.ok(step, 'the step ran');
  assert.equal(step.code, 0, step.stdout);
  const lines = step.stdout.split('\n').filter((line) => line.includes('=') && !line.startsWith('::'));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('several gemini-auth steps in one job', () => {
  it("each leaves its own token command, by the output token_command; the last one's variables and PATH entry win", async () => {
    const user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'user-project' });
    const key = fake.addServiceAccountKey();
    const runnerTemp = await makeTempDir('gemini-auth-runner-temp-');
    try {
      const endpoints = fake.endpointsInput;
      const asUser = { endpoints, credentials_json: JSON.stringify(user.json) };
      const asServiceAccount = { endpoints, credentials_json: JSON.stringify(key.json) };
      const run = [
        'echo "user=$("$USER_TOKEN_COMMAND")"',
        'echo "service_account=$("$SA_TOKEN_COMMAND")"',
        'echo "plain=$(gemini-auth-token)"',
        'echo "user_refreshed=$("$USER_TOKEN_COMMAND" --min-lifetime 1h)"',
        'echo "credentials=$GOOGLE_APPLICATION_CREDENTIALS"',
        'echo "quota_project=$GOOGLE_CLOUD_QUOTA_PROJECT"',
      ].join('\n');
      // Two uses of one action are two steps with their own state, as on the runner; post steps run in reverse order.
      const job = await runJob(
        [
          { script: MAIN, id: 'user', action: 'auth-user', inputs: asUser },
          { script: MAIN, id: 'sa', action: 'auth-sa', inputs: asServiceAccount },
          {
            script: SHELL_STEP,
            env: ({ steps }) => ({ STEP_RUN: run, USER_TOKEN_COMMAND: steps.user?.outputs.token_command ?? '', SA_TOKEN_COMMAND: steps.sa?.outputs.token_command ?? '' }),
          },
          { script: POST, action: 'auth-sa', inputs: asServiceAccount },
          { script: POST, action: 'auth-user', inputs: asUser },
        ],
        { runnerTemp },
      );
      const [userStep, saStep, shellStep, ...posts] = job.steps;
      assert.ok(userStep && saStep, 'both gemini-auth steps ran');
      for (const step of [userStep, saStep]) {
        assert.equal(step.code, 0, step.stdout);
        assert.equal(step.outputs.auth_token, step.outputs.access_token, 'auth_token is access_token');
        assert.ok(isAbsolute(step.outputs.token_command ?? ''), 'token_command is a full path');
        assert.equal(step.addedPath.length, 1);
      }
      assert.notEqual(userStep.outputs.token_command, saStep.outputs.token_command);
      const issuedTo = (token: string | undefined): string | undefined => fake.issuedTokens.get(token ?? '')?.principal;

      const lines = printed(shellStep);
      assert.equal(lines.user, userStep.outputs.access_token, "the first step's command prints the first step's token");
      assert.equal(lines.service_account, saStep.outputs.access_token, "the second step's command prints the second step's token");
      assert.equal(lines.plain, saStep.outputs.access_token, 'on PATH, the last step wins');
      assert.equal(issuedTo(lines.user_refreshed), user.email, "a refresh of the first step's command stays with the first step's credentials");
      assert.notEqual(lines.user_refreshed, userStep.outputs.access_token);
      assert.equal(lines.credentials, saStep.outputs.credentials_file_path, 'the last step wins the exported variables');
      assert.equal(lines.quota_project, saStep.outputs.project_id, "the key's project, not the user's quota project");
      assert.notEqual(lines.quota_project, 'user-project');
      assert.deepEqual(job.path, [...saStep.addedPath, ...userStep.addedPath], 'the last entry goes first on PATH');
      assert.deepEqual(
        fake.requests.map((request) => request.endpoint),
        ['token', 'token', 'token'],
        'one mint per step, one refresh',
      );

      for (const post of posts) assert.equal(post?.code, 0, post?.stdout);
      for (const step of [userStep, saStep]) assert.ok(!existsSync(step.outputs.token_command ?? ''), 'each post step removed its own folder');
      assert.deepEqual(readdirSync(runnerTemp), [], 'and its own credentials file');

      const masked = new Set<string>();
      for (const [index, step] of job.steps.entries()) {
        if (!step) continue;
        assert.deepEqual(findLeaks(step, fake.secrets().filter((secret) => !masked.has(secret))), [], `step ${index} leaked a secret`);
        for (const mask of step.masks) masked.add(mask);
      }
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
  });
});
