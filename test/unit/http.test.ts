import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ActionError } from '../../src/errors.ts';
import { sendJson, type HttpPolicy, type HttpRequest } from '../../src/google/http.ts';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.ts';
import { makeTempDir } from '../support/runner.ts';

/** A fake of this test's own, closed when the test ends. */
async function fakeFor(t: TestContext): Promise<FakeGoogle> {
  const fake = await startFakeGoogle();
  t.after(() => fake.close());
  return fake;
}

const policy = (overrides: Partial<HttpPolicy> = {}): HttpPolicy => ({ retries: 3, requestTimeoutMs: 5000, deadline: Date.now() + 20_000, ...overrides });
/** A token request the fake answers with a definite 400 unless a fault comes first. */
const grant = (fake: FakeGoogle) => (): HttpRequest => ({ url: `${fake.url}/oauth2/token`, method: 'POST', form: { grant_type: 'none' } });

async function refusal(promise: Promise<unknown>): Promise<{ error: ActionError; at: number }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ActionError, `not an ActionError: ${String(error)}`);
    return { error, at: Date.now() };
  }
  assert.fail('the request succeeded');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('sendJson', () => {
  it('refuses at once a header HTTP cannot carry, sends nothing, and leaves no timer to fire later', async (t) => {
    const fake = await fakeFor(t);
    const uncaught: unknown[] = [];
    const listener = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', listener);
    t.after(() => process.off('uncaughtException', listener));
    for (const value of ['my-project\r\nx-evil: 1', 'projekt-€']) {
      const request = (): HttpRequest => ({ url: `${fake.url}/generativelanguage/v1beta/models`, method: 'GET', headers: { 'x-goog-user-project': value } });
      const { error } = await refusal(sendJson('The Gemini API', request, policy({ requestTimeoutMs: 100 })));
      assert.match(error.message, /^The Gemini API could not be asked: a request header would hold a character HTTP cannot carry \(ERR_INVALID_CHAR\)\.$/);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(uncaught, [], 'a timer of a request that never started fired');
    assert.equal(fake.requests.length, 0);
  });

  it('gives up after retries + 1 attempts, and does not sleep after the last', async (t) => {
    const fake = await fakeFor(t);
    t.mock.method(Math, 'random', () => 0);
    fake.inject('token', { status: 503 }, 10);
    const { error, at } = await refusal(sendJson('The token endpoint', grant(fake), policy({ retries: 2 })));
    assert.match(error.message, /^The token endpoint did not answer usefully in 3 attempts \(last: HTTP 503\); retries: 2 allows no more\.$/);
    assert.match(error.fix ?? '', /re-run the job/);
    assert.equal(fake.count('token'), 3);
    assert.ok(at - (fake.requests.at(-1)?.at ?? 0) < 150, 'no backoff after the last attempt');
  });

  it('backs off exponentially, each wait a random fraction of 0.5 s, 1 s, 2 s… (full jitter)', async (t) => {
    const fake = await fakeFor(t);
    t.mock.method(Math, 'random', () => 0.999);
    fake.inject('token', { status: 500 }, 2);
    const answer = await sendJson('The token endpoint', grant(fake), policy());
    assert.equal(answer.status, 400, 'the third attempt gets the definite answer');
    const [first, second, third] = fake.requests.map((request) => request.at);
    assert.ok(second! - first! >= 490 && second! - first! < 800, `first wait ${second! - first!} ms`);
    assert.ok(third! - second! >= 990 && third! - second! < 1300, `second wait ${third! - second!} ms`);
  });

  it('stops at the deadline instead of sleeping past it', async (t) => {
    const fake = await fakeFor(t);
    t.mock.method(Math, 'random', () => 0.999);
    fake.inject('token', { status: 503 }, 20);
    const started = Date.now();
    const { error, at } = await refusal(sendJson('The token endpoint', grant(fake), policy({ retries: 10, deadline: started + 1200 })));
    assert.match(error.message, /in 2 attempts \(last: HTTP 503\); the time the input timeout allows ran out/);
    assert.ok(at - started < 900, `gave up after ${at - started} ms, without the 1 s wait that would pass the deadline`);
  });

  it('gives an attempt only the time left after building its request', async (t) => {
    const fake = await fakeFor(t);
    fake.inject('token', 'hang', 5);
    const started = Date.now();
    const build = async (): Promise<HttpRequest> => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return grant(fake)();
    };
    const { error, at } = await refusal(sendJson('The token endpoint', build, policy({ requestTimeoutMs: 10_000, deadline: started + 800 })));
    assert.match(error.message, /no answer within/);
    assert.ok(at - started < 1100, `ended ${at - started} ms after a deadline of 800 ms`);
  });

  it('takes a definite answer at once, an error page as well as JSON', async (t) => {
    const fake = await fakeFor(t);
    const json = await sendJson('The token endpoint', grant(fake), policy());
    assert.equal(json.status, 400);
    assert.deepEqual(json.body, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: none' });
    const page = await sendJson('The API', () => ({ url: `${fake.url}/nowhere`, method: 'GET' }), policy());
    assert.deepEqual(page, { status: 404, body: undefined });
    assert.equal(fake.requests.length, 2, 'neither was retried');
  });

  it('refuses a redirect at once: credentials go nowhere else', async () => {
    let requests = 0;
    const server = createHttpServer((_request, response) => {
      requests++;
      response.writeHead(307, { location: 'https://elsewhere.example/token' }).end();
    });
    const port = await listen(server);
    try {
      const { error } = await refusal(sendJson('The token endpoint', () => ({ url: `http://127.0.0.1:${port}/token`, method: 'POST', form: { secret: 'x' } }), policy()));
      assert.match(error.message, /answered with a redirect \(HTTP 307\), which gemini-auth does not follow/);
      assert.equal(requests, 1);
    } finally {
      server.close();
    }
  });

  it('refuses an untrusted TLS certificate at once, naming NODE_EXTRA_CA_CERTS', async (t) => {
    const dir = await makeTempDir();
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      } catch {
        t.skip('openssl is not installed');
        return;
      }
      let requests = 0;
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_request, response) => {
        requests++;
        response.end('{}');
      });
      const port = await listen(server);
      try {
        const { error } = await refusal(sendJson('The token endpoint', () => ({ url: `https://127.0.0.1:${port}/token`, method: 'GET' }), policy()));
        assert.match(error.message, /presented a TLS certificate that is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
        assert.match(error.fix ?? '', /NODE_EXTRA_CA_CERTS/);
        assert.equal(requests, 0);
      } finally {
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
