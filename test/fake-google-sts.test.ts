// The fake's STS endpoints that the real-client suite needs besides the token
// exchange: the refresh-token grant of external_account_authorized_user
// (workforce identity federation users) and token introspection, which gcloud
// calls for every federated credential it loads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GCLOUD_CLIENT_ID, GCLOUD_CLIENT_SECRET, startFakeGoogle, type FakeGoogle, type FakeWorkforceUser } from './support/fake-google.ts';

let fake: FakeGoogle;
let workforce: FakeWorkforceUser;

before(async () => {
  fake = await startFakeGoogle();
  workforce = fake.addWorkforceUser({ subject: 'ada@example.com' });
});
after(async () => {
  await fake.close();
});

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function refresh(refreshToken: string, authorization: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}/sts/v1/oauthtoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function introspect(token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.url}/sts/v1/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(GCLOUD_CLIENT_ID, GCLOUD_CLIENT_SECRET) },
    body: new URLSearchParams({ token, token_type_hint: 'urn:ietf:params:oauth:token-type:access_token' }),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

describe('fake Google STS', () => {
  it('hands out an external_account_authorized_user file shaped like gcloud\'s, pointing at the fake', () => {
    assert.equal(workforce.json.type, 'external_account_authorized_user');
    assert.equal(workforce.json.audience, '//iam.googleapis.com/locations/global/workforcePools/gemini-workforce/providers/gemini-oidc');
    assert.equal(workforce.json.token_url, `${fake.url}/sts/v1/oauthtoken`);
    assert.equal(workforce.json.token_info_url, `${fake.url}/sts/v1/introspect`);
    assert.equal(workforce.clientId, GCLOUD_CLIENT_ID, 'gcloud puts its own client in the files it writes');
    assert.ok(fake.secrets().includes(workforce.refreshToken), 'the leak scan knows its refresh token');
  });

  it('refreshes a workforce user with the client in HTTP Basic auth: one federated token', async () => {
    fake.reset();
    const { status, body } = await refresh(workforce.refreshToken, basic(workforce.clientId, workforce.clientSecret));
    assert.equal(status, 200);
    const issued = fake.issuedTokens.get(String(body.access_token));
    assert.equal(issued?.kind, 'federated');
    assert.equal(issued?.principal, 'principal://iam.googleapis.com/locations/global/workforcePools/gemini-workforce/subject/ada@example.com');
    assert.equal(body.expires_in, 3599);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['sts']);
  });

  it('refuses another client, an unknown refresh token and a revoked one', async () => {
    const wrongClient = await refresh(workforce.refreshToken, basic('other.apps.googleusercontent.com', 'nope'));
    assert.equal(wrongClient.status, 401);
    assert.equal(wrongClient.body.error, 'invalid_client');
    const unknown = await refresh('wf-refresh-unknown', basic(workforce.clientId, workforce.clientSecret));
    assert.equal(unknown.status, 401);
    const revokedUser = fake.addWorkforceUser();
    fake.revokeRefreshToken(revokedUser.refreshToken);
    const revoked = await refresh(revokedUser.refreshToken, basic(revokedUser.clientId, revokedUser.clientSecret));
    assert.equal(revoked.status, 400);
    assert.equal(revoked.body.error, 'invalid_grant');
  });

  it('introspects its own tokens: active with the principal as username, inactive otherwise', async () => {
    const { body } = await refresh(workforce.refreshToken, basic(workforce.clientId, workforce.clientSecret));
    const active = await introspect(String(body.access_token));
    assert.equal(active.active, true);
    assert.equal(active.username, 'principal://iam.googleapis.com/locations/global/workforcePools/gemini-workforce/subject/ada@example.com');
    assert.equal(fake.requests.at(-1)?.endpoint, 'introspect');
    fake.expireToken(String(body.access_token));
    assert.deepEqual(await introspect(String(body.access_token)), { active: false });
    assert.deepEqual(await introspect('ya29.not-ours'), { active: false });
  });
});
