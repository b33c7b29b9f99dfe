// external_account_authorized_user: a workforce identity federation user's
// credentials, as `gcloud auth application-default login --login-config=...`
// writes them. One refresh-token grant at STS, the client in HTTP Basic auth.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { type FakeGoogle, type FakeWorkforceUser } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { reportedMode } from '../support/platform.ts';
import { removeJob, runTokenJob } from '../support/job.ts';

const TARGET = 'gemini-target@workforce-project.iam.gserviceaccount.com';

let fake: FakeGoogle;
let user: FakeWorkforceUser;

useFakeGoogle(
  (started) => (fake = started),
  () => {
    user = fake.addWorkforceUser();
  },
);

/** The file as gcloud writes it: Google's URLs, which the endpoints input overrides in these tests. */
function gcloudFile(): Record<string, string> {
  return { ...user.json, token_url: 'https://sts.googleapis.com/v1/oauthtoken', token_info_url: 'https://sts.googleapis.com/v1/introspect' };
}

describe('external_account_authorized_user credentials', () => {
  it('mints with one refresh-token grant at the sts endpoint, client in Basic auth; writes its own ADC type with the override', async () => {
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify({ ...gcloudFile(), quota_project_id: 'workforce-billing' }) });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['POST /sts/v1/oauthtoken'], 'one request, the protocol\'s minimum');
    const grant = fake.requests[0];
    assert.deepEqual(Object.fromEntries(new URLSearchParams(grant?.body)), { grant_type: 'refresh_token', refresh_token: user.refreshToken }, 'the client is not in the body');
    assert.equal(grant?.headers.authorization, `Basic ${Buffer.from(`${user.clientId}:${user.clientSecret}`).toString('base64')}`);
    const token = main.outputs.access_token ?? '';
    assert.equal(fake.issuedTokens.get(token)?.principal, `principal://iam.googleapis.com/${user.pool}/subject/${user.subject}`);
    for (const secret of [token, user.refreshToken, user.clientSecret]) assert.ok(main.masks.includes(secret), 'masked');
    assert.equal(main.outputs.auth_type, 'external_account_authorized_user');
    assert.match(main.stdout, /::group::Authenticating with external_account_authorized_user credentials of workforce pool locations\/global\/workforcePools\/gemini-workforce/);
    assert.deepEqual(file?.content, {
      type: 'external_account_authorized_user',
      audience: user.json.audience,
      client_id: user.clientId,
      client_secret: user.clientSecret,
      refresh_token: user.refreshToken,
      token_url: `${fake.url}/sts/v1/oauthtoken`,
      token_info_url: `${fake.url}/sts/v1/introspect`,
      quota_project_id: 'workforce-billing',
    });
    assert.equal(file?.mode, reportedMode(0o600));
    assert.equal(main.exportedEnv.CLOUDSDK_API_ENDPOINT_OVERRIDES_STS, `${fake.url}/sts/`);
    assert.match(main.warnings.join('\n'), /No project is known for these external_account_authorized_user credentials/);
  });

  it('verifies its token through the Gemini API', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(gcloudFile()), verify: 'true', project_id: 'workforce-project' });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts', 'tokeninfo', 'models']);
    assert.deepEqual(main.warnings, [], 'the project is known');
  });

  it('impersonates a service account on top: an impersonated_service_account file with it as the source', async () => {
    fake.grantTokenCreator(TARGET, `principalSet://iam.googleapis.com/${user.pool}/*`);
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(gcloudFile()), service_account: TARGET });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['sts', 'iamcredentials']);
    assert.equal(main.outputs.principal, TARGET);
    assert.equal(main.outputs.project_id, 'workforce-project', 'from the service account email');
    assert.equal(file?.content.type, 'impersonated_service_account');
    assert.equal((file?.content.source_credentials as Record<string, unknown>).type, 'external_account_authorized_user');
  });

  it('gemini-auth-token refreshes from the file the step wrote', async () => {
    const job = await runTokenJob(fake, { credentials_json: JSON.stringify(gcloudFile()) }, ['gemini-auth-token --min-lifetime 2h']);
    try {
      const [printed = ''] = (job.runs[0]?.stdout ?? '').split('\n').filter((line) => line !== '' && !line.startsWith('::'));
      assert.ok(fake.issuedTokens.has(printed), `a token the fake issued: ${job.runs[0]?.stdout}`);
      assert.notEqual(printed, job.main.outputs.access_token);
      assert.deepEqual(fake.requests.map((r) => r.path), ['/sts/v1/oauthtoken', '/sts/v1/oauthtoken']);
    } finally {
      removeJob(job);
    }
  });

  it('explains an ended workforce session with the login command; no retry', async () => {
    fake.revokeRefreshToken(user.refreshToken);
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(gcloudFile()) });
    const message = failure(main);
    assert.match(message, /Google rejected the refresh token in the external_account_authorized_user credentials_json \(HTTP 400 invalid_grant/);
    assert.match(message, /Fix: Sign in again with `gcloud auth application-default login --login-config=LOGIN_CONFIG_FILE`/);
    assert.equal(fake.count('sts'), 1);
  });

  it('explains a client the STS does not know', async () => {
    const wrong = 'wrong-client-secret-value';
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...gcloudFile(), client_secret: wrong }) }, { secrets: [wrong] });
    const message = failure(main);
    assert.match(message, /Google rejected the OAuth client \S+ of the external_account_authorized_user credentials_json \(HTTP 401 invalid_client/);
    assert.match(message, /--login-config/);
  });

  it('refuses a file without token_url, before any request', async () => {
    const { token_url: _url, ...withoutUrl } = gcloudFile();
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(withoutUrl) });
    const message = failure(main);
    assert.match(message, /The external_account_authorized_user credentials_json lacks the field token_url/);
    assert.match(message, /gcloud auth application-default login --login-config/);
    assert.deepEqual(fake.requests, []);
  });

  it('refuses a file of another universe, before any request', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...gcloudFile(), universe_domain: 'universe.example' }) });
    const message = failure(main);
    assert.match(message, /The credentials_json is for the universe universe\.example \(its universe_domain\), and the input universe is googleapis\.com/);
    assert.match(message, /Fix: Set the input universe to universe\.example/);
    assert.deepEqual(fake.requests, []);
  });
});
