// The Gemini API's stronger check through the built action: with verify_model the
// model must be listed and callable (countTokens, one more request).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { type FakeGoogle, type FakeUser } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';

let fake: FakeGoogle;
let user: FakeUser;

useFakeGoogle(
  (started) => (fake = started),
  () => {
    user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  },
);

const verify = (inputs: Record<string, string> = {}): Record<string, string> => ({ credentials_json: JSON.stringify(user.json), verify: 'true', ...inputs });

describe('gemini_api: generativelanguage', () => {
  it('without verify_model: tokeninfo and the model pages only, no countTokens, no Vertex AI variables', async () => {
    const { main } = await runAction(fake, verify());
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'tokeninfo', 'models']);
    assert.equal(main.outputs.verified, 'true');
    assert.equal(main.exportedEnv.GOOGLE_GENAI_USE_VERTEXAI, undefined);
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_LOCATION, undefined);
    assert.match(main.summary, /verified: 7 Gemini models visible\./);
  });

  it('with verify_model: one countTokens on it after the list, billed to the quota project', async () => {
    const { main } = await runAction(fake, verify({ verify_model: 'models/gemini-2.5-pro' }));
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'tokeninfo', 'models', 'countTokens']);
    const count = fake.requests.at(-1);
    assert.equal(count?.method, 'POST');
    assert.equal(count?.path, '/generativelanguage/v1beta/models/gemini-2.5-pro:countTokens');
    assert.equal(count?.headers['x-goog-user-project'], 'gemini-project');
    assert.deepEqual(JSON.parse(count?.body ?? ''), { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    assert.equal(main.outputs.verified, 'true');
    assert.match(main.stdout, /^Callable \(countTokens\): models\/gemini-2\.5-pro$/m);
    assert.match(main.summary, /verified: 7 Gemini models visible, models\/gemini-2\.5-pro callable\./);
  });

  it('fails when countTokens is denied while listing works, with the fix for the model access; verified is false', async () => {
    fake.countTokensDenied.add(user.email);
    const { main } = await runAction(fake, verify({ verify_model: 'gemini-2.5-flash' }));
    const message = failure(main);
    assert.match(message, /^The Gemini API refused countTokens on models\/gemini-2\.5-flash although it lists the model \(HTTP 403 PERMISSION_DENIED: The caller does not have permission\)\./);
    assert.match(message, /Fix: The quota project \(gemini-project\) or dev@example\.com may not use this model: .*choose another verify_model\./);
    assert.equal(fake.count('models'), 1, 'the list worked');
    assert.equal(fake.count('countTokens'), 1, 'a definite answer is not retried');
    assert.equal(main.outputs.verified, 'false');
  });

  it('refuses, without calling it, a listed model that does not support countTokens', async () => {
    const { main } = await runAction(fake, verify({ verify_model: 'embedding-001' }));
    const message = failure(main);
    assert.match(message, /^The model models\/embedding-001 cannot be called through the Gemini API \(it supports embedContent, not countTokens\)\. Fix: Choose a Gemini model that supports generateContent/);
    assert.equal(fake.count('countTokens'), 0);
  });

  it('refuses a countTokens answer without a count, and retries a transient failure', async () => {
    fake.inject('countTokens', 'wrong-shape', 1);
    assert.match(failure((await runAction(fake, verify({ verify_model: 'gemini-2.5-flash' }))).main), /The Gemini API \(generativelanguage countTokens\) answered without a token count\. Fix: Check that the endpoints input points at the Generative Language API\./);
    fake.inject('countTokens', { status: 503 }, 1);
    fake.requests.length = 0;
    const retried = await runAction(fake, verify({ verify_model: 'gemini-2.5-flash' }));
    assert.equal(retried.main.code, 0, retried.main.stdout);
    assert.equal(fake.count('countTokens'), 2, 'a transient failure is retried');
  });

  it('refuses a verify_model that is no model id before any request', async () => {
    const { main } = await runAction(fake, verify({ verify_model: 'tunedModels/my-model' }));
    assert.match(failure(main), /The input verify_model "tunedModels\/my-model" is not a model id\. Fix: Use a Gemini API model such as gemini-2\.5-flash/);
    assert.equal(fake.requests.length, 0);
  });
});
