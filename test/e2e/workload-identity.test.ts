import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { decodeJwt, type FakeGoogle, type FakeProvider } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { reportedMode } from '../support/platform.ts';

let fake: FakeGoogle;
let provider: FakeProvider;
const SA = 'gemini-ci@my-project.iam.gserviceaccount.com';

useFakeGoogle(
  (started) => {
    fake = started;
    provider = fake.addProvider();
    fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
  },
);

const wif = (extra: Record<string, string> = {}): Record<string, string> => ({ workload_identity_provider: provider.name, ...extra });

describe('workload identity federation', () => {
  it('direct: OIDC then STS, two requests; the OIDC token and federated token are masked; claims are logged', async () => {
    const { main, file, leftovers } = await runAction(fake, wif({ project_id: 'my-project' }), { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['oidc', 'sts']);
    const oidc = fake.requests[0];
    assert.equal(oidc?.query.audience, `https://iam.googleapis.com/${provider.name}`, 'the default audience');
    assert.equal(oidc?.headers.authorization, `Bearer ${fake.oidcRequestToken}`);
    const sts = new URLSearchParams(fake.requests[1]?.body);
    assert.equal(sts.get('grant_type'), 'urn:ietf:params:oauth:grant-type:token-exchange');
    assert.equal(sts.get('audience'), `//iam.googleapis.com/${provider.name}`);
    assert.equal(sts.get('subject_token_type'), 'urn:ietf:params:oauth:token-type:jwt');
    assert.equal(sts.get('scope'), 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/generative-language.retriever');
    const subjectToken = sts.get('subject_token') ?? '';
    assert.ok(main.masks.includes(subjectToken), 'the OIDC token is masked');
    assert.ok(main.masks.includes(fake.oidcRequestToken), 'the OIDC request token is masked');
    assert.ok(main.masks.includes(main.outputs.access_token ?? ''), 'the federated token is masked');

    assert.equal(main.outputs.auth_type, 'workload_identity');
    assert.equal(main.outputs.principal, 'repo:octo-org/octo-repo:ref:refs/heads/main');
    assert.equal(main.outputs.project_id, 'my-project');
    const lifetime = Date.parse(main.outputs.expires_at ?? '') - Date.now();
    assert.ok(lifetime > 240_000 && lifetime <= 300_000, `a federated token lives as long as its OIDC token, not ${lifetime} ms`);
    assert.equal(main.warnings.length, 1, 'one annotation: the token is shorter-lived than min_token_lifetime');
    assert.match(main.warnings[0] ?? '', /expires in \d+s, less than min_token_lifetime \(600s\).*GitHub OIDC token.*gemini-auth-token.*service_account/);
    assert.match(main.stdout, /GitHub OIDC token claims: iss=https:\/\/token\.actions\.githubusercontent\.com, sub=repo:octo-org\/octo-repo:ref:refs\/heads\/main, aud=.*repository=octo-org\/octo-repo.*job_workflow_ref=/);

    assert.ok(file);
    assert.equal(file.mode, reportedMode(0o600));
    assert.deepEqual(file.content, {
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider.name}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${fake.url}/sts/v1/token`,
      // gcloud introspects at token_info_url; without it, at Google's STS, past the sts override.
      token_info_url: `${fake.url}/sts/v1/introspect`,
      credential_source: {
        url: `${fake.oidcRequestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${provider.name}`)}`,
        headers: { Authorization: `Bearer ${fake.oidcRequestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
      quota_project_id: 'my-project',
    });
    assert.deepEqual(leftovers, []);
  });

  it('with service_account: OIDC, STS, generateAccessToken; three requests', async () => {
    const { main, file } = await runAction(fake, wif({ service_account: SA, access_token_lifetime: '1800s', scopes: 'https://www.googleapis.com/auth/generative-language' }), { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['oidc', 'sts', 'iamcredentials']);
    assert.equal(new URLSearchParams(fake.requests[1]?.body).get('scope'), 'https://www.googleapis.com/auth/cloud-platform', 'the federated token only needs cloud-platform');
    const iam = fake.requests[2];
    assert.equal(iam?.path, `/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`);
    assert.deepEqual(JSON.parse(iam?.body ?? ''), { scope: ['https://www.googleapis.com/auth/generative-language'], lifetime: '1800s' });
    assert.equal(main.outputs.auth_type, 'workload_identity');
    assert.equal(main.outputs.principal, SA);
    assert.deepEqual(main.warnings, [], 'an impersonated token lives long enough');
    const lifetime = Date.parse(main.outputs.expires_at ?? '') - Date.now();
    assert.ok(lifetime > 1700_000 && lifetime <= 1800_000, `lifetime ${lifetime}`);
    assert.equal(file?.content.service_account_impersonation_url, `${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`);
    assert.deepEqual(file?.content.service_account_impersonation, { token_lifetime_seconds: 1800 });
  });

  it('exports the project of the impersonated service account; warns when direct federation leaves it unknown', async () => {
    const impersonating = await runAction(fake, wif({ service_account: SA }), { env: fake.oidcEnv });
    assert.equal(impersonating.main.code, 0, impersonating.main.stdout);
    assert.equal(impersonating.main.outputs.project_id, 'my-project', 'from gemini-ci@my-project.iam.gserviceaccount.com');
    assert.equal(impersonating.main.exportedEnv.GOOGLE_CLOUD_PROJECT, 'my-project');
    const direct = await runAction(fake, wif(), { env: fake.oidcEnv });
    assert.equal(direct.main.code, 0, direct.main.stdout);
    assert.equal(direct.main.outputs.project_id, '');
    assert.equal(direct.main.exportedEnv.GOOGLE_CLOUD_PROJECT, undefined);
    assert.ok(direct.main.warnings.some((warning) => /No project is known for these workload_identity credentials, so none is exported for later steps: .*a 403 from Cloud Resource Manager.*Set the input project_id/.test(warning)), direct.main.warnings.join('\n'));
  });

  it('verifies a federated token through the Gemini API', async () => {
    const { main } = await runAction(fake, wif({ service_account: SA, verify: 'true', quota_project_id: 'my-project' }), { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(fake.requests.map((r) => r.endpoint), ['oidc', 'sts', 'iamcredentials', 'tokeninfo', 'models']);
    assert.ok(JSON.parse(main.outputs.models ?? '[]').includes('models/gemini-2.5-flash'));
  });

  it('sends a custom audience', async () => {
    const custom = fake.addProvider({ name: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/custom-aud', allowedAudiences: ['my-audience'] });
    const { main } = await runAction(fake, { workload_identity_provider: custom.name, audience: 'my-audience' }, { env: fake.oidcEnv });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(fake.requests[0]?.query.audience, 'my-audience');
    assert.equal(decodeJwt(new URLSearchParams(fake.requests[1]?.body).get('subject_token') ?? '')?.payload.aud, 'my-audience');
  });

  it('explains a missing id-token: write permission, and the fork case', async () => {
    const { main } = await runAction(fake, wif());
    const message = failure(main);
    assert.match(message, /cannot get a GitHub OIDC token/);
    assert.match(message, /id-token: write/);
    assert.match(message, /forks/);
    assert.equal(fake.requests.length, 0);
  });

  it('explains a malformed provider name, and a project ID in place of the number', async () => {
    const id = await runAction(fake, { workload_identity_provider: 'projects/my-project/locations/global/workloadIdentityPools/github/providers/gha' }, { env: fake.oidcEnv });
    assert.match(failure(id.main), /names the project by ID \("my-project"\); it needs the project NUMBER/);
    const junk = await runAction(fake, { workload_identity_provider: 'github-pool' }, { env: fake.oidcEnv });
    assert.match(failure(junk.main), /not a provider resource name.*gcloud iam workload-identity-pools providers describe/);
    assert.equal(fake.requests.length, 0);
  });

  it('explains an unknown provider', async () => {
    const { main } = await runAction(fake, { workload_identity_provider: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/nope' }, { env: fake.oidcEnv });
    assert.match(failure(main), /does not exist or is disabled/);
  });

  it('explains an audience mismatch', async () => {
    const { main } = await runAction(fake, wif({ audience: 'https://example.com/wrong' }), { env: fake.oidcEnv });
    const message = failure(main);
    assert.match(message, /audience https:\/\/example\.com\/wrong is not one the provider accepts/);
    assert.match(message, /Leave the input audience unset/);
  });

  it('explains an attribute condition that rejects the job, showing the claims', async () => {
    const strict = fake.addProvider({ name: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/strict', condition: (claims) => claims.repository === 'octo-org/other' });
    const { main } = await runAction(fake, { workload_identity_provider: strict.name }, { env: fake.oidcEnv });
    const message = failure(main);
    assert.match(message, /attribute condition rejected/);
    assert.match(message, /repository=octo-org\/octo-repo/);
    assert.match(message, /attributeCondition/);
  });

  it('explains a denied impersonation with the role and member to grant', async () => {
    const { main } = await runAction(fake, wif({ service_account: 'other@my-project.iam.gserviceaccount.com' }), { env: fake.oidcEnv });
    const message = failure(main);
    assert.match(message, /may not impersonate other@my-project\.iam\.gserviceaccount\.com/);
    assert.match(message, /roles\/iam\.workloadIdentityUser/);
    assert.ok(message.includes(`--member="principalSet://iam.googleapis.com/${provider.pool}/attribute.repository/octo-org/octo-repo"`), message);
    assert.equal(fake.count('iamcredentials'), 1, 'a 403 is not retried');
  });

  it('explains a lifetime over one hour without the org policy', async () => {
    const { main } = await runAction(fake, wif({ service_account: SA, access_token_lifetime: '2h' }), { env: fake.oidcEnv });
    const message = failure(main);
    assert.match(message, /access_token_lifetime 7200s was refused/);
    assert.match(message, /constraints\/iam\.allowServiceAccountCredentialLifetimeExtension/);
  });

  it('refuses a bad service_account email before any request', async () => {
    const { main } = await runAction(fake, wif({ service_account: 'not-an-email' }), { env: fake.oidcEnv });
    assert.match(failure(main), /service_account must be a service account email/);
    assert.equal(fake.requests.length, 0);
  });
});
