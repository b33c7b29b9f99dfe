import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { failure, POST, runAction } from '../support/action.ts';
import { type FakeGoogle, type FakeUser } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { reportedMode } from '../support/platform.ts';
import { makeTempDir, runStep } from '../support/runner.ts';

let fake: FakeGoogle;
let user: FakeUser;

useFakeGoogle(
  (started) => (fake = started),
  () => {
    user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  },
);

describe('authorized_user credentials', () => {
  it('mints one masked token, writes the ADC file, exports the variables, and the post step removes the file', async () => {
    const run = await runAction(fake, { credentials_json: JSON.stringify(user.json) });
    const { main, post, file } = run;
    assert.equal(main.code, 0, main.stdout);
    assert.equal(fake.count('token'), 1);
    assert.equal(fake.requests.length, 1, 'no request beyond the token grant');

    const token = main.outputs.access_token ?? '';
    assert.ok(fake.issuedTokens.has(token), 'the output is the token the fake issued');
    assert.ok(main.masks.includes(token), 'the token is masked');
    assert.ok(main.masks.includes(user.refreshToken) && main.masks.includes(user.clientSecret), 'the secret parts of the input are masked');
    assert.match(main.outputs.expires_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lifetime = Date.parse(main.outputs.expires_at ?? '') - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000, `expires in ${lifetime} ms`);
    assert.equal(main.outputs.auth_type, 'authorized_user');
    assert.equal(main.outputs.principal, 'dev@example.com');
    assert.equal(main.outputs.project_id, 'gemini-project');
    assert.equal(main.outputs.cache_hit, 'false');

    assert.ok(file, 'a credentials file was written');
    assert.equal(file.mode, reportedMode(0o600));
    assert.ok(file.path.startsWith(run.runnerTemp), 'the file is in RUNNER_TEMP');
    assert.match(file.path, /[\\/]gemini-auth-[0-9a-f]{24}\.json$/);
    assert.deepEqual(file.content, {
      type: 'authorized_user',
      client_id: user.clientId,
      client_secret: user.clientSecret,
      refresh_token: user.refreshToken,
      token_uri: fake.tokenUrl,
      quota_project_id: 'gemini-project',
    });
    assert.equal(main.outputs.credentials_file_path, file.path);
    for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'GOOGLE_GHA_CREDS_PATH']) assert.equal(main.exportedEnv[name], file.path, name);
    for (const name of ['CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_BILLING_QUOTA_PROJECT']) {
      assert.equal(main.exportedEnv[name], 'gemini-project', name);
    }
    assert.match(main.summary, /authorized_user/);
    assert.match(main.summary, /dev@example\.com/);

    assert.equal(post.code, 0, post.stdout);
    assert.ok(!existsSync(file.path), 'the post step removed the file');
    assert.deepEqual(run.leftovers, []);
  });

  it('logs the work in one group, then one line per fact; a failure closes the group before its error', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true' });
    const lines = main.stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith('::group::Authenticating with authorized_user credentials of OAuth client'));
    const end = lines.indexOf('::endgroup::');
    assert.ok(start >= 0 && end > start, main.stdout);
    const facts = lines.slice(end + 1).filter((line) => line !== '' && !line.startsWith('::'));
    assert.deepEqual(facts.map((line) => line.split(':')[0]), ['Auth type', 'Principal', 'Project', 'Quota project', 'Token expires', 'From cache', 'Credentials file', 'Granted scopes', 'Gemini models']);
    assert.deepEqual(main.warnings, []);

    fake.revokeRefreshToken(user.refreshToken);
    const failed = (await runAction(fake, { credentials_json: JSON.stringify(user.json) })).main;
    failure(failed);
    assert.ok(failed.stdout.indexOf('::endgroup::') < failed.stdout.indexOf('::error::'), 'the error stands outside the group');
  });

  it('takes the JSON base64-encoded too', async () => {
    const { main } = await runAction(fake, { credentials_json: Buffer.from(JSON.stringify(user.json, null, 2)).toString('base64') });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(main.outputs.auth_type, 'authorized_user');
  });

  it('with verify, lists every page of models with x-goog-user-project, reads tokeninfo, and counts tokens with verify_model', async () => {
    fake.maxPageSize = 3;
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true', verify_model: 'gemini-2.5-flash' });
    assert.equal(main.code, 0, main.stdout);
    const pages = Math.ceil(fake.models.length / 3);
    assert.ok(pages >= 3, 'the fake serves several pages');
    assert.equal(fake.count('token'), 1);
    assert.equal(fake.count('tokeninfo'), 1);
    assert.equal(fake.count('models'), pages);
    assert.equal(fake.count('countTokens'), 1);
    assert.equal(fake.requests.length, 2 + pages + 1);
    assert.equal(main.outputs.verified, 'true');
    for (const request of fake.requests.filter((r) => r.endpoint === 'models' || r.endpoint === 'countTokens')) {
      assert.equal(request.headers['x-goog-user-project'], 'gemini-project');
      assert.equal(request.headers.authorization, `Bearer ${main.outputs.access_token}`);
    }
    const tokeninfo = fake.requests.find((r) => r.endpoint === 'tokeninfo');
    assert.equal(tokeninfo?.method, 'POST', 'the token goes in a body, never in a URL');
    assert.deepEqual(JSON.parse(main.outputs.models ?? ''), fake.models);
    assert.match(main.summary, /models\/gemini-2\.5-flash/);
    assert.match(main.summary, /auth\/cloud-platform/, 'the summary shows the granted scopes');
  });

  it('fails verify_model with the models that are there', async () => {
    const { main, post, leftovers } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true', verify_model: 'models/gemini-9-ultra' });
    const message = failure(main);
    assert.match(message, /models\/gemini-9-ultra is not among the \d+ models/);
    assert.match(message, /Fix: Check the input verify_model/);
    assert.equal(post.code, 0);
    assert.deepEqual(leftovers, [], 'the post step removes the file after a failure too');
  });

  it('explains invalid_grant: the Testing-mode 7-day expiry and the command to make a new secret; no retry', async () => {
    fake.revokeRefreshToken(user.refreshToken);
    const { main, leftovers } = await runAction(fake, { credentials_json: JSON.stringify(user.json) });
    const message = failure(main);
    assert.match(message, /invalid_grant/);
    assert.match(message, /7 days/);
    assert.match(message, /Publish app/);
    assert.match(message, /gcloud auth application-default login --client-id-file=client_secret\.json/);
    assert.equal(fake.count('token'), 1, 'a definite answer is not retried');
    assert.equal(main.outputs.access_token, undefined);
    assert.deepEqual(leftovers, [], 'no file is written without a token');
  });

  it('explains invalid_client', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...user.json, client_secret: 'GOCSPX-wrong-secret-value' }) }, { secrets: ['GOCSPX-wrong-secret-value'] });
    const message = failure(main);
    assert.match(message, /rejected the OAuth client/);
    assert.match(message, /console\.cloud\.google\.com\/auth\/clients/);
  });

  it('refuses malformed JSON without a request and without echoing it', async () => {
    const broken = JSON.stringify(user.json).slice(0, -3);
    const { main } = await runAction(fake, { credentials_json: broken }, { secrets: [broken] });
    assert.match(failure(main), /credentials_json is not valid JSON/);
    assert.equal(fake.requests.length, 0);
  });

  it('refuses both or neither credential input', async () => {
    const neither = await runAction(fake, {});
    assert.match(failure(neither.main), /Neither credentials_json nor workload_identity_provider/);
    const both = await runAction(fake, { credentials_json: JSON.stringify(user.json), workload_identity_provider: 'projects/1/locations/global/workloadIdentityPools/pool/providers/prov' });
    assert.match(failure(both.main), /Both credentials_json and workload_identity_provider/);
    assert.equal(fake.requests.length, 0);
  });

  it('explains a missing quota project', async () => {
    const { quota_project_id: _quota, ...withoutQuota } = user.json;
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(withoutQuota), verify: 'true' });
    const message = failure(main);
    assert.match(message, /needs a quota project/);
    assert.match(message, /quota_project_id/);
    assert.match(message, /gcloud auth application-default set-quota-project/);
  });

  it('explains an API that is not enabled, with the link to enable it', async () => {
    fake.disabledApiProjects.add('gemini-project');
    try {
      const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true' });
      const message = failure(main);
      assert.match(message, /Generative Language API is not enabled in project gemini-project/);
      assert.match(message, /https:\/\/console\.developers\.google\.com\/apis\/api\/generativelanguage\.googleapis\.com\/overview\?project=gemini-project/);
      assert.match(message, /gcloud services enable generativelanguage\.googleapis\.com/);
    } finally {
      fake.disabledApiProjects.clear();
    }
  });

  it('explains insufficient scopes with the login command that grants them', async () => {
    const narrow = fake.addUser({ quotaProjectId: 'gemini-project', scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'] });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(narrow.json), verify: 'true' });
    const message = failure(main);
    assert.match(message, /refused the token: it lacks the OAuth scopes/);
    assert.match(message, /--scopes=https:\/\/www\.googleapis\.com\/auth\/cloud-platform/);
  });

  it('uses project_id and quota_project_id inputs over the JSON', async () => {
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(user.json), project_id: 'other-project', quota_project_id: 'billing-project', verify: 'true' }, { skipPost: true });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(main.outputs.project_id, 'other-project');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_PROJECT, 'other-project');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_QUOTA_PROJECT, 'billing-project');
    assert.equal(file?.content.quota_project_id, 'billing-project');
    assert.equal(fake.requests.find((r) => r.endpoint === 'models')?.headers['x-goog-user-project'], 'billing-project');
  });

  it('writes no file and exports nothing when asked not to', async () => {
    const { main, leftovers } = await runAction(fake, { credentials_json: JSON.stringify(user.json), create_credentials_file: 'false', export_environment_variables: 'false' });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(main.outputs.credentials_file_path, '');
    assert.deepEqual(main.exportedEnv, {});
    assert.ok(main.outputs.access_token);
    assert.deepEqual(leftovers, []);
  });

  it('leaves the file in place with cleanup_credentials: false', async () => {
    const { main, post, file, leftovers } = await runAction(fake, { credentials_json: JSON.stringify(user.json), cleanup_credentials: 'false' });
    assert.equal(main.code, 0);
    assert.equal(post.code, 0);
    assert.ok(file);
    const tokenFolder = dirname(main.addedPath[0] ?? '');
    assert.deepEqual(leftovers.sort(), [file.path, tokenFolder].sort(), 'the file and the folder of gemini-auth-token stay');
    assert.match(post.stdout, /cleanup_credentials is false/);
  });

  it('warns when the credentials file goes inside the workspace', async () => {
    const run = await runAction(fake, { credentials_json: JSON.stringify(user.json), credentials_file_dir: '.' });
    assert.equal(run.main.code, 0, run.main.stdout);
    assert.equal(run.main.warnings.length, 1);
    assert.match(run.main.warnings[0] ?? '', /inside the workspace/);
    assert.deepEqual(run.leftovers, [], 'the post step removes it from the workspace too');
  });

  it('removes the folders it made for a nested credentials_file_dir, and leaves one that holds files of others', async () => {
    const dir = await makeTempDir();
    try {
      const clean = await runAction(fake, { credentials_json: JSON.stringify(user.json), credentials_file_dir: join(dir, 'creds', 'nested') });
      assert.equal(clean.main.code, 0, clean.main.stdout);
      assert.equal(dirname(clean.main.outputs.credentials_file_path ?? ''), join(dir, 'creds', 'nested'));
      assert.deepEqual(readdirSync(dir), [], 'creds/nested, made by the main step, are gone');

      const shared = await runAction(fake, { credentials_json: JSON.stringify(user.json), credentials_file_dir: join(dir, 'shared', 'nested') }, { skipPost: true });
      assert.equal(shared.main.code, 0, shared.main.stdout);
      // A later step of the job puts a file of its own beside ours; post runs after it.
      writeFileSync(join(dir, 'shared', 'report.txt'), 'kept');
      const post = await runStep(POST, { state: shared.main.state });
      assert.equal(post.code, 0, post.stdout);
      assert.deepEqual(readdirSync(join(dir, 'shared')), ['report.txt'], 'the empty folder of ours goes, the one with a file of others stays');
      assert.match(post.stdout, /Left the folder .*shared in place: it holds files gemini-auth did not write\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses plain http to a non-loopback endpoint before any request', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), endpoints: 'oauth2=http://example.com/oauth2' });
    assert.match(failure(main), /plain http:\/\/ URL for oauth2 on example\.com/);
    assert.equal(fake.requests.length, 0);
  });

  it("takes the OAuth quickstart's token.json: one request, says so, ignores its stale token, masks every secret", async () => {
    // What the quickstart's load_creds() saves with Credentials.to_json(): no type, a stale access token, its expiry.
    const stale = 'ya29.a0AS3H6Nx-stale-access-token-of-the-quickstart-0123456789';
    const tokenJson = {
      token: stale,
      refresh_token: user.refreshToken,
      token_uri: 'https://oauth2.googleapis.com/token',
      client_id: user.clientId,
      client_secret: user.clientSecret,
      scopes: ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/generative-language.retriever'],
      universe_domain: 'googleapis.com',
      account: '',
      expiry: '2025-05-01T12:00:00Z',
    };
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(tokenJson), quota_project_id: 'gemini-project' }, { secrets: [stale] });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['token'], 'one refresh, at the oauth2 override');
    assert.equal(new URLSearchParams(fake.requests[0]?.body).get('refresh_token'), user.refreshToken);
    assert.match(main.stdout, /::group::Authenticating with authorized_user credentials \(a token\.json without a type, as Google's OAuth quickstart saves it\) of OAuth client/);
    for (const secret of [stale, user.refreshToken, user.clientSecret]) assert.ok(main.masks.includes(secret), 'every secret field is masked, the stale token too');
    assert.notEqual(main.outputs.access_token, stale);
    assert.ok(fake.issuedTokens.has(main.outputs.access_token ?? ''), 'a fresh token, not the stale one');
    assert.equal(main.outputs.auth_type, 'authorized_user');
    assert.deepEqual(Object.keys(file?.content ?? {}).sort(), ['client_id', 'client_secret', 'quota_project_id', 'refresh_token', 'token_uri', 'type']);
    assert.equal(file?.content.type, 'authorized_user', 'written back with its type');
  });

  it("uses a file's token_uri only within the endpoints rules: a host that is not Google's is ignored with a note", async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify({ ...user.json, token_uri: 'https://tokens.example.net/token' }) }, { skipPost: true });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['token'], 'the refresh token went to the endpoints input, not the file\'s host');
    assert.match(main.stdout, /Not using the credentials' token_uri \(host tokens\.example\.net\): tokens go only to Google's token endpoint or the endpoints input's oauth2/);
  });

  it('explains invalid_rapt: Workspace session control, with the Admin console fix and workload identity; no retry', async () => {
    fake.requireReauth(user.refreshToken);
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json) });
    const message = failure(main);
    assert.match(message, /Google requires the user of credentials_json to sign in again \(HTTP 400 invalid_grant: reauth related error \(invalid_rapt\)\): the Google Workspace admin's session control/);
    assert.match(message, /Fix: Ask the Workspace admin to exempt this OAuth app .*Exempt trusted apps.*https:\/\/support\.google\.com\/a\/answer\/9368756/);
    assert.match(message, /workload_identity_provider with service_account/);
    assert.doesNotMatch(message, /Publish app/, 'publishing the app does not help here');
    assert.equal(fake.count('token'), 1);
  });

  it("exports gcloud's endpoint variables for each overridden service, and only for those", async () => {
    const all = await runAction(fake, { credentials_json: JSON.stringify(user.json) });
    assert.equal(all.main.code, 0, all.main.stdout);
    assert.equal(all.main.exportedEnv.CLOUDSDK_AUTH_TOKEN_HOST, `${fake.url}/oauth2/token`);
    assert.equal(all.main.exportedEnv.CLOUDSDK_API_ENDPOINT_OVERRIDES_STS, `${fake.url}/sts/`);
    assert.equal(all.main.exportedEnv.CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS, `${fake.url}/iamcredentials/`);

    const oauth2Only = await runAction(fake, { credentials_json: JSON.stringify(user.json), endpoints: `oauth2=${fake.url}/oauth2` });
    assert.equal(oauth2Only.main.code, 0, oauth2Only.main.stdout);
    assert.equal(oauth2Only.main.exportedEnv.CLOUDSDK_AUTH_TOKEN_HOST, `${fake.url}/oauth2/token`);
    for (const name of ['CLOUDSDK_API_ENDPOINT_OVERRIDES_STS', 'CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS']) assert.equal(oauth2Only.main.exportedEnv[name], undefined, name);

    const none = await runAction(fake, { credentials_json: JSON.stringify(user.json), endpoints: `oauth2=${fake.url}/oauth2`, export_environment_variables: 'false' });
    assert.deepEqual(none.main.exportedEnv, {}, 'nothing with export_environment_variables: false');
  });

  it('never probes the metadata server, even with verify', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true' });
    assert.equal(main.code, 0);
    assert.equal(fake.count('metadata'), 0);
  });
});
