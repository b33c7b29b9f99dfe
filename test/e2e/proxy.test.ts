import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../support/action.ts';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.ts';

/** A forward proxy on loopback that records the absolute URLs it is asked for. */
function startProxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((incoming, outgoing) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    const upstream = request(incoming.url ?? '', { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

let fake: FakeGoogle;
let proxy: Awaited<ReturnType<typeof startProxy>>;

before(async () => {
  fake = await startFakeGoogle();
  proxy = await startProxy();
});
after(async () => {
  await fake.close();
  proxy.server.closeAllConnections();
  await new Promise((resolve) => proxy.server.close(resolve));
});

describe('a proxy (self-hosted runners)', () => {
  it('sends every request through HTTP_PROXY', async () => {
    const user = fake.addUser({ quotaProjectId: 'proxy-project' });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), verify: 'true' }, { env: { HTTP_PROXY: proxy.url } });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(
      proxy.seen.map((line) => line.replace(fake.url, '').replace(/\?.*$/, '')),
      ['POST /oauth2/token', 'POST /oauth2/tokeninfo', 'GET /generativelanguage/v1beta/models'],
    );
  });

  it('goes direct to the hosts of NO_PROXY', async () => {
    proxy.seen.length = 0;
    const user = fake.addUser({ quotaProjectId: 'proxy-project' });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json) }, { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(proxy.seen, []);
    assert.equal(fake.count('token') > 0, true);
  });
});
