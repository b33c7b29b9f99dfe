// The expression subset that scripts/ci/local-action-job.ts evaluates when it runs ci.yml's jobs here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { condition, evaluate, interpolate } from '../scripts/ci/workflow-expressions.ts';

const contexts = {
  env: { FAKE: 'value', EMPTY: '' },
  steps: { auth: { outputs: { access_token: 'ya29.x' } } },
  matrix: { credentials: 'authorized_user' },
  runner: { os: 'Linux' },
};

test('&& and || return an operand, as in GitHub expressions; == ignores case', () => {
  assert.equal(evaluate("matrix.credentials == 'authorized_user' && env.FAKE || ''", contexts), 'value');
  assert.equal(evaluate("matrix.credentials == 'workload_identity' && env.FAKE || ''", contexts), '');
  assert.equal(evaluate("env.EMPTY || 'fallback'", contexts), 'fallback');
  assert.equal(evaluate("runner.os == 'linux'", contexts), true);
  assert.equal(evaluate("(runner.os != 'Windows') && 'yes'", contexts), 'yes');
  assert.equal(evaluate("'it''s'", contexts), "it's");
  assert.equal(evaluate('env.MISSING', contexts), null);
});

test('interpolates ${{ }} parts and reads if: conditions with or without ${{ }}', () => {
  assert.equal(interpolate('Bearer ${{ steps.auth.outputs.access_token }} (${{ env.MISSING }})', contexts), 'Bearer ya29.x ()');
  assert.equal(condition("runner.os == 'Windows'", contexts), false);
  assert.equal(condition("${{ matrix.credentials == 'authorized_user' }}", contexts), true);
});

test('refuses what it does not know, so that the local run cannot silently differ from the runner', () => {
  assert.throws(() => evaluate('secrets.TOKEN', contexts), /context "secrets" is not supported/);
  assert.throws(() => evaluate("contains(env.FAKE, 'v')", contexts), /unsupported expression|unexpected/);
  assert.throws(() => evaluate('env.FAKE ==', contexts), /unexpected end/);
  assert.throws(() => evaluate('steps.auth', contexts), /is an object/);
});
