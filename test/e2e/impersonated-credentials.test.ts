import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { startFakeGoogle, type FakeGoogle, type FakeUser } from '../support/fake-google.ts';

const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';

let fake: FakeGoogle;
let user: FakeUser;

before(async () => {
  fake = await startFakeGoogle();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  fake.grantTokenCreator(TARGET, user.email);
});
after(async () => {
  await fake.close();
});

/** What `gcloud auth application-default login --impersonate-service-account` writes. */
function impersonatedFile(): Record<string, unknown> {
  return {
    type: 'impersonated_service_account',
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`,
    source_credentials: user.json,
    delegates: [],
    quota_project_id: 'billing-project',
  };
}

describe('impersonated_service_account credentials_json', () => {
  it('impersonates the file\'s service account with a token of its source credentials', async () => {
    fake.requests.length = 0;
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(impersonatedFile()) });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'iamcredentials']);
    assert.equal(main.outputs.auth_type, 'authorized_user', 'the source type');
    assert.equal(main.outputs.principal, TARGET);
    assert.equal(fake.issuedTokens.get(main.outputs.access_token ?? '')?.principal, TARGET);
    assert.ok(main.masks.includes(user.refreshToken) && main.masks.includes(user.clientSecret), 'the source secrets are masked');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_QUOTA_PROJECT, 'billing-project', 'the file\'s own quota project');
    assert.equal(file?.content.type, 'impersonated_service_account');
    assert.equal(file?.content.service_account_impersonation_url, `${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`, 'with the endpoints input');
  });

  it("asks for the file's own scopes unless the input scopes is set, and writes the scopes it asked for", async () => {
    const drive = 'https://www.googleapis.com/auth/drive';
    fake.requests.length = 0;
    const own = await runAction(fake, { credentials_json: JSON.stringify({ ...impersonatedFile(), scopes: [drive] }) });
    assert.equal(own.main.code, 0, own.main.stdout);
    assert.deepEqual(JSON.parse(fake.requests[1]?.body ?? '{}').scope, [drive], "the file's scopes");
    assert.deepEqual(own.file?.content.scopes, [drive], 'a refresh asks for the same');
    fake.requests.length = 0;
    const input = await runAction(fake, { credentials_json: JSON.stringify({ ...impersonatedFile(), scopes: [drive] }), scopes: 'https://www.googleapis.com/auth/generative-language' });
    assert.equal(input.main.code, 0, input.main.stdout);
    assert.deepEqual(JSON.parse(fake.requests[1]?.body ?? '{}').scope, ['https://www.googleapis.com/auth/generative-language'], 'the input, when set');
  });

  it('resolves a nested impersonated_service_account into one delegation chain: two requests, the same grants', async () => {
    const middle = 'gemini-middle@gemini-project.iam.gserviceaccount.com';
    const last = 'gemini-last@gemini-project.iam.gserviceaccount.com';
    fake.grantTokenCreator(middle, user.email);
    fake.grantTokenCreator(TARGET, middle);
    fake.grantTokenCreator(last, TARGET);
    const inner = { ...impersonatedFile(), quota_project_id: undefined };
    const nested = { ...impersonatedFile(), service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${last}:generateAccessToken`, source_credentials: { ...inner, service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`, delegates: [middle] } };
    fake.requests.length = 0;
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(nested) });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'iamcredentials']);
    assert.equal(fake.requests[1]?.path, `/iamcredentials/v1/projects/-/serviceAccounts/${last}:generateAccessToken`);
    assert.deepEqual(JSON.parse(fake.requests[1]?.body ?? '{}').delegates, [`projects/-/serviceAccounts/${middle}`, `projects/-/serviceAccounts/${TARGET}`]);
    assert.equal(main.outputs.principal, last);
    assert.equal((file?.content.source_credentials as Record<string, unknown>).type, 'authorized_user', 'the file written is flat');
    assert.deepEqual(file?.content.delegates, [middle, TARGET]);
  });

  it('refuses service_account on top of it, before any request', async () => {
    fake.requests.length = 0;
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(impersonatedFile()), service_account: 'other@gemini-project.iam.gserviceaccount.com' });
    const message = failure(main);
    assert.match(message, new RegExp(`already impersonates ${TARGET}, and the input service_account asks to impersonate other@`));
    assert.match(message, /Fix: Leave service_account unset/);
    assert.deepEqual(fake.requests, []);
  });
});
