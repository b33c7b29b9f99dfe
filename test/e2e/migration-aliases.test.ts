// The names google-github-actions/auth gives an input and an output, through the
// built action: access_token_scopes for scopes, auth_token for access_token.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INPUT_DEFAULTS } from '../../src/inputs.ts';
import { failure, runAction } from '../support/action.ts';
import { type FakeGoogle, type ServiceAccountKey } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';

const GENERATIVE_LANGUAGE = 'https://www.googleapis.com/auth/generative-language';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

let fake: FakeGoogle;
let key: ServiceAccountKey;

useFakeGoogle(
  (started) => (fake = started),
  () => {
    key = fake.addServiceAccountKey();
  },
);

/** The scopes of the token the step minted, as the fake issued it (a key's token carries the scopes it asked for). */
async function mintedScopes(inputs: Record<string, string>): Promise<string[]> {
  const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json), ...inputs });
  assert.equal(main.code, 0, main.stdout);
  assert.deepEqual(main.warnings, [], 'no warning for the other name');
  return fake.issuedTokens.get(main.outputs.access_token ?? '')?.scopes ?? [];
}

describe("google-github-actions/auth's names", () => {
  it('access_token_scopes sets the scopes, alone or beside scopes at the default the runner fills in', async () => {
    assert.deepEqual(await mintedScopes({ access_token_scopes: GENERATIVE_LANGUAGE }), [GENERATIVE_LANGUAGE]);
    assert.deepEqual(await mintedScopes({ scopes: INPUT_DEFAULTS.scopes, access_token_scopes: `${GENERATIVE_LANGUAGE},\n${CLOUD_PLATFORM}` }), [GENERATIVE_LANGUAGE, CLOUD_PLATFORM]);
    assert.deepEqual(await mintedScopes({ scopes: `${CLOUD_PLATFORM}, ${GENERATIVE_LANGUAGE}`, access_token_scopes: `${GENERATIVE_LANGUAGE}\n${CLOUD_PLATFORM}` }), [GENERATIVE_LANGUAGE, CLOUD_PLATFORM], 'the same scopes in another order agree');
    assert.deepEqual(await mintedScopes({}), INPUT_DEFAULTS.scopes.split(', '), 'without it, the default');
  });

  it('scopes and access_token_scopes that name different scopes are refused before any request', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json), scopes: CLOUD_PLATFORM, access_token_scopes: GENERATIVE_LANGUAGE });
    const message = failure(main);
    assert.match(message, /^The inputs scopes and access_token_scopes are both set and name different scopes \(scopes: https:\/\/www\.googleapis\.com\/auth\/cloud-platform; access_token_scopes: https:\/\/www\.googleapis\.com\/auth\/generative-language\)/);
    assert.match(message, /Fix: Keep one of them: access_token_scopes is another name for scopes/);
    assert.equal(fake.requests.length, 0);
  });

  it('access_token_scopes is checked like scopes', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json), access_token_scopes: `${CLOUD_PLATFORM} ${GENERATIVE_LANGUAGE}` });
    assert.match(failure(main), /^The input access_token_scopes has a value with spaces inside it/);
  });

  it('auth_token is the access token, masked as it is', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json) });
    assert.equal(main.code, 0, main.stdout);
    const token = main.outputs.access_token ?? '';
    assert.ok(fake.issuedTokens.has(token));
    assert.equal(main.outputs.auth_token, token);
    assert.ok(main.masks.includes(token), 'masked (runAction also fails on an output no mask hides)');
  });
});
