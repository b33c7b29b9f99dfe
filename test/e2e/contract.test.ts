// Sentences of the public contract that no flow's own test pins down, through the
// built action against the fake: the default of retries, the universe deciding
// the hosts, the forms of scopes and the default lifetime of impersonated tokens,
// and the post step taking what to remove from its state alone.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { failure, POST, runAction } from '../support/action.ts';
import { decodeJwt, startFakeGoogle, type FakeGoogle } from '../support/fake-google.ts';
import { makeTempDir, runStep } from '../support/runner.ts';

const TARGET = 'gemini-target@my-project.iam.gserviceaccount.com';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const GENERATIVE_LANGUAGE = 'https://www.googleapis.com/auth/generative-language';

let fake: FakeGoogle;

before(async () => {
  fake = await startFakeGoogle();
});
after(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

/** A user's credentials that name no universe of their own (gcloud writes googleapis.com into its files). */
function anyUniverseUser(): Record<string, string> {
  const { universe_domain: _universe, ...json } = fake.addUser({ quotaProjectId: 'gemini-project' }).json;
  return json;
}

/** A forward proxy that records the tunnels it is asked for and opens none. */
async function startTunnelRecorder(): Promise<{ server: Server; url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, socket) => {
    tunnels.push(request.url ?? '');
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

describe('the contract, sentence by sentence', () => {
  it('retries: 3 by default, so a transient failure that persists ends after four attempts', async () => {
    fake.inject('token', { status: 503 }, 10);
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(anyUniverseUser()) });
    assert.match(failure(main), /The Google OAuth token endpoint did not answer usefully in 4 attempts \(last: HTTP 503\); retries: 3 allows no more\./);
    assert.equal(fake.count('token'), 4);
  });

  it('universe: each service not overridden is SERVICE.UNIVERSE, and the credentials file names the universe', async () => {
    const proxy = await startTunnelRecorder();
    try {
      const { main } = await runAction(fake, { credentials_json: JSON.stringify(anyUniverseUser()), universe: 'my-universe.example', endpoints: '', retries: '0' }, { env: { HTTPS_PROXY: proxy.url } });
      failure(main);
      assert.deepEqual(proxy.tunnels, ['oauth2.my-universe.example:443'], 'the token request went to the universe\'s oauth2 host');
      assert.deepEqual(fake.requests, []);
    } finally {
      proxy.server.closeAllConnections();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
    const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(anyUniverseUser()), universe: 'my-universe.example' });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(file?.content.universe_domain, 'my-universe.example');
  });

  it('scopes: comma- or newline-separated; an impersonated token lives access_token_lifetime, 3600s by default', async () => {
    const key = fake.addServiceAccountKey({ projectId: 'my-project' });
    fake.grantTokenCreator(TARGET, `serviceAccount:${key.email}`);
    const direct = await runAction(fake, { credentials_json: JSON.stringify(key.json), scopes: `${CLOUD_PLATFORM}\n${GENERATIVE_LANGUAGE}` });
    assert.equal(direct.main.code, 0, direct.main.stdout);
    assert.equal(decodeJwt(new URLSearchParams(fake.requests[0]?.body).get('assertion') ?? '')?.payload.scope, `${CLOUD_PLATFORM} ${GENERATIVE_LANGUAGE}`);

    fake.reset();
    const impersonated = await runAction(fake, { credentials_json: JSON.stringify(key.json), service_account: TARGET, scopes: `${GENERATIVE_LANGUAGE}, ${CLOUD_PLATFORM}` });
    assert.equal(impersonated.main.code, 0, impersonated.main.stdout);
    const iam = fake.requests.find((request) => request.endpoint === 'iamcredentials');
    assert.deepEqual(JSON.parse(iam?.body ?? '{}'), { scope: [GENERATIVE_LANGUAGE, CLOUD_PLATFORM], lifetime: '3600s' });
    const lifetime = Date.parse(impersonated.main.outputs.expires_at ?? '') - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000, `expires in ${lifetime} ms`);
  });

  it('the post step removes what its state names, not what the exported variables point at, and nothing without state', async () => {
    const runnerTemp = await makeTempDir('gemini-auth-runner-temp-');
    try {
      const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(anyUniverseUser()) }, { runnerTemp, skipPost: true });
      assert.equal(main.code, 0, main.stdout);
      assert.ok(file && existsSync(file.path));
      // Another step's file, named as gemini-auth names its own, which a later step pointed the variables at.
      const other = join(runnerTemp, 'gemini-auth-0123456789abcdef01234567.json');
      writeFileSync(other, '{}', { mode: 0o600 });
      const pointed = { GOOGLE_APPLICATION_CREDENTIALS: other, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: other, GOOGLE_GHA_CREDS_PATH: other };

      const stateless = await runStep(POST, { runnerTemp, env: { ...main.exportedEnv, ...pointed, GOOGLE_APPLICATION_CREDENTIALS: file.path } });
      assert.equal(stateless.code, 0, stateless.stdout);
      assert.ok(existsSync(file.path), 'without state, the file the variables name stays');

      const post = await runStep(POST, { runnerTemp, state: main.state, env: { ...main.exportedEnv, ...pointed } });
      assert.equal(post.code, 0, post.stdout);
      assert.ok(!existsSync(file.path), 'the file of its state is removed');
      assert.ok(existsSync(other), 'the file the variables point at is not');
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
  });
});
