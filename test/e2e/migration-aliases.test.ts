// Migrating from google-github-actions/auth, through the built action: the names
// it gives an input and an output (access_token_scopes for scopes, auth_token for
// access_token), and its README's examples with only the uses: line changed.
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

/**
 * The `with:` blocks of google-github-actions/auth v3's README and docs/EXAMPLES.md,
 * as they stand there but for the names the fake knows: a workflow that swaps
 * only its `uses:` line. `token_format` is an input of theirs that gemini-auth
 * does not declare: the runner passes it on all the same, and it changes nothing.
 */
describe("google-github-actions/auth v3's README examples, with only the uses: line changed", () => {
  const SA = 'my-service-account@my-project.iam.gserviceaccount.com';

  it('direct workload identity with project_id: a token, the credentials file and the project variables', async () => {
    const provider = fake.addProvider();
    const { main } = await runAction(fake, { project_id: 'my-project', workload_identity_provider: provider.name }, { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(fake.issuedTokens.get(main.outputs.access_token ?? '')?.kind, 'federated');
    assert.equal(main.outputs.auth_token, main.outputs.access_token);
    assert.equal(main.outputs.project_id, 'my-project');
    assert.ok(main.outputs.credentials_file_path);
    for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH']) assert.equal(main.exportedEnv[name], main.outputs.credentials_file_path, name);
    for (const name of ['CLOUDSDK_PROJECT', 'CLOUDSDK_CORE_PROJECT', 'GCP_PROJECT', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT']) assert.equal(main.exportedEnv[name], 'my-project', name);
  });

  it('workload identity with service_account and token_format: access_token, access_token_lifetime and access_token_scopes: the service account\'s token', async () => {
    const provider = fake.addProvider();
    fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
    const inputs = { workload_identity_provider: provider.name, service_account: SA, token_format: 'access_token', access_token_lifetime: '300s', access_token_scopes: CLOUD_PLATFORM };
    const { main } = await runAction(fake, inputs, { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    const issued = fake.issuedTokens.get(main.outputs.access_token ?? '');
    assert.equal(issued?.principal, SA);
    assert.deepEqual(issued?.scopes, [CLOUD_PLATFORM]);
    const lifetime = ((issued?.expiresAt ?? 0) - Date.now()) / 1000;
    assert.ok(lifetime > 250 && lifetime <= 300, `a 300 s token, not ${lifetime}`);
    assert.equal(main.outputs.auth_token, main.outputs.access_token);
    assert.equal(main.outputs.project_id, 'my-project', "the service account's project");
  });

  it('credentials_json with a service-account key: the key\'s token', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json) });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(fake.issuedTokens.get(main.outputs.access_token ?? '')?.principal, key.email);
    assert.equal(main.outputs.project_id, key.json.project_id);
  });
});
