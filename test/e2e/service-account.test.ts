import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { decodeJwt, type FakeGoogle, type ServiceAccountKey } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { reportedMode } from '../support/platform.ts';
import { makeTempDir } from '../support/runner.ts';

let fake: FakeGoogle;
let key: ServiceAccountKey;
const TARGET = 'gemini-target@my-project.iam.gserviceaccount.com';

useFakeGoogle(
  (started) => (fake = started),
  () => {
    key = fake.addServiceAccountKey({ email: `key-${Date.now()}@my-project.iam.gserviceaccount.com`, projectId: 'my-project' });
  },
);

describe('service_account key', () => {
  it('mints by the JWT-bearer grant, one request, signed with the key; writes a service_account file', async () => {
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(key.json), scopes: 'https://www.googleapis.com/auth/generative-language' });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['token']);
    const form = new URLSearchParams(fake.requests[0]?.body);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = decodeJwt(form.get('assertion') ?? '');
    assert.equal(assertion?.header.kid, key.privateKeyId);
    assert.equal(assertion?.payload.iss, key.email);
    assert.equal(assertion?.payload.aud, fake.tokenUrl);
    assert.equal(assertion?.payload.scope, 'https://www.googleapis.com/auth/generative-language');
    assert.equal(main.outputs.auth_type, 'service_account');
    assert.equal(main.outputs.principal, key.email);
    assert.equal(main.outputs.project_id, 'my-project');
    assert.ok(main.masks.some((mask) => key.privateKeyPem.includes(mask) && mask.length > 40), 'the private key is masked');
    assert.equal(file?.mode, reportedMode(0o600));
    assert.equal(file?.content.type, 'service_account');
    assert.equal(file?.content.private_key, key.privateKeyPem);
    assert.equal(file?.content.token_uri, fake.tokenUrl);
    assert.equal(file?.content.quota_project_id, 'my-project');
  });

  it('impersonates another service account: two requests; writes an impersonated_service_account file', async () => {
    fake.grantTokenCreator(TARGET, `serviceAccount:${key.email}`);
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(key.json), service_account: TARGET, delegates: '' });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['token', 'iamcredentials']);
    assert.equal(decodeJwt(new URLSearchParams(fake.requests[0]?.body).get('assertion') ?? '')?.payload.scope, 'https://www.googleapis.com/auth/cloud-platform');
    assert.equal(main.outputs.auth_type, 'service_account', 'the source type, also with impersonation');
    assert.equal(main.outputs.principal, TARGET);
    assert.equal(file?.content.type, 'impersonated_service_account');
    assert.equal(file?.content.service_account_impersonation_url, `${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`);
    assert.equal((file?.content.source_credentials as Record<string, unknown>).private_key, key.privateKeyPem);
  });

  it('explains a denied impersonation with roles/iam.serviceAccountTokenCreator for the key account', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json), service_account: 'nobody@my-project.iam.gserviceaccount.com' });
    const message = failure(main);
    assert.match(message, /roles\/iam\.serviceAccountTokenCreator/);
    assert.ok(message.includes(`--member="serviceAccount:${key.email}"`), message);
  });

  it('explains a disabled key', async () => {
    fake.disableKey(key.privateKeyId);
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json) });
    const message = failure(main);
    assert.match(message, /rejected the service-account key/);
    assert.match(message, /gcloud iam service-accounts keys create/);
  });

  it('refuses EC keys, SEC 1 and PKCS#8, before any request: Google service-account keys are RSA', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const pem of [privateKey.export({ type: 'sec1', format: 'pem' }).toString(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()]) {
      const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...key.json, private_key: pem }) }, { secrets: [pem] });
      const message = failure(main);
      assert.match(message, /The private_key of the service_account credentials_json is an EC key, and Google service-account keys are RSA/);
      assert.match(message, /Fix: Create a new key with `gcloud iam service-accounts keys create/);
    }
    assert.deepEqual(fake.requests, []);
  });

  it('refuses a key of another universe, before any request', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...key.json, universe_domain: 'universe.foo' }) });
    assert.match(failure(main), /The credentials_json is for the universe universe\.foo \(its universe_domain\), and the input universe is googleapis\.com\..*Fix: Set the input universe to universe\.foo/);
    assert.deepEqual(fake.requests, []);
  });

  it('explains a key that is not a readable private key, before any request', async () => {
    const broken = { ...key.json, private_key: '-----BEGIN PRIVATE KEY-----\nnot-a-key-at-all-but-long-enough\n-----END PRIVATE KEY-----\n' };
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(broken) }, { secrets: ['not-a-key-at-all-but-long-enough'] });
    assert.match(failure(main), /cannot be read as an RSA private key/);
    assert.equal(fake.requests.length, 0);
  });
});

describe('authorized_user with service_account', () => {
  it('impersonates from user credentials: token, then generateAccessToken', async () => {
    const user = fake.addUser({ email: 'owner@example.com', quotaProjectId: 'my-project' });
    fake.grantTokenCreator(TARGET, 'user:owner@example.com');
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(user.json), service_account: TARGET });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['token', 'iamcredentials']);
    assert.equal(main.outputs.auth_type, 'authorized_user');
    assert.equal(main.outputs.principal, TARGET);
    assert.equal(file?.content.type, 'impersonated_service_account');
    assert.equal((file?.content.source_credentials as Record<string, unknown>).refresh_token, user.refreshToken);
    assert.equal(file?.content.quota_project_id, 'my-project');
  });
});

describe('external_account configuration', () => {
  it('is used as it is: a file-sourced subject token exchanged at STS for the input scopes, expiring with it', async () => {
    const provider = fake.addProvider({ name: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/external' });
    const dir = await makeTempDir('gemini-auth-subject-');
    const subjectFile = `${dir}/token.jwt`;
    const oidc = fake.mintOidcToken({}, `https://iam.googleapis.com/${provider.name}`);
    writeFileSync(subjectFile, oidc);
    const config = {
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider.name}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      credential_source: { file: subjectFile },
    };
    // google-auth-library would log whole token answers with this set.
    const options = { env: { GOOGLE_SDK_NODE_LOGGING: '*' } };
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(config), project_id: 'my-project', scopes: 'https://www.googleapis.com/auth/generative-language' }, options);
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts']);
    assert.equal(new URLSearchParams(fake.requests[0]?.body).get('scope'), 'https://www.googleapis.com/auth/generative-language');
    assert.equal(Date.parse(main.outputs.expires_at ?? ''), Number(decodeJwt(oidc)?.payload.exp) * 1000, 'not after the subject token');
    assert.ok(main.masks.includes(oidc), 'the subject token is masked');
    assert.equal(main.outputs.auth_type, 'external_account');
    assert.ok(fake.issuedTokens.has(main.outputs.access_token ?? ''));
    assert.equal(file?.content.token_url, `${fake.url}/sts/v1/token`, 'the file carries the sts override');
    assert.deepEqual(file?.content.credential_source, { file: subjectFile });
    rmSync(dir, { recursive: true, force: true });
  });
});
