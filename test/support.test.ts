// Tests of the test infrastructure itself: the fake Google/GitHub endpoints and the step runner.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLOUD_PLATFORM,
  DEFAULT_VERTEX_MODELS,
  GITHUB_ISSUER,
  decodeJwt,
  signJwt,
  startFakeGoogle,
  withEveryString,
  type FakeGoogle,
  type ServiceAccountKey,
} from './support/fake-google.ts';
import {
  findLeaks,
  makeTempDir,
  parseKeyValueFile,
  parseWorkflowCommands,
  runJob,
  runMainAndPost,
  runStep,
  secretForms,
} from './support/runner.ts';

// --- small HTTP helpers -------------------------------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000), ...init });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });
}

function apiErr(answer: Answer): { code: number; status: string; message: string; details: Record<string, unknown>[] } {
  const e = answer.body['error'] as { code: number; status: string; message: string; details?: Record<string, unknown>[] };
  return { ...e, details: e.details ?? [] };
}

function refresh(fake: FakeGoogle, user: { clientId: string; clientSecret: string; refreshToken: string }): Promise<Answer> {
  return postForm(`${fake.url}/oauth2/token`, {
    grant_type: 'refresh_token',
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
  });
}

async function userToken(fake: FakeGoogle, scopes?: string[]): Promise<string> {
  const answer = await refresh(fake, fake.addUser(scopes ? { scopes } : {}));
  return answer.body['access_token'] as string;
}

function listModels(fake: FakeGoogle, token: string, query = '', headers: Record<string, string> = {}): Promise<Answer> {
  return call(`${fake.url}/generativelanguage/v1beta/models${query}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
}

async function tokenOf(fake: FakeGoogle, user: { clientId: string; clientSecret: string; refreshToken: string }): Promise<string> {
  return (await refresh(fake, user)).body['access_token'] as string;
}

async function serviceAccountToken(fake: FakeGoogle, key: ServiceAccountKey, scope = CLOUD_PLATFORM): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const assertion = signJwt({ iss: key.email, aud: key.json['token_uri'], scope, iat, exp: iat + 3600 }, key.privateKeyPem, { kid: key.privateKeyId });
  const answer = await postForm(`${fake.url}/oauth2/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  return answer.body['access_token'] as string;
}

const PROMPT = { contents: [{ role: 'user', parts: [{ text: 'Say hi' }] }] };

function countTokens(fake: FakeGoogle, token: string, model: string, body: unknown = PROMPT, headers: Record<string, string> = {}): Promise<Answer> {
  return postJson(`${fake.url}/generativelanguage/v1beta/models/${model}:countTokens`, body, { authorization: `Bearer ${token}`, ...headers });
}

function publisherModel(fake: FakeGoogle, token: string, model: string, headers: Record<string, string> = {}, version = 'v1'): Promise<Answer> {
  return call(`${fake.url}/aiplatform/${version}/publishers/google/models/${model}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

function vertexCountTokens(
  fake: FakeGoogle,
  token: string,
  where: { project: string; location: string; model: string; version?: string },
  body: unknown = PROMPT,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const resource = `projects/${where.project}/locations/${where.location}/publishers/google/models/${where.model}`;
  return postJson(`${fake.url}/aiplatform/${where.version ?? 'v1'}/${resource}:countTokens`, body, { authorization: `Bearer ${token}`, ...headers });
}

// --- the fake -----------------------------------------------------------------------

describe('fake Google', () => {
  let fake: FakeGoogle;
  before(async () => {
    fake = await startFakeGoogle();
  });
  after(async () => {
    await fake.close();
  });

  test('refresh grant: success, invalid_grant, invalid_client, unsupported_grant_type', async () => {
    const user = fake.addUser({ email: 'mona@example.com' });
    const ok = await refresh(fake, user);
    assert.equal(ok.status, 200);
    assert.match(ok.body['access_token'] as string, /^ya29\./);
    assert.equal(ok.body['expires_in'], 3599);
    assert.equal(ok.body['token_type'], 'Bearer');
    assert.equal(ok.body['scope'], user.scopes.join(' '));
    assert.ok(user.scopes.includes(CLOUD_PLATFORM));
    assert.equal(fake.issuedTokens.get(ok.body['access_token'] as string)?.principal, 'mona@example.com');

    // A scope parameter on refresh is ignored: the consented scopes come back.
    const narrowed = await postForm(`${fake.url}/oauth2/token`, {
      grant_type: 'refresh_token', client_id: user.clientId, client_secret: user.clientSecret,
      refresh_token: user.refreshToken, scope: 'openid',
    });
    assert.equal(narrowed.body['scope'], user.scopes.join(' '));

    const unknownRt = await refresh(fake, { ...user, refreshToken: '1//0gnope' });
    assert.equal(unknownRt.status, 400);
    assert.deepEqual(unknownRt.body, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });

    fake.revokeRefreshToken(user.refreshToken);
    const revoked = await refresh(fake, user);
    assert.equal(revoked.status, 400);
    assert.equal(revoked.body['error'], 'invalid_grant');

    const unknownClient = await refresh(fake, { ...user, clientId: 'nope.apps.googleusercontent.com' });
    assert.equal(unknownClient.status, 401);
    assert.deepEqual(unknownClient.body, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    const wrongSecret = await refresh(fake, { ...user, clientSecret: 'GOCSPX-wrong' });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body['error'], 'invalid_client');

    const weird = await postForm(`${fake.url}/oauth2/token`, { grant_type: 'password' });
    assert.deepEqual(weird.body, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' });
    assert.equal(fake.requests.at(-1)?.endpoint, 'token');
    assert.equal(fake.requests.at(-1)?.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test('authorized_user JSON and Testing-mode refresh_token_expires_in', async () => {
    const user = fake.addUser({ quotaProjectId: 'my-quota', refreshTokenExpiresIn: 604799 });
    assert.equal(user.json['type'], 'authorized_user');
    assert.equal(user.json['quota_project_id'], 'my-quota');
    const ok = await refresh(fake, user);
    assert.equal(ok.body['refresh_token_expires_in'], 604799);
    assert.equal(typeof ok.body['id_token'], 'string');
  });

  test('tokeninfo: GET and POST, unknown and expired tokens', async () => {
    const user = fake.addUser({ email: 'hubot@example.com' });
    const token = (await refresh(fake, user)).body['access_token'] as string;
    const viaGet = await call(`${fake.url}/oauth2/tokeninfo?access_token=${encodeURIComponent(token)}`);
    assert.equal(viaGet.status, 200);
    assert.equal(viaGet.body['email'], 'hubot@example.com');
    assert.equal(viaGet.body['email_verified'], 'true');
    assert.equal(viaGet.body['azp'], user.clientId);
    assert.equal(viaGet.body['aud'], user.clientId);
    assert.equal(viaGet.body['scope'], user.scopes.join(' '));
    assert.equal(viaGet.body['access_type'], 'offline');
    assert.equal(typeof viaGet.body['exp'], 'string');
    assert.ok(Number(viaGet.body['expires_in']) > 3500);
    const viaPost = await postForm(`${fake.url}/oauth2/tokeninfo`, { access_token: token });
    assert.equal(viaPost.body['email'], 'hubot@example.com');

    const unknown = await call(`${fake.url}/oauth2/tokeninfo?access_token=ya29.nope`);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { error: 'invalid_token', error_description: 'Invalid Value' });
    fake.expireToken(token);
    assert.equal((await call(`${fake.url}/oauth2/tokeninfo?access_token=${token}`)).status, 400);
    assert.equal(fake.count('tokeninfo'), 4);
  });

  test('models: pageSize=2 over 7 models is 4 pages; bad pageToken', async () => {
    const token = await userToken(fake);
    const headers = { 'x-goog-user-project': 'my-project' };
    const pages: string[][] = [];
    let pageToken: string | undefined;
    do {
      const q = `?pageSize=2${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const answer = await listModels(fake, token, q, headers);
      assert.equal(answer.status, 200);
      pages.push((answer.body['models'] as { name: string }[]).map((m) => m.name));
      pageToken = answer.body['nextPageToken'] as string | undefined;
    } while (pageToken);
    assert.equal(pages.length, 4);
    assert.deepEqual(pages.flat(), fake.models);
    assert.deepEqual(pages[3], [fake.models[6]]);
    assert.ok(fake.models.includes('models/gemini-2.5-flash'));

    const all = await listModels(fake, token, '', headers);
    assert.equal((all.body['models'] as unknown[]).length, 7);
    assert.equal(all.body['nextPageToken'], undefined);
    const flash = (all.body['models'] as Record<string, unknown>[]).find((m) => m['name'] === 'models/gemini-2.5-flash');
    assert.equal(flash?.['displayName'], 'Gemini 2.5 Flash');
    assert.ok((flash?.['supportedGenerationMethods'] as string[]).includes('generateContent'));

    const bad = await listModels(fake, token, '?pageToken=garbage', headers);
    assert.equal(bad.status, 400);
    assert.equal(apiErr(bad).status, 'INVALID_ARGUMENT');
  });

  test('models: 401 for unknown or expired tokens, 403 for scopes, quota project, disabled API', async () => {
    const unknown = await listModels(fake, 'ya29.forged');
    assert.equal(unknown.status, 401);
    assert.equal(apiErr(unknown).status, 'UNAUTHENTICATED');
    assert.match(apiErr(unknown).message, /^Request had invalid authentication credentials/);
    assert.equal(apiErr(unknown).details[0]?.['reason'], 'ACCESS_TOKEN_TYPE_UNSUPPORTED');

    const token = await userToken(fake);
    fake.expireToken(token);
    const expired = await listModels(fake, token, '', { 'x-goog-user-project': 'p' });
    assert.equal(expired.status, 401);
    assert.equal(apiErr(expired).details[0]?.['reason'], 'ACCESS_TOKEN_EXPIRED');

    const narrow = await userToken(fake, ['openid', 'https://www.googleapis.com/auth/userinfo.email']);
    const scopes = await listModels(fake, narrow, '', { 'x-goog-user-project': 'p' });
    assert.equal(scopes.status, 403);
    assert.equal(apiErr(scopes).message, 'Request had insufficient authentication scopes.');
    assert.equal(apiErr(scopes).details[0]?.['reason'], 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');

    const retrieverOnly = await userToken(fake, ['https://www.googleapis.com/auth/generative-language.retriever']);
    assert.equal((await listModels(fake, retrieverOnly, '', { 'x-goog-user-project': 'p' })).status, 200);

    const good = await userToken(fake);
    const noQuota = await listModels(fake, good);
    assert.equal(noQuota.status, 403);
    assert.equal(apiErr(noQuota).status, 'PERMISSION_DENIED');
    assert.match(apiErr(noQuota).message, /requires a quota project/);
    assert.equal(apiErr(noQuota).details[0]?.['reason'], 'SERVICE_DISABLED');
    assert.deepEqual((apiErr(noQuota).details[0]?.['metadata'] as Record<string, string>)['consumer'], 'projects/764086051850');

    fake.disabledApiProjects.add('cold-project');
    const disabled = await listModels(fake, good, '', { 'x-goog-user-project': 'cold-project' });
    assert.equal(disabled.status, 403);
    const e = apiErr(disabled);
    assert.match(e.message, /^Generative Language API has not been used in project cold-project before or it is disabled/);
    const info = e.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
    const meta = info?.['metadata'] as Record<string, string>;
    assert.equal(info?.['reason'], 'SERVICE_DISABLED');
    assert.equal(meta['consumer'], 'projects/cold-project');
    assert.equal(meta['activationUrl'], 'https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=cold-project');
    const help = e.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.Help');
    assert.equal((help?.['links'] as { url: string }[])[0]?.url, meta['activationUrl']);
  });

  test('JWT bearer grant with a service-account key', async () => {
    const key = fake.addServiceAccountKey({ projectId: 'sa-project' });
    for (const field of ['type', 'project_id', 'private_key_id', 'private_key', 'client_email', 'client_id', 'auth_uri', 'token_uri', 'auth_provider_x509_cert_url', 'client_x509_cert_url', 'universe_domain']) {
      assert.ok(key.json[field], `json.${field}`);
    }
    assert.equal(key.json['token_uri'], `${fake.url}/oauth2/token`);
    const iat = Math.floor(Date.now() / 1000);
    const claims = { iss: key.email, aud: key.json['token_uri'], scope: CLOUD_PLATFORM, iat, exp: iat + 3600 };
    const grant = (assertion: string) =>
      postForm(`${fake.url}/oauth2/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

    const ok = await grant(signJwt(claims, key.privateKeyPem, { kid: key.privateKeyId }));
    assert.equal(ok.status, 200);
    assert.match(ok.body['access_token'] as string, /^ya29\.c\./);
    assert.equal(ok.body['expires_in'], 3599);
    const info = await call(`${fake.url}/oauth2/tokeninfo?access_token=${ok.body['access_token'] as string}`);
    assert.equal(info.body['scope'], CLOUD_PLATFORM);
    assert.equal(info.body['email'], undefined, 'no email without an email scope');
    // The service account's project pays for API calls without x-goog-user-project.
    assert.equal((await listModels(fake, ok.body['access_token'] as string)).status, 200);

    const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const forged = await grant(signJwt(claims, stranger, { kid: key.privateKeyId }));
    assert.deepEqual(forged.body, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });

    const long = await grant(signJwt({ ...claims, exp: iat + 7200 }, key.privateKeyPem, { kid: key.privateKeyId }));
    assert.equal(long.status, 400);
    assert.match(long.body['error_description'] as string, /^Invalid JWT: Token must be a short-lived token \(60 minutes\)/);

    fake.disableKey(key.privateKeyId);
    const disabled = await grant(signJwt(claims, key.privateKeyPem, { kid: key.privateKeyId }));
    assert.deepEqual(disabled.body, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' });
  });

  test('GitHub OIDC → STS → generateAccessToken, with the errors on the way', async () => {
    const provider = fake.addProvider({ condition: (c) => c['repository_owner'] === 'octo-org' });
    const sa = 'gemini@wif-project.iam.gserviceaccount.com';
    const audience = `https://iam.googleapis.com/${provider.name}`;

    const denied = await call(`${fake.oidcRequestUrl}&audience=x`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(denied.status, 403);
    assert.equal(typeof denied.body['message'], 'string');

    const oidc = await call(`${fake.oidcRequestUrl}&audience=${encodeURIComponent(audience)}`, {
      headers: { authorization: `Bearer ${fake.oidcRequestToken}` },
    });
    assert.equal(oidc.status, 200);
    const idToken = oidc.body['value'] as string;
    const decoded = decodeJwt(idToken);
    assert.ok(decoded);
    assert.equal(decoded.payload['iss'], GITHUB_ISSUER);
    assert.equal(decoded.payload['aud'], audience);
    assert.equal(decoded.payload['repository'], 'octo-org/octo-repo');
    assert.equal(decoded.payload['sub'], 'repo:octo-org/octo-repo:ref:refs/heads/main');
    assert.equal((decoded.payload['exp'] as number) - (decoded.payload['iat'] as number), 300);
    // The JWKS verifies it.
    const jwks = await call(`${fake.url}/github/.well-known/jwks`);
    const jwk = (jwks.body['keys'] as crypto.JsonWebKey[])[0]!;
    assert.equal(jwk['kid'], decoded.header['kid']);
    const publicKey = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    assert.ok(crypto.verify('sha256', Buffer.from(decoded.signingInput), publicKey, decoded.signature));

    const exchange = (subjectToken: string, aud = provider.stsAudience) =>
      postForm(`${fake.url}/sts/v1/token`, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: aud,
        scope: CLOUD_PLATFORM,
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      });

    const unknownProvider = await exchange(idToken, '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/x/providers/y');
    assert.equal(unknownProvider.status, 400);
    assert.equal(unknownProvider.body['error'], 'invalid_target');
    assert.match(unknownProvider.body['error_description'] as string, /^The target service indicated by the "audience" parameters is invalid/);

    const wrongAud = await exchange(fake.mintOidcToken());
    assert.equal(wrongAud.body['error'], 'invalid_grant');
    assert.equal(wrongAud.body['error_description'], 'The audience in ID Token [https://github.com/octo-org] does not match the expected audience.');

    const stale = await exchange(fake.mintOidcToken({ iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_300 }, audience));
    assert.equal(stale.body['error_description'], 'ID Token issued at 1700000000 is stale to sign-in.');

    const outsider = await exchange(fake.mintOidcToken({ repository_owner: 'evil', repository: 'evil/repo' }, audience));
    assert.deepEqual(outsider.body, { error: 'unauthorized_client', error_description: 'The given credential is rejected by the attribute condition.' });

    const forged = await exchange(signJwt({ ...decoded.payload }, crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, { kid: decoded.header['kid'] }));
    assert.equal(forged.body['error'], 'invalid_grant');

    const sts = await exchange(idToken);
    assert.equal(sts.status, 200);
    assert.equal(sts.body['issued_token_type'], 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(sts.body['token_type'], 'Bearer');
    assert.equal(sts.body['expires_in'], 3599);
    const federated = sts.body['access_token'] as string;
    assert.match(federated, /^ya29\.d\./);
    assert.equal(
      fake.issuedTokens.get(federated)?.principal,
      `principal://iam.googleapis.com/${provider.pool}/subject/repo:octo-org/octo-repo:ref:refs/heads/main`,
    );
    // STS also takes JSON.
    const viaJson = await postJson(`${fake.url}/sts/v1/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: provider.stsAudience, scope: CLOUD_PLATFORM,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', subject_token: idToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    assert.equal(viaJson.status, 200);

    const generate = (body: unknown, token = federated) =>
      postJson(`${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(sa)}:generateAccessToken`, body, {
        authorization: `Bearer ${token}`,
      });
    const notGranted = await generate({ scope: [CLOUD_PLATFORM], lifetime: '3600s' });
    assert.equal(notGranted.status, 403);
    assert.deepEqual(notGranted.body, {
      error: {
        code: 403,
        message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: 'PERMISSION_DENIED',
        details: [{
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'iam.googleapis.com',
          metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
        }],
      },
    });
    fake.grantTokenCreator(sa, fake.principalSetForRepository(provider, 'other-org/other-repo'));
    assert.equal((await generate({ scope: [CLOUD_PLATFORM] })).status, 403);
    fake.grantTokenCreator(sa, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));

    const unauth = await generate({ scope: [CLOUD_PLATFORM] }, 'ya29.forged');
    assert.equal(unauth.status, 401);
    assert.equal(apiErr(unauth).status, 'UNAUTHENTICATED');
    const noScope = await generate({ scope: [] });
    assert.equal(noScope.status, 400);
    assert.equal(apiErr(noScope).status, 'INVALID_ARGUMENT');
    const tooLong = await generate({ scope: [CLOUD_PLATFORM], lifetime: '7200s' });
    assert.equal(tooLong.status, 400);
    assert.match(apiErr(tooLong).message, /constraints\/iam\.allowServiceAccountCredentialLifetimeExtension/);

    const before = Date.now();
    const ok = await generate({ scope: [CLOUD_PLATFORM, 'https://www.googleapis.com/auth/generative-language.retriever'], lifetime: '1800s' });
    assert.equal(ok.status, 200);
    assert.match(ok.body['accessToken'] as string, /^ya29\.c\./);
    assert.match(ok.body['expireTime'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expiry = Date.parse(ok.body['expireTime'] as string);
    assert.ok(Math.abs(expiry - (before + 1800_000)) < 5000);
    assert.equal(fake.issuedTokens.get(ok.body['accessToken'] as string)?.principal, sa);

    fake.allowLongLifetime = true;
    assert.equal((await generate({ scope: [CLOUD_PLATFORM], lifetime: '7200s' })).status, 200);
    fake.allowLongLifetime = false;

    // Vertex AI roles granted to a principal set reach the federated token directly.
    const vertex = { project: 'wif-project', location: 'us-central1', model: 'gemini-2.5-flash' };
    assert.equal((await vertexCountTokens(fake, federated, vertex)).status, 403);
    fake.grantVertexUser('wif-project', fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
    assert.equal((await vertexCountTokens(fake, federated, vertex)).status, 200);
  });

  test('Gemini API countTokens: per-principal denial while listing works; unknown and unsupported models; bad bodies', async () => {
    fake.reset();
    const quota = { 'x-goog-user-project': 'my-project' };
    const denied = await tokenOf(fake, fake.addUser({ email: 'no-tokens@example.com' }));
    const allowed = await tokenOf(fake, fake.addUser({ email: 'tokens@example.com' }));

    const ok = await countTokens(fake, denied, 'gemini-2.5-flash', PROMPT, quota);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { totalTokens: 2, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }] });
    assert.equal(fake.requests.at(-1)?.endpoint, 'countTokens');
    assert.deepEqual(JSON.parse(fake.requests.at(-1)?.body ?? ''), PROMPT);

    fake.countTokensDenied.add('no-tokens@example.com');
    assert.equal((await listModels(fake, denied, '', quota)).status, 200, 'listing still works');
    const refused = await countTokens(fake, denied, 'gemini-2.5-flash', PROMPT, quota);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } });
    assert.equal((await countTokens(fake, allowed, 'gemini-2.5-flash', PROMPT, quota)).status, 200, 'only that principal is refused');

    const unknown = await countTokens(fake, allowed, 'gemini-9-ultra', PROMPT, quota);
    assert.equal(unknown.status, 404);
    assert.equal(apiErr(unknown).message, 'models/gemini-9-ultra is not found for API version v1beta, or is not supported for countTokens. Call ListModels to see the list of available models and their supported methods.');
    assert.equal((await countTokens(fake, allowed, 'embedding-001', PROMPT, quota)).status, 404, 'listed, but without countTokens');

    const noQuota = await countTokens(fake, allowed, 'gemini-2.5-flash');
    assert.equal(noQuota.status, 403);
    assert.match(apiErr(noQuota).message, /The generativelanguage\.googleapis\.com API requires a quota project/);
    for (const body of [{}, { contents: [] }, { contents: [{ parts: [] }] }, 'not json']) {
      const bad = await countTokens(fake, allowed, 'gemini-2.5-flash', body, quota);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.deepEqual(bad.body, { error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } });
    }
    const get = await call(`${fake.url}/generativelanguage/v1beta/models/gemini-2.5-flash:countTokens`, { headers: { authorization: `Bearer ${allowed}`, ...quota } });
    assert.equal(get.status, 405);
    assert.equal(fake.count('countTokens'), 11);
    assert.equal(fake.count('models'), 1, 'countTokens calls are not counted as model listings');
  });

  test('Vertex AI publishers.models.get: v1 and v1beta1, unknown models, scopes, quota project, disabled API', async () => {
    fake.reset();
    const key = fake.addServiceAccountKey({ projectId: 'vertex-project' });
    const sa = await serviceAccountToken(fake, key);

    const flash = await publisherModel(fake, sa, 'gemini-2.5-flash');
    assert.equal(flash.status, 200);
    assert.deepEqual(flash.body, { name: 'publishers/google/models/gemini-2.5-flash', versionId: 'default', openSourceCategory: 'PROPRIETARY', launchStage: 'GA' });
    assert.equal(fake.requests.at(-1)?.endpoint, 'publisherModel');
    const preview = await publisherModel(fake, sa, 'gemini-3-pro-preview', {}, 'v1beta1');
    assert.equal(preview.body['launchStage'], 'PUBLIC_PREVIEW');
    // The lookup knows no location: a model served only in some locations is found all the same.
    assert.equal((await publisherModel(fake, sa, 'gemini-2.0-flash')).status, 200);

    const unknown = await publisherModel(fake, sa, 'gemini-9-ultra');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: { code: 404, message: 'Publisher Model `publishers/google/models/gemini-9-ultra` is not found.', status: 'NOT_FOUND' } });
    assert.equal(fake.count('publisherModel'), 4);

    const user = await tokenOf(fake, fake.addUser());
    const noQuota = await publisherModel(fake, user, 'gemini-2.5-flash');
    assert.equal(noQuota.status, 403);
    assert.equal(
      apiErr(noQuota).message,
      'Your application is authenticating by using local Application Default Credentials. The aiplatform.googleapis.com API requires a quota project, which is not set by default. To learn how to set your quota project, see https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds .',
    );
    assert.deepEqual(apiErr(noQuota).details[0], {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'SERVICE_DISABLED',
      domain: 'googleapis.com',
      metadata: { consumer: 'projects/764086051850', service: 'aiplatform.googleapis.com' },
    });
    assert.equal((await publisherModel(fake, user, 'gemini-2.5-flash', { 'x-goog-user-project': 'vertex-project' })).status, 200, 'no IAM role needed to look a model up');

    fake.vertexDisabledProjects.add('cold-vertex');
    const disabled = await publisherModel(fake, user, 'gemini-2.5-flash', { 'x-goog-user-project': 'cold-vertex' });
    assert.equal(disabled.status, 403);
    const e = apiErr(disabled);
    assert.equal(e.message, 'Vertex AI API has not been used in project cold-vertex before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=cold-vertex then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.');
    const info = e.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
    assert.equal(info?.['reason'], 'SERVICE_DISABLED');
    assert.deepEqual(info?.['metadata'], {
      consumer: 'projects/cold-vertex',
      service: 'aiplatform.googleapis.com',
      activationUrl: 'https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=cold-vertex',
      serviceTitle: 'Vertex AI API',
      containerInfo: 'cold-vertex',
    });
    const help = e.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.Help');
    assert.deepEqual(help?.['links'], [{ description: 'Google developers console API activation', url: 'https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=cold-vertex' }]);
    // Without x-goog-user-project a service account's own project is the consumer.
    const coldSa = await serviceAccountToken(fake, fake.addServiceAccountKey({ projectId: 'cold-vertex' }));
    const coldAnswer = await publisherModel(fake, coldSa, 'gemini-2.5-flash');
    assert.equal(coldAnswer.status, 403);
    assert.equal(apiErr(coldAnswer).details[0]?.['reason'], 'SERVICE_DISABLED');
    assert.equal((await publisherModel(fake, coldSa, 'gemini-2.5-flash', { 'x-goog-user-project': 'vertex-project' })).status, 200);

    fake.userProjectDenied.add('not-mine');
    const notMine = await publisherModel(fake, sa, 'gemini-2.5-flash', { 'x-goog-user-project': 'not-mine' });
    assert.equal(notMine.status, 403);
    assert.equal(apiErr(notMine).details[0]?.['reason'], 'USER_PROJECT_DENIED');
    assert.deepEqual(apiErr(notMine).details[0]?.['metadata'], { consumer: 'projects/not-mine', service: 'aiplatform.googleapis.com' });
    fake.userProjectDenied.delete('not-mine');

    // The Gemini API's own scopes do not reach Vertex AI.
    const retriever = await userToken(fake, ['https://www.googleapis.com/auth/generative-language.retriever']);
    const narrow = await publisherModel(fake, retriever, 'gemini-2.5-flash', { 'x-goog-user-project': 'vertex-project' });
    assert.equal(narrow.status, 403);
    assert.deepEqual(apiErr(narrow).details[0]?.['metadata'], { service: 'aiplatform.googleapis.com', method: 'google.cloud.aiplatform.v1.ModelGardenService.GetPublisherModel' });
    assert.equal(apiErr(narrow).details[0]?.['reason'], 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');

    const forged = await publisherModel(fake, 'ya29.forged', 'gemini-2.5-flash');
    assert.equal(forged.status, 401);
    assert.equal(apiErr(forged).status, 'UNAUTHENTICATED');
    const posted = await postJson(`${fake.url}/aiplatform/v1/publishers/google/models/gemini-2.5-flash`, {}, { authorization: `Bearer ${sa}` });
    assert.equal(posted.status, 405);
    assert.equal((await call(`${fake.url}/aiplatform/v1/models`, { headers: { authorization: `Bearer ${sa}` } })).status, 404);
  });

  test('Vertex AI countTokens: global and regional, aiplatform.endpoints.predict per principal and project, model not in the location', async () => {
    fake.reset();
    const key = fake.addServiceAccountKey({ projectId: 'vertex-project' });
    const sa = await serviceAccountToken(fake, key);
    const at = (location: string, model = 'gemini-2.5-flash', project = 'vertex-project') => ({ project, location, model });

    // Without the role: the model can be looked up, not called.
    assert.equal((await publisherModel(fake, sa, 'gemini-2.5-flash')).status, 200);
    const refused = await vertexCountTokens(fake, sa, at('global'));
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, {
      error: {
        code: 403,
        message: "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/vertex-project/locations/global/publishers/google/models/gemini-2.5-flash' (or it may not exist).",
        status: 'PERMISSION_DENIED',
        details: [{
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'aiplatform.googleapis.com',
          metadata: { permission: 'aiplatform.endpoints.predict', resource: 'projects/vertex-project/locations/global/publishers/google/models/gemini-2.5-flash' },
        }],
      },
    });

    fake.grantVertexUser('vertex-project', `serviceAccount:${key.email}`);
    const global = await vertexCountTokens(fake, sa, at('global'));
    assert.equal(global.status, 200);
    assert.deepEqual(global.body, { totalTokens: 2, totalBillableCharacters: 5, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }] });
    assert.equal(fake.requests.at(-1)?.endpoint, 'vertexCountTokens');
    assert.deepEqual(JSON.parse(fake.requests.at(-1)?.body ?? ''), PROMPT);
    assert.equal((await vertexCountTokens(fake, sa, at('us-central1'))).status, 200);
    assert.equal((await vertexCountTokens(fake, sa, { ...at('europe-west4'), version: 'v1beta1' })).status, 200);
    assert.equal((await vertexCountTokens(fake, sa, at('global', 'gemini-2.5-flash', 'other-project'))).status, 403, 'the role is per project');

    // A model that a location does not serve.
    const regional = await vertexCountTokens(fake, sa, at('us-central1', 'gemini-3-pro-preview'));
    assert.equal(regional.status, 404);
    assert.deepEqual(regional.body, {
      error: {
        code: 404,
        message: 'Publisher Model `projects/vertex-project/locations/us-central1/publishers/google/models/gemini-3-pro-preview` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions',
        status: 'NOT_FOUND',
      },
    });
    assert.equal((await vertexCountTokens(fake, sa, at('global', 'gemini-3-pro-preview'))).status, 200);
    assert.equal((await vertexCountTokens(fake, sa, at('global', 'gemini-2.0-flash'))).status, 404);
    fake.vertexModels.get('gemini-2.0-flash')?.add('global');
    assert.equal((await vertexCountTokens(fake, sa, at('global', 'gemini-2.0-flash'))).status, 200, 'availability is tunable');

    // User credentials need no quota project here: the project in the path is the consumer.
    const user = fake.addUser({ email: 'vera@example.com' });
    const userToken = await tokenOf(fake, user);
    assert.equal((await vertexCountTokens(fake, userToken, at('global'))).status, 403);
    fake.grantVertexUser('vertex-project', 'user:vera@example.com');
    assert.equal((await vertexCountTokens(fake, userToken, at('global'))).status, 200);
    fake.vertexDisabledProjects.add('vertex-project');
    const disabled = await vertexCountTokens(fake, userToken, at('global'));
    assert.equal(disabled.status, 403);
    assert.equal(apiErr(disabled).details[0]?.['reason'], 'SERVICE_DISABLED');
    assert.equal((apiErr(disabled).details[0]?.['metadata'] as Record<string, string>)['consumer'], 'projects/vertex-project');
    const billedElsewhere = await vertexCountTokens(fake, userToken, at('global'), PROMPT, { 'x-goog-user-project': 'quota-project' });
    assert.equal(billedElsewhere.status, 403, "the resource's project must have the API enabled too");
    fake.vertexDisabledProjects.clear();

    const bad = await vertexCountTokens(fake, sa, at('global'), { contents: [] });
    assert.equal(bad.status, 400);
    assert.equal(apiErr(bad).status, 'INVALID_ARGUMENT');
    const narrow = await serviceAccountToken(fake, key, 'https://www.googleapis.com/auth/generative-language');
    assert.equal(apiErr(await vertexCountTokens(fake, narrow, at('global'))).details[0]?.['reason'], 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    const get = await call(`${fake.url}/aiplatform/v1/projects/vertex-project/locations/global/publishers/google/models/gemini-2.5-flash:countTokens`, { headers: { authorization: `Bearer ${sa}` } });
    assert.equal(get.status, 405);
    assert.equal(fake.count('vertexCountTokens'), 16);
    assert.equal(fake.count('publisherModel'), 1);
  });

  test('reset() restores the Vertex AI models and switches, and keeps the Vertex AI grants', async () => {
    const key = fake.addServiceAccountKey({ projectId: 'kept-project' });
    const sa = await serviceAccountToken(fake, key);
    fake.grantVertexUser('kept-project', key.email);
    fake.vertexModels.get('gemini-2.0-flash')?.add('global');
    fake.vertexModels.delete('gemini-2.5-flash');
    fake.vertexDisabledProjects.add('kept-project');
    fake.countTokensDenied.add(key.email);
    fake.reset();
    assert.deepEqual([...fake.countTokensDenied, ...fake.vertexDisabledProjects], []);
    assert.deepEqual(Object.fromEntries([...fake.vertexModels].map(([id, where]) => [id, [...where]])), DEFAULT_VERTEX_MODELS);
    const at = { project: 'kept-project', location: 'global', model: 'gemini-2.5-flash' };
    assert.equal((await vertexCountTokens(fake, sa, at)).status, 200);
    assert.equal((await vertexCountTokens(fake, sa, { ...at, model: 'gemini-2.0-flash' })).status, 404);
    assert.equal((await countTokens(fake, sa, 'gemini-2.5-flash')).status, 200);
  });

  test('metadata probes are recorded and answered 404', async () => {
    const answer = await call(`${fake.url}/computeMetadata/v1/instance`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(answer.status, 404);
    assert.equal(fake.requests.at(-1)?.endpoint, 'metadata');
    assert.ok(fake.count('metadata') >= 1);
  });

  test('endpointsInput names each service once, and each base URL reaches its routes', async () => {
    assert.match(fake.endpointsInput, /^oauth2=http:\/\/127\.0\.0\.1:\d+\/oauth2\nsts=.*\/sts\niamcredentials=.*\/iamcredentials\ngenerativelanguage=.*\/generativelanguage\naiplatform=.*\/aiplatform$/);
    const lines = fake.endpointsInput.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
    assert.deepEqual(lines.map(([key]) => key), ['oauth2', 'sts', 'iamcredentials', 'generativelanguage', 'aiplatform']);
    const base = new Map(lines);
    const routes: [string, string, string][] = [
      ['oauth2', '/tokeninfo', 'tokeninfo'],
      ['generativelanguage', '/v1beta/models', 'models'],
      ['generativelanguage', '/v1beta/models/gemini-2.5-flash:countTokens', 'countTokens'],
      ['aiplatform', '/v1/publishers/google/models/gemini-2.5-flash', 'publisherModel'],
      ['aiplatform', '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:countTokens', 'vertexCountTokens'],
    ];
    for (const [service, path, endpoint] of routes) {
      await call(`${base.get(service)}${path}`);
      assert.equal(fake.requests.at(-1)?.endpoint, endpoint, `${service}${path}`);
    }
  });
});

describe('fake Google faults', () => {
  let fake: FakeGoogle;
  before(async () => {
    fake = await startFakeGoogle();
  });
  after(async () => {
    await fake.close();
  });

  test('a hostile server: alterAnswers rewrites every JSON answer of one endpoint, success or error, until reset()', async () => {
    const user = fake.addUser();
    fake.alterAnswers('token', (body, status, request) => withEveryString({ ...(body as Record<string, unknown>), status, method: request.method }, (text, key) => (key === 'access_token' ? text : `${text}!`)));
    const answer = await refresh(fake, user);
    assert.equal(answer.status, 200);
    assert.equal(answer.body['token_type'], 'Bearer!');
    assert.equal(answer.body['method'], 'POST!');
    assert.equal(answer.body['status'], 200, 'numbers stay');
    assert.ok(fake.issuedTokens.has(answer.body['access_token'] as string), 'a key left out stays as it was');
    const refused = await refresh(fake, { ...user, clientSecret: 'wrong' });
    assert.equal(refused.status, 401, 'the status stays');
    assert.equal(refused.body['error'], 'invalid_client!');
    assert.equal((await call(`${fake.url}/nowhere`)).status, 404, 'answers that are not JSON are left alone');
    fake.reset();
    assert.equal((await refresh(fake, user)).body['token_type'], 'Bearer');
    assert.deepEqual(withEveryString({ a: ['x', { b: 'y', n: 1 }], c: null }, (text, key) => `${key}:${text}`), { a: ['a:x', { b: 'b:y', n: 1 }], c: null });
  });

  test('a 503 then success; 429 with Retry-After', async () => {
    const user = fake.addUser();
    fake.inject('token', { status: 503 });
    const first = await refresh(fake, user);
    assert.equal(first.status, 503);
    assert.equal(apiErr(first).status, 'UNAVAILABLE');
    assert.equal((await refresh(fake, user)).status, 200);

    fake.inject('token', { status: 429, retryAfter: 7 }, 2);
    const limited = await refresh(fake, user);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await refresh(fake, user)).status, 429);
    assert.equal((await refresh(fake, user)).status, 200);
  });

  test('reset, truncated, non-json, wrong-shape, delay', async () => {
    const user = fake.addUser();
    fake.inject('token', 'reset');
    await assert.rejects(refresh(fake, user), TypeError);

    fake.inject('token', 'truncated');
    const res = await fetch(`${fake.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: user.clientId, client_secret: user.clientSecret, refresh_token: user.refreshToken }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(res.json());

    fake.inject('token', 'non-json');
    const htmlAnswer = await refresh(fake, user);
    assert.equal(htmlAnswer.status, 200);
    assert.match(String(htmlAnswer.body['text']), /^<!DOCTYPE html>/);

    fake.inject('token', 'wrong-shape');
    assert.deepEqual((await refresh(fake, user)).body, { unexpected: true });

    fake.inject('token', { delayMs: 150 });
    const started = Date.now();
    assert.equal((await refresh(fake, user)).status, 200);
    assert.ok(Date.now() - started >= 140);

    fake.inject('token', { status: 500 }, 3);
    fake.clearFaults();
    assert.equal((await refresh(fake, user)).status, 200);
  });

  test('faults reach the countTokens and Vertex AI endpoints one by one', async () => {
    const key = fake.addServiceAccountKey({ projectId: 'fault-project' });
    const sa = await serviceAccountToken(fake, key);
    fake.grantVertexUser('fault-project', key.email);
    const at = { project: 'fault-project', location: 'global', model: 'gemini-2.5-flash' };
    fake.inject('vertexCountTokens', { status: 503 });
    fake.inject('publisherModel', { status: 429, retryAfter: 2 });
    fake.inject('countTokens', 'non-json');
    assert.equal((await publisherModel(fake, sa, 'gemini-2.5-flash')).status, 429);
    assert.equal((await publisherModel(fake, sa, 'gemini-2.5-flash')).status, 200);
    const unavailable = await vertexCountTokens(fake, sa, at);
    assert.equal(unavailable.status, 503);
    assert.equal(apiErr(unavailable).status, 'UNAVAILABLE');
    assert.equal((await vertexCountTokens(fake, sa, at)).status, 200);
    assert.match(String((await countTokens(fake, sa, 'gemini-2.5-flash')).body['text']), /^<!DOCTYPE html>/);
    assert.equal((await countTokens(fake, sa, 'gemini-2.5-flash')).status, 200);
    assert.deepEqual([fake.count('publisherModel'), fake.count('vertexCountTokens'), fake.count('countTokens')], [2, 2, 2]);
  });

  test('hang is cut by the client timeout, and close() returns promptly with the socket open', async () => {
    const own = await startFakeGoogle();
    own.inject('models', 'hang');
    const started = Date.now();
    await assert.rejects(
      fetch(`${own.url}/generativelanguage/v1beta/models`, { signal: AbortSignal.timeout(200) }),
      (err: Error) => err.name === 'TimeoutError',
    );
    assert.ok(Date.now() - started < 2000);

    own.inject('models', 'hang');
    const pending = fetch(`${own.url}/generativelanguage/v1beta/models`).catch((err: unknown) => err);
    while (own.count('models') < 2) await new Promise((r) => setTimeout(r, 5));
    const closing = Date.now();
    await own.close();
    assert.ok(Date.now() - closing < 1000, 'close() is prompt');
    assert.ok((await pending) instanceof Error, 'the hung request fails once the fake closes');
  });
});

// --- the runner harness -------------------------------------------------------------

const SECRET = 'ya29.s3cr3t-token-value-for-leak-checks';

const CLEAN_SCRIPT = `
import fs from 'node:fs';
const delim = 'ghadelimiter_' + 'abc';
const append = (file, text) => fs.appendFileSync(process.env[file], text + '\\n');
process.stdout.write('::add-mask::${SECRET}\\n');
console.log('token is ${SECRET}');
append('GITHUB_OUTPUT', 'access_token<<' + delim + '\\n${SECRET}\\n' + delim);
append('GITHUB_OUTPUT', 'multi<<EOF\\nline one\\nline=two\\nEOF');
append('GITHUB_OUTPUT', 'input_seen=' + process.env['INPUT_CREDENTIALS_JSON'] + '|' + process.env['INPUT_ODD_NAME-X']);
append('GITHUB_ENV', 'GOOGLE_CLOUD_PROJECT<<' + delim + '\\nmy-project\\n' + delim);
append('GITHUB_STATE', 'credentials_path=' + process.env.RUNNER_TEMP + '/creds.json');
append('GITHUB_PATH', '/opt/tool/bin');
append('GITHUB_STEP_SUMMARY', '### authenticated');
console.log('state before: ' + (process.env.STATE_credentials_path ?? 'none'));
console.log('::warning title=Heads up::careful%0Anow');
console.log('::error file=src/main.ts,line=3,title=a%3Ab%2Cc::bad%25 thing%0Ahappened');
process.exitCode = 1;
`;

// Prints each case of a plan the way a careless action might: one secret per case.
const LEAKY_SCRIPT = `
import fs from 'node:fs';
const escape = (text) => text.replace(/%/g, '%25').replace(/\\r/g, '%0D').replace(/\\n/g, '%0A');
const mask = (value) => process.stdout.write('::add-mask::' + escape(value) + '\\n');
const append = (file, text) => fs.appendFileSync(process.env[file], text + '\\n');
JSON.parse(process.env.PLAN).forEach(({ place, text, secret }, i) => {
  if (place === 'stdout before its mask') { console.log('using ' + text); mask(secret); }
  if (place === 'stdout after the mask of the secret') { mask(secret); console.log('using ' + text); }
  if (place === 'stdout after its own mask') { mask(text); console.log('using ' + text); }
  if (place === 'stderr after its mask') { mask(secret); console.error('debug ' + text); }
  if (place === 'an output') append('GITHUB_OUTPUT', 'out' + i + '=' + text);
  if (place === 'a masked output') { mask(secret); append('GITHUB_OUTPUT', 'out' + i + '=' + text); }
  if (place === 'the environment') append('GITHUB_ENV', 'LEAK' + i + '=' + text);
  if (place === 'the state') append('GITHUB_STATE', 'leak' + i + '=' + text);
  if (place === 'the summary') append('GITHUB_STEP_SUMMARY', text);
  if (place === 'an error') console.log('::error::failed with ' + escape(text));
  if (place === 'a warning') console.log('::warning::careful with ' + escape(text));
});
`;

describe('step runner', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'clean.mjs'), CLEAN_SCRIPT);
    await fs.writeFile(path.join(dir, 'leaky.mjs'), LEAKY_SCRIPT);
    await fs.mkdir(path.join(dir, 'dist', 'main'), { recursive: true });
    await fs.mkdir(path.join(dir, 'dist', 'post'), { recursive: true });
    await fs.writeFile(path.join(dir, 'dist', 'main', 'index.js'), CLEAN_SCRIPT);
    await fs.writeFile(
      path.join(dir, 'dist', 'post', 'index.js'),
      `console.log(JSON.stringify({ state: process.env.STATE_credentials_path ?? null, project: process.env.GOOGLE_CLOUD_PROJECT ?? null, path: process.env.PATH }));\n`,
    );
    await fs.writeFile(path.join(dir, 'sleep.mjs'), 'setTimeout(() => {}, 60_000);\n');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('parses outputs, env, state, path, summary, masks and commands; a clean run has no leaks', async () => {
    const runnerTemp = await makeTempDir();
    try {
      const result = await runStep(path.join(dir, 'clean.mjs'), {
        inputs: { credentials_json: '{"type":"x"}', 'odd name-x': 'y' },
        runnerTemp,
        env: { EXTRA: '1' },
      });
      assert.equal(result.code, 1);
      assert.equal(result.outputs['access_token'], SECRET);
      assert.equal(result.outputs['multi'], 'line one\nline=two');
      assert.equal(result.outputs['input_seen'], '{"type":"x"}|y');
      assert.deepEqual(result.exportedEnv, { GOOGLE_CLOUD_PROJECT: 'my-project' });
      assert.deepEqual(result.state, { credentials_path: `${runnerTemp}/creds.json` });
      assert.deepEqual(result.addedPath, ['/opt/tool/bin']);
      assert.equal(result.summary, '### authenticated\n');
      assert.deepEqual(result.masks, [SECRET]);
      assert.deepEqual(result.warnings, ['careful\nnow']);
      assert.deepEqual(result.errors, ['bad% thing\nhappened']);
      const error = result.commands.find((c) => c.command === 'error');
      assert.deepEqual(error?.properties, { file: 'src/main.ts', line: '3', title: 'a:b,c' });
      assert.equal(error?.stream, 'stdout');
      assert.deepEqual(findLeaks(result, [SECRET]), []);
    } finally {
      await fs.rm(runnerTemp, { recursive: true, force: true });
    }
  });

  test('findLeaks catches every form of a secret in every place, and passes only what the runner hides', async () => {
    // Secrets whose forms all differ: each needs escaping in JSON and URLs, and its base64 has + or /.
    const single = (): string => {
      let secret = '';
      do secret = `ya29.${crypto.randomBytes(30).toString('base64')}"\\`;
      while (new Set(secretForms(secret)).size < 5);
      return secret;
    };
    const multi = (): string => `-----BEGIN PRIVATE KEY-----\nMIIEvQ${crypto.randomBytes(24).toString('hex')}\n-----END PRIVATE KEY-----\n`;
    const FORMS: Record<string, (secret: string) => string> = {
      value: (secret) => secret,
      base64: (secret) => Buffer.from(secret).toString('base64'),
      base64url: (secret) => Buffer.from(secret).toString('base64url'),
      'URL-encoded': (secret) => encodeURIComponent(secret),
      'JSON-escaped': (secret) => JSON.stringify(secret).slice(1, -1),
      'a line': (secret) => secret.split('\n')[1] ?? '',
    };
    const PLACES: Record<string, RegExp> = {
      'stdout before its mask': /on stdout .* before any ::add-mask:: that hides it/,
      'stderr after its mask': /on stderr/,
      'an output': /in the output out\d+, and no ::add-mask:: hides it/,
      'the environment': /exported environment variable LEAK\d+/,
      'the state': /saved state leak\d+/,
      'the summary': /step summary/,
      'an error': /::error:: message/,
      'a warning': /::warning:: message/,
    };
    interface Case { form: string; place: string; secret: string; text: string; leak: RegExp | undefined }
    const cases: Case[] = [];
    const add = (form: string, place: string, leak: RegExp | undefined): void => {
      // Each case has a secret of its own, so each is judged alone.
      const secret = form === 'a line' ? multi() : single();
      cases.push({ form, place, secret, text: FORMS[form]!(secret), leak });
    };
    for (const form of Object.keys(FORMS)) for (const [place, leak] of Object.entries(PLACES)) add(form, place, leak);
    // The runner derives base64, JSON and URL spellings from a mask, but not base64url nor the lines of a multi-line secret.
    for (const form of ['value', 'base64', 'URL-encoded', 'JSON-escaped']) add(form, 'stdout after the mask of the secret', undefined);
    for (const form of ['base64url', 'a line']) add(form, 'stdout after the mask of the secret', /on stdout/);
    for (const form of ['base64url', 'a line']) add(form, 'stdout after its own mask', undefined);
    add('value', 'a masked output', undefined);

    const script = path.join(dir, 'leaky.mjs');
    const result = await runStep(script, { env: { PLAN: JSON.stringify(cases.map(({ place, text, secret }) => ({ place, text, secret }))) } });
    assert.equal(result.code, 0, result.stderr);
    for (const { form, place, secret, leak } of cases) {
      const found = findLeaks(result, [secret]);
      if (leak) assert.ok(found.some((problem) => leak.test(problem)), `missed: the ${form} form in ${place}: ${JSON.stringify(found)}`);
      else assert.deepEqual(found, [], `false alarm: the ${form} form in ${place}`);
    }
  });

  test('every suite that runs the built action scans it for leaks', async () => {
    const root = path.dirname(fileURLToPath(import.meta.url));
    const suites = (await fs.readdir(root, { recursive: true })).filter((file) => file.endsWith('.test.ts'));
    assert.ok(suites.length > 5);
    for (const suite of suites) {
      const text = await fs.readFile(path.join(root, suite), 'utf8');
      const runsTheAction = /import\s*{[^}]*\b(MAIN|POST|DIST)\b[^}]*}\s*from\s*'[^']*support\/action\.ts'/.test(text) || /dist\/(main|post)\/index\.js/.test(text);
      // runTokenJob (support/job.ts) scans every step of its job.
      assert.ok(!runsTheAction || /\b(runAction|runTokenJob|findLeaks)\(/.test(text), `${suite} runs the built action without runAction, runTokenJob or findLeaks`);
    }
  });

  test('the environment is clean, and unset removes a variable', async () => {
    const script = path.join(dir, 'env.mjs');
    await fs.writeFile(script, `import fs from 'node:fs'; fs.appendFileSync(process.env.GITHUB_OUTPUT, 'env=' + JSON.stringify(process.env) + '\\n');\n`);
    process.env['GEMINI_AUTH_SHOULD_NOT_LEAK'] = 'x';
    try {
      const result = await runStep(script, { env: { A: '1' }, unset: ['CI'], state: { k: 'v' } });
      const env = JSON.parse(result.outputs['env'] ?? '{}') as Record<string, string>;
      assert.equal(env['GEMINI_AUTH_SHOULD_NOT_LEAK'], undefined);
      assert.equal(env['GITHUB_ACTIONS'], 'true');
      assert.equal(env['CI'], undefined);
      assert.equal(env['A'], '1');
      assert.equal(env['STATE_k'], 'v');
      assert.equal(env['GITHUB_REPOSITORY'], 'octo-org/octo-repo');
      for (const name of ['RUNNER_TEMP', 'GITHUB_WORKSPACE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY', 'HOME', 'PATH']) {
        assert.ok(env[name], name);
      }
    } finally {
      delete process.env['GEMINI_AUTH_SHOULD_NOT_LEAK'];
    }
  });

  test('runMainAndPost hands state to post even after a failed main; runJob carries env and PATH', async () => {
    const { main, post } = await runMainAndPost(path.join(dir, 'dist'));
    assert.equal(main.code, 1);
    const seen = JSON.parse(post.stdout) as { state: string | null; project: string | null; path: string };
    assert.equal(seen.state, main.state['credentials_path']);

    const job = await runJob([
      { script: path.join(dir, 'dist', 'main', 'index.js') },
      { script: path.join(dir, 'clean.mjs') }, // skipped: an earlier step failed
      { script: path.join(dir, 'dist', 'post', 'index.js') },
    ]);
    assert.equal(job.failed, true);
    assert.equal(job.steps[1], null);
    const postSeen = JSON.parse(job.steps[2]?.stdout ?? '{}') as { state: string | null; project: string | null; path: string };
    assert.equal(postSeen.state, job.steps[0]?.state['credentials_path']);
    assert.equal(postSeen.project, 'my-project');
    assert.ok(postSeen.path.startsWith(`/opt/tool/bin${path.delimiter}`), postSeen.path);
  });

  test('a step past its timeout is killed', async () => {
    await assert.rejects(runStep(path.join(dir, 'sleep.mjs'), { timeoutMs: 300 }), /did not finish within 300 ms/);
  });

  test('file and command parsing follow the runner', () => {
    assert.deepEqual(parseKeyValueFile('a=1\r\nb<<X\r\nx\r\ny\r\nX\r\n\nc=d=e\n'), { a: '1', b: 'x\ny', c: 'd=e' });
    assert.throws(() => parseKeyValueFile('b<<X\nno end\n'), /Matching delimiter not found/);
    assert.throws(() => parseKeyValueFile('novalue\n'), /invalid format/);
    const commands = parseWorkflowCommands('  ::debug::a%250A\n::stop-commands::tok\n::error::hidden\n::tok::\n::notice::shown\nplain\n');
    assert.deepEqual(commands.map((c) => [c.command, c.message]), [['debug', 'a%0A'], ['stop-commands', 'tok'], ['notice', 'shown']]);
  });
});
