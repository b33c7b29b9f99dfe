/**
 * Drives the REAL @actions/cache (v2 service protocol) against the fake in
 * test/support/fake-cache.ts, in-process: env vars are set on process.env and
 * the cwd is switched to a scratch workspace for each call, then restored.
 *
 * Besides checking the fake, these tests pin down what @actions/cache 6.3.0
 * does in each situation (throw vs. return undefined / -1 and log), so code
 * that wraps it can rely on that.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, sep } from 'node:path';
import * as cache from '@actions/cache';
import {
  ALREADY_EXISTS_MESSAGE,
  READ_DENIED_MESSAGE,
  TWIRP_SERVICE,
  WRITE_DENIED_MESSAGE,
  captureOutput,
  computeCacheVersion,
  startFakeCache,
  withEnv,
} from './support/fake-cache.ts';
import type { Captured, FakeCache } from './support/fake-cache.ts';

const PATHS = ['data'];
const HAS_ZSTD = spawnSync('zstd', ['--version']).status === 0;
const COMPRESSION = HAS_ZSTD ? 'zstd-without-long' : 'gzip';

type Tree = Record<string, string | Buffer>;

/**
 * What @actions/cache says when tar fails: the first word of its command line,
 * then the tool's path (on Windows Git's tar, "C:\Program Files\Git\usr\bin\tar.exe",
 * whose first word is "C:\Program).
 */
const TAR_FAILED = /^Failed to restore: \S+ failed with error: The process '[^']*tar(\.exe)?' failed with exit code \d+$/;

const TREE_A: Tree = {
  'a.txt': 'hello from A\n',
  'sub/b.bin': Buffer.from([0, 1, 2, 3, 254, 255]),
  'sub/deeper/c.json': '{"token":"not-a-secret"}',
};
const TREE_B: Tree = { 'a.txt': 'hello from B\n', 'only-in-b.txt': 'B' };

function writeTree(dir: string, tree: Tree): void {
  for (const [name, content] of Object.entries(tree)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** relative path -> hex content, for every file under dir. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split(sep).join('/')] = readFileSync(p).toString('hex');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

function hexTree(tree: Tree): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
}

interface Harness {
  fake: FakeCache;
  root: string;
  /** a fresh, empty workspace directory. */
  workspace(tree?: Tree): string;
  /** run fn as a step would: cwd = GITHUB_WORKSPACE = ws, cache env pointing at the fake. */
  step<T>(ws: string, fn: () => Promise<T>, env?: Record<string, string | undefined>): Promise<Captured<T>>;
}

async function harness(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Harness> {
  const fake = await startFakeCache();
  const root = mkdtempSync(join(tmpdir(), 'fake-cache-test-'));
  let n = 0;
  t.after(async () => {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    fake,
    root,
    workspace(tree) {
      const ws = join(root, `ws${++n}`);
      mkdirSync(ws, { recursive: true });
      if (tree) writeTree(join(ws, 'data'), tree);
      return ws;
    },
    async step(ws, fn, env = {}) {
      const cwd = process.cwd();
      process.chdir(ws);
      try {
        return await withEnv(
          {
            ...fake.env,
            RUNNER_TEMP: join(root, 'runner-temp'),
            GITHUB_WORKSPACE: ws,
            // github.com => cache service v2 (a GHES/loopback server URL would force v1)
            GITHUB_SERVER_URL: 'https://github.com',
            ACTIONS_CACHE_MODE: undefined,
            ACTIONS_CACHE_URL: undefined,
            RUNNER_DEBUG: undefined,
            ...env,
          },
          () => captureOutput(fn),
        );
      } finally {
        process.chdir(cwd);
      }
    },
  };
}

async function save(h: Harness, tree: Tree, key: string): Promise<Captured<number>> {
  const ws = h.workspace(tree);
  return h.step(ws, () => cache.saveCache(PATHS, key));
}

function ok<T>(c: Captured<T>): T {
  if (c.threw) throw new Error(`unexpected throw: ${String(c.error)}\n${c.output.stdout}`);
  return c.result;
}

test('save then restore by exact key into a clean workspace, over the real v2 wire format', async (t) => {
  const h = await harness(t);
  const saved = await save(h, TREE_A, 'gemini-auth-v1-abc');
  const id = ok(saved);
  assert.equal(saved.output.warnings.length, 0, saved.output.stdout);

  assert.equal(h.fake.entries.length, 1);
  const entry = h.fake.entries[0];
  assert.ok(entry);
  assert.equal(id, entry.id, 'saveCache returns the entry_id from FinalizeCacheEntryUpload');
  assert.equal(entry.key, 'gemini-auth-v1-abc');
  assert.equal(entry.version, computeCacheVersion(PATHS, COMPRESSION));
  assert.equal(entry.size, entry.data.length);
  assert.equal(entry.claimedSize, entry.size);
  assert.deepEqual(
    h.fake.requests.map((r) => `${r.method} ${r.twirp ?? r.path} ${r.status}`),
    [
      'POST CreateCacheEntry 200',
      `PUT /blob/${entry.id} 201`,
      'POST FinalizeCacheEntryUpload 200',
    ],
  );
  assert.deepEqual(h.fake.requests[0]?.body, { key: 'gemini-auth-v1-abc', version: entry.version });
  assert.deepEqual(h.fake.requests[2]?.body, {
    key: 'gemini-auth-v1-abc',
    size_bytes: String(entry.size),
    version: entry.version,
  });

  const clean = h.workspace();
  const restored = await h.step(clean, async () => {
    assert.equal(cache.isFeatureAvailable(), true);
    return cache.restoreCache(PATHS, 'gemini-auth-v1-abc');
  });
  assert.equal(ok(restored), 'gemini-auth-v1-abc');
  assert.ok(restored.output.info.includes('Cache hit for: gemini-auth-v1-abc'), restored.output.stdout);
  assert.ok(restored.output.info.includes('Cache restored successfully'));
  assert.deepEqual(readTree(join(clean, 'data')), hexTree(TREE_A));
  const lookup = h.fake.twirpCalls('GetCacheEntryDownloadURL')[0];
  // emitDefaultValues=false: an empty restore_keys list is not sent at all
  assert.deepEqual(lookup?.body, { key: 'gemini-auth-v1-abc', version: entry.version });
  assert.equal(h.fake.requests.at(-1)?.method, 'GET');
});

test('restore by prefix: exact key, then key as prefix, then restore keys in order; newest entry wins', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'deps-linux-aaa'));
  ok(await save(h, TREE_B, 'deps-linux-bbb')); // newer

  // primary key misses, restore key prefix matches both: the newest wins
  const ws1 = h.workspace();
  const r1 = await h.step(ws1, () => cache.restoreCache(PATHS, 'deps-linux-zzz', ['deps-linux-']));
  assert.equal(ok(r1), 'deps-linux-bbb');
  assert.ok(r1.output.info.includes('Cache hit for restore-key: deps-linux-bbb'), r1.output.stdout);
  assert.deepEqual(readTree(join(ws1, 'data')), hexTree(TREE_B));
  assert.deepEqual(h.fake.twirpCalls('GetCacheEntryDownloadURL')[0]?.body, {
    key: 'deps-linux-zzz',
    restore_keys: ['deps-linux-'],
    version: computeCacheVersion(PATHS, COMPRESSION),
  });

  // restore keys are tried in order; the first that matches anything wins
  const ws2 = h.workspace();
  const r2 = await h.step(ws2, () => cache.restoreCache(PATHS, 'nope', ['nope-either-', 'deps-linux-a', 'deps-']));
  assert.equal(ok(r2), 'deps-linux-aaa');
  assert.deepEqual(readTree(join(ws2, 'data')), hexTree(TREE_A));

  // the exact key beats a newer prefix match
  const ws3 = h.workspace();
  assert.equal(ok(await h.step(ws3, () => cache.restoreCache(PATHS, 'deps-linux-aaa', ['deps-']))), 'deps-linux-aaa');

  // GitHub also prefix-matches the primary key itself before the restore keys
  const ws4 = h.workspace();
  const r4 = await h.step(ws4, () => cache.restoreCache(PATHS, 'deps-linux-b', ['deps-linux-aaa']));
  assert.equal(ok(r4), 'deps-linux-bbb');
  assert.ok(r4.output.info.includes('Cache hit for restore-key: deps-linux-bbb'));

  // only entries of the same version (same paths + compression) are visible
  const ws5 = h.workspace();
  const r5 = await h.step(ws5, () => cache.restoreCache(['other-path'], 'deps-linux-aaa', ['deps-']));
  assert.equal(ok(r5), undefined);
});

test('a miss returns undefined quietly and downloads nothing; lookupOnly hits without downloading', async (t) => {
  const h = await harness(t);
  const ws = h.workspace();
  const miss = await h.step(ws, () => cache.restoreCache(PATHS, 'absent-key', ['absent-']));
  assert.equal(ok(miss), undefined);
  assert.deepEqual(miss.output.warnings, []);
  assert.deepEqual(miss.output.errors, []);
  assert.deepEqual(h.fake.requests.map((r) => `${r.twirp ?? r.method} ${r.status}`), ['GetCacheEntryDownloadURL 200']);
  assert.deepEqual(readTree(join(ws, 'data')), {});

  ok(await save(h, TREE_A, 'present'));
  h.fake.requests.length = 0;
  const look = await h.step(h.workspace(), () => cache.restoreCache(PATHS, 'present', [], { lookupOnly: true }));
  assert.equal(ok(look), 'present');
  assert.ok(look.output.info.includes('Lookup only - skipping download'));
  assert.deepEqual(h.fake.requests.map((r) => r.twirp ?? r.method), ['GetCacheEntryDownloadURL']);
});

test('a second save of the same key: Twirp 409 already_exists, saveCache returns -1 and logs info (no throw, no warning)', async (t) => {
  const h = await harness(t);
  const first = ok(await save(h, TREE_A, 'dup-key'));
  assert.ok(first > 0);
  const original = Buffer.from(h.fake.entries[0]?.data ?? Buffer.alloc(0));

  const second = await save(h, TREE_B, 'dup-key');
  assert.equal(ok(second), -1);
  assert.deepEqual(second.output.warnings, []);
  assert.deepEqual(second.output.errors, []);
  assert.ok(
    second.output.info.includes('Failed to save: Unable to reserve cache with key dup-key, another job may be creating this cache.'),
    second.output.stdout,
  );
  assert.ok(
    second.output.debug.some((d) => d.includes(`Failed request: (409) Conflict: ${ALREADY_EXISTS_MESSAGE}`)),
    second.output.stdout,
  );
  const create = h.fake.twirpCalls('CreateCacheEntry');
  assert.deepEqual(create.map((r) => r.status), [200, 409], 'no retry on 409');
  assert.equal(h.fake.requests.filter((r) => r.method === 'PUT').length, 1, 'nothing uploaded the second time');
  assert.equal(h.fake.entries.length, 1);
  assert.deepEqual(h.fake.entries[0]?.data, original, 'the stored entry is immutable');

  const ws = h.workspace();
  assert.equal(ok(await h.step(ws, () => cache.restoreCache(PATHS, 'dup-key'))), 'dup-key');
  assert.deepEqual(readTree(join(ws, 'data')), hexTree(TREE_A));
});

test('read-only token: save returns -1 with one "cache write denied" warning (CacheWriteDeniedError inside); restore still works', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'ro-existing'));
  h.fake.readOnly = true;

  const denied = await save(h, TREE_B, 'ro-new');
  assert.equal(ok(denied), -1);
  assert.deepEqual(denied.output.warnings, [
    `Failed to save: Unable to reserve cache with key ro-new. More details: ${WRITE_DENIED_MESSAGE}`,
  ]);
  assert.deepEqual(denied.output.errors, []);
  assert.ok(!denied.output.info.some((l) => l.startsWith('Failed to save')));
  assert.ok(WRITE_DENIED_MESSAGE.startsWith(cache.CACHE_WRITE_DENIED_PREFIX));
  assert.deepEqual(h.fake.twirpCalls('CreateCacheEntry').map((r) => r.status), [200, 200]);
  assert.equal(h.fake.entries.length, 1);
  assert.equal(h.fake.pending.length, 0);

  const ws = h.workspace();
  assert.equal(ok(await h.step(ws, () => cache.restoreCache(PATHS, 'ro-existing'))), 'ro-existing');
  assert.deepEqual(readTree(join(ws, 'data')), hexTree(TREE_A));
});

test('read-denied token: restore returns undefined with a "cache read denied" warning (CacheReadDeniedError inside)', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'rd-key'));
  h.fake.readDenied = true;
  const r = await h.step(h.workspace(), () => cache.restoreCache(PATHS, 'rd-key'));
  assert.equal(ok(r), undefined);
  assert.deepEqual(r.output.warnings, [
    'Failed to restore: Failed to GetCacheEntryDownloadURL: Received non-retryable error: ' +
      `Failed request: (403) Forbidden: ${READ_DENIED_MESSAGE}`,
  ]);
  assert.ok(READ_DENIED_MESSAGE.startsWith(cache.CACHE_READ_DENIED_PREFIX));
});

test('service down (sockets reset): restore warns and returns undefined, save logs info and returns -1; no retries', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'down-key'));
  h.fake.requests.length = 0;
  h.fake.down = true;

  const ws = h.workspace();
  const r = await h.step(ws, () => cache.restoreCache(PATHS, 'down-key'));
  assert.equal(ok(r), undefined);
  assert.equal(r.output.warnings.length, 1);
  assert.match(r.output.warnings[0] ?? '', /^Failed to restore: Failed to GetCacheEntryDownloadURL: Unable to make request: ECONNRESET/);
  assert.deepEqual(r.output.errors, []);
  assert.deepEqual(readTree(join(ws, 'data')), {});

  const s = await save(h, TREE_B, 'down-key-2');
  assert.equal(ok(s), -1);
  // indistinguishable from a duplicate key: the reservation failure is logged at info level only
  assert.deepEqual(s.output.warnings, []);
  assert.ok(s.output.info.includes('Failed to save: Unable to reserve cache with key down-key-2, another job may be creating this cache.'));
  assert.ok(s.output.debug.some((d) => d.includes('Failed to CreateCacheEntry: Unable to make request: ECONNRESET')));
  assert.deepEqual(h.fake.requests.map((req) => `${req.twirp} ${req.status}`), [
    'GetCacheEntryDownloadURL 0',
    'CreateCacheEntry 0',
  ]);
});

test('service down (HTTP 503): 5 attempts each, then restore warns + undefined and save info + -1', async (t) => {
  const h = await harness(t);
  h.fake.down = true;
  h.fake.downMode = '503';
  // The Twirp client sleeps 3 s, 4.5 s, ... between attempts; shrink long sleeps for this test only.
  const realSetTimeout = globalThis.setTimeout;
  const fast = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    realSetTimeout(fn, ms !== undefined && ms >= 1000 ? 1 : ms, ...args)) as unknown as typeof setTimeout;
  globalThis.setTimeout = fast;
  t.after(() => {
    globalThis.setTimeout = realSetTimeout;
  });

  const r = await h.step(h.workspace(), () => cache.restoreCache(PATHS, 'k503'));
  assert.equal(ok(r), undefined);
  assert.deepEqual(r.output.warnings, [
    'Failed to restore: Failed to GetCacheEntryDownloadURL: Failed to make request after 5 attempts: ' +
      'Failed request: (503) Service Unavailable: the cache service is temporarily unavailable',
  ]);
  assert.deepEqual(r.output.errors, [], 'the wrapped error is no HttpClientError, so it is a warning, not ::error::');
  assert.equal(r.output.info.filter((l) => /^Attempt \d of 5 failed with error: Failed request: \(503\)/.test(l)).length, 4);

  const s = await save(h, TREE_A, 'k503');
  assert.equal(ok(s), -1);
  assert.deepEqual(s.output.warnings, []);
  assert.ok(s.output.info.includes('Failed to save: Unable to reserve cache with key k503, another job may be creating this cache.'));
  assert.equal(h.fake.twirpCalls('GetCacheEntryDownloadURL').length, 5);
  assert.equal(h.fake.twirpCalls('CreateCacheEntry').length, 5);
  assert.ok(h.fake.twirpCalls().every((req) => req.status === 503));
  globalThis.setTimeout = realSetTimeout;
});

test('wrong runtime token: 401 unauthenticated, restore warns + undefined, save info + -1', async (t) => {
  const h = await harness(t);
  const env = { ACTIONS_RUNTIME_TOKEN: 'wrong-token' };
  const r = await h.step(h.workspace(), () => cache.restoreCache(PATHS, 'k'), env);
  assert.equal(ok(r), undefined);
  assert.deepEqual(r.output.warnings, [
    'Failed to restore: Failed to GetCacheEntryDownloadURL: Received non-retryable error: ' +
      'Failed request: (401) Unauthorized: invalid or missing bearer token',
  ]);
  const s = await h.step(h.workspace(TREE_A), () => cache.saveCache(PATHS, 'k'), env);
  assert.equal(ok(s), -1);
  assert.deepEqual(s.output.warnings, []);
  assert.ok(s.output.info.includes('Failed to save: Unable to reserve cache with key k, another job may be creating this cache.'));
  assert.deepEqual(h.fake.requests.map((req) => req.status), [401, 401]);
  assert.equal(h.fake.entries.length, 0);
});

test('tampered archive (garbage bytes): restore warns "tar failed" and returns undefined', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'tamper-garbage'));
  h.fake.tamper('tamper-garbage', (buf) => Buffer.alloc(buf.length, 0x41));
  const ws = h.workspace();
  const r = await h.step(ws, () => cache.restoreCache(PATHS, 'tamper-garbage'));
  assert.equal(ok(r), undefined);
  assert.ok(r.output.info.includes('Cache hit for: tamper-garbage'), 'the lookup itself hit');
  assert.equal(r.output.warnings.length, 1);
  assert.match(r.output.warnings[0] ?? '', TAR_FAILED);
  assert.deepEqual(r.output.errors, []);
  // @actions/exec relays the tools' stderr to stdout
  if (HAS_ZSTD) assert.ok(r.output.info.some((l) => /^zstd: .*unsupported format/.test(l)), r.output.stdout);
  assert.deepEqual(readTree(join(ws, 'data')), {}, 'nothing extracted');
});

test('tampered archive (truncated): restore warns and returns undefined, but leaves a partial extraction on disk', async (t) => {
  const h = await harness(t);
  const big: Tree = {};
  for (let i = 0; i < 8; i++) big[`f${i}.bin`] = randomBytes(64 * 1024); // incompressible
  ok(await save(h, big, 'tamper-truncated'));
  h.fake.tamper('tamper-truncated', (buf) => buf.subarray(0, Math.floor(buf.length / 2)));
  const ws = h.workspace();
  const r = await h.step(ws, () => cache.restoreCache(PATHS, 'tamper-truncated'));
  assert.equal(ok(r), undefined);
  assert.equal(r.output.warnings.length, 1);
  assert.match(r.output.warnings[0] ?? '', TAR_FAILED);
  const left = Object.keys(readTree(join(ws, 'data')));
  assert.ok(left.length > 0 && left.length < 8, `partially restored files remain: ${left.length} of 8`);
});

test('tampered archive (a different valid archive): restore succeeds with the substituted content — no integrity check', async (t) => {
  const h = await harness(t);
  ok(await save(h, TREE_A, 'tamper-victim'));
  ok(await save(h, TREE_B, 'tamper-other'));
  const other = h.fake.entries.find((e) => e.key === 'tamper-other');
  assert.ok(other);
  h.fake.tamper('tamper-victim', () => Buffer.from(other.data));
  const ws = h.workspace();
  const r = await h.step(ws, () => cache.restoreCache(PATHS, 'tamper-victim'));
  assert.equal(ok(r), 'tamper-victim');
  assert.deepEqual(r.output.warnings, []);
  assert.deepEqual(readTree(join(ws, 'data')), hexTree(TREE_B));
});

test('validation errors are thrown to the caller before any request', async (t) => {
  const h = await harness(t);
  const ws = h.workspace(TREE_A);
  const comma = await h.step(ws, () => cache.saveCache(PATHS, 'a,b'));
  assert.ok(comma.threw && comma.error instanceof cache.ValidationError);
  const commaRestore = await h.step(ws, () => cache.restoreCache(PATHS, 'ok', ['bad,key']));
  assert.ok(commaRestore.threw && commaRestore.error instanceof cache.ValidationError);
  const tooMany = await h.step(ws, () => cache.restoreCache(PATHS, 'k', Array.from({ length: 10 }, (_, i) => `r${i}`)));
  assert.ok(tooMany.threw && tooMany.error instanceof cache.ValidationError);
  assert.match(String(tooMany.error), /Keys are limited to a maximum of 10/);
  const noPaths = await h.step(ws, () => cache.saveCache([], 'k'));
  assert.ok(noPaths.threw && noPaths.error instanceof cache.ValidationError);
  // a path that matches nothing: a plain Error (not ValidationError), thrown, not logged
  const missing = await h.step(ws, () => cache.saveCache(['does-not-exist'], 'k'));
  assert.ok(missing.threw && missing.error instanceof Error && !(missing.error instanceof cache.ValidationError));
  assert.match(missing.error.message, /^Path Validation Error: Path\(s\) specified in the action for caching do\(es\) not exist/);
  assert.deepEqual(h.fake.requests, []);
});

test('without zstd on PATH the client falls back to gzip, which is a different cache version', async (t) => {
  const h = await harness(t);
  const bin = join(h.root, 'bin-no-zstd');
  mkdirSync(bin);
  let gzipEnv: Record<string, string>;
  if (process.platform === 'win32') {
    // There @actions/cache takes Git's tar by its full path, and that tar finds gzip beside it on PATH, where zstd may be too:
    // a zstd first on PATH that answers nothing is what @actions/cache takes for none (it reads the version zstd prints).
    writeFileSync(join(bin, 'zstd.cmd'), '@exit /b 1\r\n');
    gzipEnv = { PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` };
  } else {
    for (const tool of ['tar', 'gzip', 'sh']) {
      const found = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, tool)).find((p) => existsSync(p));
      assert.ok(found, `${tool} on PATH`);
      symlinkSync(found, join(bin, tool));
    }
    gzipEnv = { PATH: bin };
  }
  const saved = await h.step(h.workspace(TREE_A), () => cache.saveCache(PATHS, 'gz-key'), gzipEnv);
  ok(saved);
  const entry = h.fake.entries[0];
  assert.ok(entry);
  assert.equal(entry.version, computeCacheVersion(PATHS, 'gzip'));
  assert.deepEqual([...entry.data.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
  const ws = h.workspace();
  assert.equal(ok(await h.step(ws, () => cache.restoreCache(PATHS, 'gz-key'), gzipEnv)), 'gz-key');
  assert.deepEqual(readTree(join(ws, 'data')), hexTree(TREE_A));

  if (HAS_ZSTD) {
    // a runner with zstd computes the zstd version and does not see the gzip entry
    const r = await h.step(h.workspace(), () => cache.restoreCache(PATHS, 'gz-key'));
    assert.equal(ok(r), undefined);
    const body = h.fake.twirpCalls('GetCacheEntryDownloadURL').at(-1)?.body as { version?: string } | undefined;
    assert.equal(body?.version, computeCacheVersion(PATHS, 'zstd-without-long'));
  }
});

test('the fake enforces auth, signatures, blob type and routes on the raw protocol', async (t) => {
  const h = await harness(t);
  const { fake } = h;
  const twirp = (method: string, body: unknown, token = fake.token): Promise<Response> =>
    fetch(`${fake.url}/twirp/${TWIRP_SERVICE}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const version = computeCacheVersion(PATHS, 'gzip');

  const unauth = await twirp('GetCacheEntryDownloadURL', { key: 'k', version }, 'bad');
  assert.equal(unauth.status, 401);
  assert.deepEqual(await unauth.json(), { code: 'unauthenticated', msg: 'invalid or missing bearer token' });
  const route = await twirp('DeleteCacheEntry', { key: 'k' });
  assert.equal(route.status, 404);
  assert.equal(((await route.json()) as { code: string }).code, 'bad_route');
  const invalid = await twirp('CreateCacheEntry', { key: 'k' });
  assert.equal(invalid.status, 400);

  const created = await twirp('CreateCacheEntry', { key: 'raw', version });
  const { ok: createdOk, signed_upload_url: uploadUrl } = (await created.json()) as { ok: boolean; signed_upload_url: string };
  assert.equal(createdOk, true);
  const unsigned = new URL(uploadUrl);
  unsigned.searchParams.delete('sig');
  assert.equal((await fetch(unsigned, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status, 403);
  const forged = new URL(uploadUrl);
  forged.searchParams.set('sig', 'forged');
  assert.equal((await fetch(forged, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status, 403);
  assert.equal((await fetch(uploadUrl, { method: 'PUT', body: 'x' })).status, 400, 'x-ms-blob-type required');

  const early = await twirp('FinalizeCacheEntryUpload', { key: 'raw', version, size_bytes: '7' });
  assert.equal(early.status, 412, 'finalize before upload');
  assert.equal((await fetch(uploadUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'payload' })).status, 201);
  const fin = await twirp('FinalizeCacheEntryUpload', { key: 'raw', version, size_bytes: '7' });
  const finBody = (await fin.json()) as { ok: boolean; entry_id: string };
  assert.equal(finBody.ok, true);
  assert.equal(typeof finBody.entry_id, 'string', 'int64 as string');
  assert.equal(fake.entries[0]?.size, 7);
  assert.equal((await fetch(uploadUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'y' })).status, 403, 'immutable after finalize');

  const again = await twirp('CreateCacheEntry', { key: 'raw', version });
  assert.equal(again.status, 409);
  assert.deepEqual(await again.json(), { code: 'already_exists', msg: ALREADY_EXISTS_MESSAGE });

  const got = (await (await twirp('GetCacheEntryDownloadURL', { key: 'ra', restore_keys: ['x'], version })).json()) as {
    ok: boolean;
    signed_download_url: string;
    matched_key: string;
  };
  assert.equal(got.ok, true);
  assert.equal(got.matched_key, 'raw');
  assert.equal(await (await fetch(got.signed_download_url)).text(), 'payload');
  const wrongSig = new URL(got.signed_download_url);
  wrongSig.searchParams.set('sig', 'nope');
  assert.equal((await fetch(wrongSig)).status, 403);
  assert.equal((await fetch(uploadUrl)).status, 403, 'the write signature does not allow reads');
  const otherVersion = await twirp('GetCacheEntryDownloadURL', { key: 'raw', version: computeCacheVersion(PATHS, 'zstd-without-long') });
  assert.deepEqual(await otherVersion.json(), { ok: false, signed_download_url: '', matched_key: '' });
});

test('injected faults hit the next requests of one method, then the service answers as usual', async (t) => {
  const h = await harness(t);
  const { fake } = h;
  const version = computeCacheVersion(PATHS, 'gzip');
  const lookup = (): Promise<Response> =>
    fetch(`${fake.url}/twirp/${TWIRP_SERVICE}/GetCacheEntryDownloadURL`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.token}` },
      body: JSON.stringify({ key: 'k', version }),
      signal: AbortSignal.timeout(1000),
    });
  fake.inject('GetCacheEntryDownloadURL', { status: 503 });
  fake.inject('GetCacheEntryDownloadURL', { status: 429, retryAfter: 9 });
  fake.inject('GetCacheEntryDownloadURL', 'non-json');
  fake.inject('GetCacheEntryDownloadURL', 'wrong-shape');
  fake.inject('GetCacheEntryDownloadURL', { delayMs: 300 });
  const unavailable = await lookup();
  assert.equal(unavailable.status, 503);
  assert.equal(((await unavailable.json()) as { code: string }).code, 'unavailable');
  const limited = await lookup();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '9');
  assert.match(await (await lookup()).text(), /^<!DOCTYPE html>/);
  assert.deepEqual(await (await lookup()).json(), { unexpected: true });
  const started = Date.now();
  assert.deepEqual(await (await lookup()).json(), { ok: false, signed_download_url: '', matched_key: '' });
  assert.ok(Date.now() - started >= 290, 'the delayed answer came late, and whole');
  assert.equal((await lookup()).status, 200, 'then as usual');

  fake.inject('GetCacheEntryDownloadURL', 'reset');
  await assert.rejects(lookup(), TypeError);
  fake.inject('GetCacheEntryDownloadURL', 'hang');
  await assert.rejects(lookup(), /timeout|aborted/i);
  fake.inject('CreateCacheEntry', 'reset');
  fake.reset();
  assert.equal((await lookup()).status, 200, 'reset() forgets the faults');
});
