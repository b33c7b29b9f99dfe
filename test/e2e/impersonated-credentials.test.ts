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

  it('refuses service_account on top of it, before any request', async () => {
    fake.requests.length = 0;
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(impersonatedFile()), service_account: 'other@gemini-project.iam.gserviceaccount.com' });
    const message = failure(main);
    assert.match(message, new RegExp(`already impersonates ${TARGET}, and the input service_account asks to impersonate other@`));
    assert.match(message, /Fix: Leave service_account unset/);
    assert.deepEqual(fake.requests, []);
  });
});
