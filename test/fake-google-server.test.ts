// The standalone fake (test/support/fake-google-server.ts) and the latency layer
// (test/support/latency.ts) that CI on real runners and the benchmark stand on.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { startFakeGoogle } from './support/fake-google.ts';
import { WINDOWS } from './support/platform.ts';
import { RUNNER_LATENCY, startLatencyLayer } from './support/latency.ts';
import { makeTempDir, parseKeyValueFile, parseWorkflowCommands } from './support/runner.ts';

const SERVER = fileURLToPath(new URL('./support/fake-google-server.ts', import.meta.url));

interface Started {
  child: ChildProcess;
  stdout: string;
  dir: string;
  dotenv: string;
}

/** Starts the server and waits for its dotenv file, the sign that it is ready. */
async function startServer(args: string[] = [], env: Record<string, string> = {}): Promise<Started> {
  const dir = await makeTempDir('gemini-auth-fake-server-');
  const dotenv = join(dir, 'fake.env');
  const child = spawn(process.execPath, [SERVER, '--dotenv', dotenv, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // Ready once the file is there, and what it printed before writing it has come through the pipe.
  for (let waited = 0; !existsSync(dotenv) || stdout.length < readFileSync(dotenv, 'utf8').length; waited += 20) {
    assert.ok(waited < 15_000 && child.exitCode === null, 'the server did not get ready');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, stdout, dir, dotenv };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Whether anything still answers at `url`. */
function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );
}

/** One GET over a fresh keep-alive agent's connection or the one given; resolves with status and time taken. */
function get(url: string, agent: http.Agent, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (response) => response.resume().on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }))).on('error', reject);
  });
}

describe('fake-google-server', () => {
  test('prints dotenv lines a reader gets the exact values from, the same as its dotenv file, and the values work', async () => {
    const { child, stdout, dotenv } = await startServer();
    try {
      assert.equal(readFileSync(dotenv, 'utf8'), stdout);
      assert.ok(stdout.split('\n').filter(Boolean).every((line) => /^[A-Z][A-Z0-9_]*=/.test(line)), 'one KEY=VALUE a line');
      const values = parseEnv(stdout);
      const url = values['FAKE_GOOGLE_URL'] ?? '';
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(values['FAKE_GOOGLE_ENDPOINTS'], ['oauth2', 'sts', 'iamcredentials', 'generativelanguage', 'aiplatform'].map((key) => `${key}=${url}/${key}`).join('\n'));
      const user = JSON.parse(values['FAKE_GOOGLE_CREDENTIALS_JSON'] ?? '') as Record<string, string>;
      assert.equal(user['type'], 'authorized_user');
      const key = JSON.parse(values['FAKE_GOOGLE_SERVICE_ACCOUNT_KEY_JSON'] ?? '') as Record<string, string>;
      assert.match(key['private_key'] ?? '', /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(Number(values['FAKE_GOOGLE_PID']), child.pid);

      const refreshed = await fetch(`${values['FAKE_GOOGLE_OAUTH2_URL']}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: user['client_id'] ?? '', client_secret: user['client_secret'] ?? '', refresh_token: user['refresh_token'] ?? '' }),
      });
      assert.equal(refreshed.status, 200, 'the demo user refreshes');
      const oidc = await fetch(`${values['ACTIONS_ID_TOKEN_REQUEST_URL']}&audience=x`, { headers: { authorization: `Bearer ${values['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}` } });
      assert.equal(oidc.status, 200, 'the OIDC request token is accepted');
      assert.equal((await fetch(`${values['ACTIONS_ID_TOKEN_REQUEST_URL']}&audience=x`, { headers: { authorization: 'Bearer wrong' } })).status, 403);
    } finally {
      const code = await stop(child);
      // Windows delivers no SIGTERM: Node's kill ends the process at once, and no handler runs to remove the file.
      if (!WINDOWS) assert.equal(code, 0, 'SIGTERM ends it cleanly');
    }
    if (WINDOWS) assert.equal(await answers(parseEnv(stdout)['FAKE_GOOGLE_URL'] ?? ''), false, 'the kill ended it');
    else assert.ok(!existsSync(dotenv), 'its dotenv file goes with it');
  });

  test('--github-env: heredoc entries with the same values, every secret masked before it is printed', async () => {
    const dir = await makeTempDir('gemini-auth-github-env-');
    const githubEnv = join(dir, 'set_env');
    writeFileSync(githubEnv, 'EARLIER=1\n');
    const { child, stdout } = await startServer(['--github-env'], { GITHUB_ENV: githubEnv });
    try {
      const printed = parseEnv(stdout.split('\n').filter((line) => !line.startsWith('::')).join('\n'));
      const exported = parseKeyValueFile(readFileSync(githubEnv, 'utf8'), 'GITHUB_ENV');
      assert.deepEqual(exported, { EARLIER: '1', ...printed });
      const masks = parseWorkflowCommands(stdout).filter((command) => command.command === 'add-mask');
      const firstValue = stdout.indexOf('FAKE_GOOGLE_URL=');
      assert.ok(masks.length > 0 && masks.every((mask) => mask.end <= firstValue), 'the masks come first');
      const user = JSON.parse(printed['FAKE_GOOGLE_CREDENTIALS_JSON'] ?? '') as Record<string, string>;
      const key = JSON.parse(printed['FAKE_GOOGLE_SERVICE_ACCOUNT_KEY_JSON'] ?? '') as Record<string, string>;
      const masked = masks.map((mask) => mask.message);
      for (const secret of [user['client_secret'], user['refresh_token'], printed['ACTIONS_ID_TOKEN_REQUEST_TOKEN'], JSON.stringify(key['private_key']).slice(1, -1)]) {
        assert.ok(masked.includes(secret ?? ''), `a secret is masked whole (${(secret ?? '').slice(0, 6)}…)`);
      }
    } finally {
      await stop(child);
    }
  });

  test('--latency: each service on a port of its own, behind the latency model', async () => {
    const { child, stdout } = await startServer(['--latency']);
    try {
      const values = parseEnv(stdout);
      const ports = ['URL', 'OAUTH2_URL', 'STS_URL', 'IAMCREDENTIALS_URL', 'GENERATIVELANGUAGE_URL'].map((name) => new URL(values[`FAKE_GOOGLE_${name}`] ?? '').port);
      assert.equal(new Set(ports).size, 5);
      const agent = new http.Agent({ keepAlive: true });
      const first = await get(`${values['ACTIONS_ID_TOKEN_REQUEST_URL']}&audience=x`, agent, { authorization: `Bearer ${values['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}` });
      assert.equal(first.status, 200);
      assert.ok(first.ms >= 120, `a request on a new connection takes 40 + 80 ms (${first.ms})`);
      agent.destroy();
    } finally {
      await stop(child);
    }
  });
});

describe('latency layer', () => {
  test('a new connection costs connectionMs + requestMs, a kept-alive one requestMs only, and it counts both', async () => {
    const fake = await startFakeGoogle();
    const layer = await startLatencyLayer(fake, RUNNER_LATENCY);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const url = layer.urlOf('/github/.well-known/jwks');
      assert.equal(url, `${layer.urls.github}/.well-known/jwks`);
      const first = await get(url, agent);
      const second = await get(url, agent);
      assert.equal(first.status, 200);
      assert.equal(fake.requests.at(-1)?.path, '/github/.well-known/jwks', 'the host forwards under its prefix');
      assert.ok(first.ms >= 120, `first: ${first.ms}`);
      assert.ok(second.ms >= 40, `second: ${second.ms}`);
      assert.deepEqual([layer.connections, layer.requests], [1, 2], 'the second request went over the kept-alive connection: no second handshake');
      await get(layer.urlOf('/oauth2/tokeninfo'), agent);
      assert.equal(layer.connections, 2, 'another host, another connection');
      assert.match(layer.endpointsInput, /^oauth2=http:\/\/127\.0\.0\.1:\d+\nsts=/);
    } finally {
      agent.destroy();
      await layer.close();
      await fake.close();
    }
  });
});
