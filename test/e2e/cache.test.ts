// cache: true, through the REAL @actions/cache of the built action, against the
// loopback fake of the Actions cache service (v2 protocol).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DIST, failure, runAction, type ActionRun } from '../support/action.ts';
import { startFakeCache, type FakeCache, type FakeEntry } from '../support/fake-cache.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider, type FakeUser } from '../support/fake-google.ts';
import { removeJob, runTokenJob, traceLoads } from '../support/job.ts';
import { makeTempDir } from '../support/runner.ts';

const KEY = 'correct-horse-battery-staple-cache-key';
const OTHER_KEY = 'another-repository-secret-of-ours';
const ENTRY_KEY = /^gemini-auth-v1-[0-9a-f]{40}-\d{10}$/;

let fake: FakeGoogle;
let cache: FakeCache;
let user: FakeUser;
let provider: FakeProvider;

before(async () => {
  fake = await startFakeGoogle();
  cache = await startFakeCache();
  provider = fake.addProvider();
});
after(async () => {
  await fake.close();
  await cache.close();
});
beforeEach(() => {
  fake.reset();
  cache.reset();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
});

/** One job: the action's main and post steps with the cache service at hand. */
function job(inputs: Record<string, string>, options: { env?: Record<string, string>; secrets?: string[] } = {}): Promise<ActionRun> {
  return runAction(fake, { cache: 'true', ...inputs }, { env: { ...cache.env, ...fake.oidcEnv, ...options.env }, secrets: [KEY, OTHER_KEY, ...(options.secrets ?? [])] });
}

const USER_CREDENTIALS = (): Record<string, string> => ({ credentials_json: JSON.stringify(user.json) });

/** The entry file inside an entry's archive (tar, zstd- or gzip-compressed), and a way to rewrite it in place. */
function entryFile(entry: FakeEntry): { content: Buffer; rewrite: (change: (content: Buffer) => void) => Buffer } {
  const zstd = entry.data.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
  const tar = zstd ? zstdDecompressSync(entry.data) : gunzipSync(entry.data);
  let offset = 0;
  // Tar: 512-byte headers (name at 0, octal size at 124, type at 156), each followed by its data in 512-byte blocks.
  while (tar[offset] !== 0 && offset < tar.length) {
    const name = tar.subarray(offset, offset + 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(offset + 124, offset + 136).toString('latin1'), 8);
    const start = offset + 512;
    if (name === 'token.cache' && tar[offset + 156] === 0x30) {
      return {
        content: Buffer.from(tar.subarray(start, start + size)),
        rewrite(change) {
          const copy = Buffer.from(tar);
          change(copy.subarray(start, start + size));
          return zstd ? zstdCompressSync(copy) : gzipSync(copy);
        },
      };
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  assert.fail('the archive holds no token.cache');
}

describe('cache: true', () => {
  it('saves an encrypted token after a miss, and the next job reuses it without a request to Google', async () => {
    const first = await job(USER_CREDENTIALS());
    assert.equal(first.main.code, 0, first.main.stdout);
    assert.equal(first.main.outputs.cache_hit, 'false');
    assert.equal(fake.count('token'), 1);
    assert.deepEqual(cache.twirpCalls().map((call) => call.twirp), ['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload']);
    const [entry] = cache.entries;
    assert.ok(entry && ENTRY_KEY.test(entry.key), `entry key ${entry?.key}`);
    assert.equal(Number(entry.key.split('-').at(-1)), Math.floor(Date.parse(first.main.outputs.expires_at ?? '') / 1000), 'the key ends with the expiry');
    const stored = entryFile(entry).content.toString('latin1');
    for (const visible of [first.main.outputs.access_token ?? '', user.clientId, user.email, 'gemini-project', ...fake.secrets()]) {
      assert.ok(!stored.includes(visible) && !entry.key.includes(visible), 'the entry and its key reveal nothing');
    }

    fake.requests.length = 0;
    const second = await runTokenJob(fake, { cache: 'true', ...USER_CREDENTIALS() }, ['gemini-auth-token'], { env: cache.env, skipPost: true });
    try {
      const { main } = second;
      assert.equal(main.code, 0, main.stdout);
      assert.equal(main.outputs.cache_hit, 'true');
      assert.deepEqual(fake.requests, [], 'no request to Google');
      for (const name of ['access_token', 'expires_at', 'auth_type', 'principal', 'project_id']) assert.equal(main.outputs[name], first.main.outputs[name], name);
      assert.ok(main.masks.includes(main.outputs.access_token ?? ''), 'the cached token is masked');
      assert.equal(main.exportedEnv.GOOGLE_APPLICATION_CREDENTIALS, main.outputs.credentials_file_path);
      assert.deepEqual(first.file?.content, JSON.parse(readFileSync(main.outputs.credentials_file_path ?? '', 'utf8')), 'the same ADC file');
      assert.match(main.stdout, /From cache: yes/);
      assert.equal(second.runs[0]?.stdout.trim(), main.outputs.access_token, 'gemini-auth-token serves the cached token');
      assert.equal(cache.entries.length, 1, 'a hit saves nothing');
    } finally {
      removeJob(second);
    }
  });

  it('mints afresh when the cached token expires within min_token_lifetime, or has expired', async () => {
    fake.tokenLifetimeSeconds = 300;
    const saved = await job({ ...USER_CREDENTIALS(), min_token_lifetime: '60' });
    assert.equal(cache.entries.length, 1, saved.main.stdout);
    const soon = await job(USER_CREDENTIALS());
    assert.equal(soon.main.outputs.cache_hit, 'false');
    assert.match(soon.main.stdout, /::debug::Ignoring the cache entry gemini-auth-v1-\w+-\d+: its token expires in \d+s, sooner than min_token_lifetime \(600s\)/);
    assert.equal(fake.count('token'), 2);
    assert.match(soon.main.stdout, /Not caching the token: it lives \d+s, less than min_token_lifetime \(600s\)/);
    assert.equal(cache.entries.length, 1, 'nor is a token saved that no job like this one could reuse');

    fake.tokenLifetimeSeconds = 1;
    const other = { credentials_json: JSON.stringify(fake.addUser({ quotaProjectId: 'gemini-project' }).json), min_token_lifetime: '0' };
    assert.equal((await job(other)).main.code, 0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await job(other);
    assert.equal(expired.main.outputs.cache_hit, 'false');
    assert.match(expired.main.stdout, /::debug::Ignoring the cache entry \S+: its token has expired/);
    assert.equal(fake.count('token'), 4);
  });

  it('never uses an entry whose ciphertext was altered', async () => {
    assert.equal((await job(USER_CREDENTIALS())).main.code, 0);
    const [entry] = cache.entries;
    assert.ok(entry);
    // One bit of the ciphertext, in an archive that stays whole.
    cache.tamper(entry.key, () => entryFile(entry).rewrite((content) => content.writeUInt8(content.readUInt8(content.length - 1) ^ 0x01, content.length - 1)));
    const run = await job(USER_CREDENTIALS());
    assert.equal(run.main.code, 0, run.main.stdout);
    assert.equal(run.main.outputs.cache_hit, 'false');
    assert.match(run.main.stdout, /::debug::Ignoring the cache entry \S+: it does not decrypt with these credentials/);
    assert.deepEqual(run.main.warnings, []);
    assert.equal(fake.count('token'), 2);
  });

  it('keeps the entries of other credentials and other keys apart: under another key, and unreadable if put under this one', async () => {
    // A directly federated token lives as long as the OIDC token (5 minutes): reuse it down to one minute.
    const inputs = (key: string): Record<string, string> => ({ workload_identity_provider: provider.name, cache_encryption_key: key, min_token_lifetime: '60' });
    assert.equal((await job(inputs(KEY))).main.code, 0);
    assert.equal((await job(inputs(OTHER_KEY))).main.code, 0);
    const other = fake.addUser({ quotaProjectId: 'gemini-project' });
    assert.equal((await job({ credentials_json: JSON.stringify(other.json) })).main.code, 0);
    const [ours, theirs, others] = cache.entries;
    assert.ok(ours && theirs && others);
    const prefix = (entry: FakeEntry): string => entry.key.replace(/\d+$/, '');
    assert.equal(new Set([ours, theirs, others].map(prefix)).size, 3, 'each identity has its own prefix');

    for (const foreign of [theirs, others]) {
      // Newest under our prefix: the lookup finds it first.
      cache.addEntry({ key: `${prefix(ours)}9999999999`, version: ours.version, data: foreign.data });
      fake.requests.length = 0;
      const run = await job(inputs(KEY));
      assert.equal(run.main.outputs.cache_hit, 'false');
      assert.match(run.main.stdout, /::debug::Ignoring the cache entry \S+9999999999: it does not decrypt with these credentials/);
      assert.equal(fake.count('sts'), 1, 'a fresh token instead');
    }
  });

  it('shares one workload identity token between jobs with cache_encryption_key', async () => {
    const inputs = { workload_identity_provider: provider.name, cache_encryption_key: KEY, min_token_lifetime: '60' };
    const first = await job(inputs);
    fake.requests.length = 0;
    const second = await job(inputs);
    assert.equal(second.main.outputs.cache_hit, 'true');
    assert.equal(second.main.outputs.access_token, first.main.outputs.access_token);
    assert.deepEqual(fake.requests, [], 'no request to Google, nor for an OIDC token');
    assert.equal(second.file?.content.type, 'external_account', 'the ADC file is still written');
  });

  it('keeps the member a federated token acts as: a cache hit names it in a Vertex AI grant', async () => {
    const inputs = { workload_identity_provider: provider.name, cache_encryption_key: KEY, min_token_lifetime: '60', gemini_api: 'vertex', project_id: 'cached-vertex', verify: 'true' };
    const first = await job(inputs);
    assert.equal(first.main.code, 0, first.main.stdout);
    const second = await job({ ...inputs, verify_model: 'gemini-2.5-flash' });
    assert.equal(second.main.outputs.cache_hit, undefined, 'the step failed before its outputs');
    assert.equal(fake.count('sts'), 1, 'the second job took the cached token');
    assert.ok(failure(second.main).includes(`--member="${fake.principalSetForRepository(provider, 'octo-org/octo-repo')}"`), second.main.stdout);
  });

  it('refuses workload identity without cache_encryption_key, or with a short one, before any request', async () => {
    const refused = await job({ workload_identity_provider: provider.name });
    const message = failure(refused.main);
    assert.match(message, /The token cache needs the input cache_encryption_key with workload identity/);
    assert.match(message, /forks can read the base branch's cache/);
    assert.match(message, /Fix: Create a random key with `openssl rand -base64 32 \| gh secret set GEMINI_AUTH_CACHE_KEY`/);
    const short = await job({ workload_identity_provider: provider.name, cache_encryption_key: 'hunter2' }, { secrets: ['hunter2'] });
    assert.match(failure(short.main), /cache_encryption_key is shorter than 16 characters/);
    assert.deepEqual(fake.requests, []);
    assert.deepEqual(cache.requests, []);
  });

  it('takes a denied write (an untrusted trigger) as a warning', async () => {
    cache.readOnly = true;
    const run = await job(USER_CREDENTIALS());
    assert.equal(run.main.code, 0, run.main.stdout);
    assert.equal(run.main.outputs.cache_hit, 'false');
    assert.deepEqual(run.main.errors, []);
    assert.equal(run.main.warnings.length, 1);
    assert.match(run.main.warnings[0] ?? '', /Failed to save: .*cache write denied/);
    assert.equal(cache.entries.length, 0);
  });

  it('mints as usual when the cache service is down, or there is none, or no tar', async () => {
    cache.down = true;
    const down = await job(USER_CREDENTIALS());
    assert.equal(down.main.code, 0, down.main.stdout);
    assert.deepEqual(down.main.errors, []);
    assert.ok(down.main.warnings.length <= 1, down.main.warnings.join('\n'));
    cache.down = false;

    const none = await job(USER_CREDENTIALS(), { env: { ACTIONS_RESULTS_URL: '' } });
    assert.equal(none.main.code, 0);
    assert.deepEqual(none.main.warnings, ['cache is true, but this job has no Actions cache service (GitHub Enterprise Server without it, or a run outside GitHub Actions): minting a fresh token.']);

    const noTar = await job(USER_CREDENTIALS(), { env: { PATH: '/nonexistent' } });
    assert.equal(noTar.main.code, 0, noTar.main.stdout);
    assert.deepEqual(noTar.main.errors, []);
    assert.ok(noTar.main.warnings.every((warning) => /tar/.test(warning)), noTar.main.warnings.join('\n'));
    assert.equal(fake.count('token'), 3);
    for (const run of [down, none, noTar]) assert.equal(run.main.outputs.cache_hit, 'false');
  });

  it('gives a slow cache lookup a few seconds, then mints within the whole timeout, and does not wait for the cache to finish', async () => {
    cache.inject('GetCacheEntryDownloadURL', { delayMs: 8000 });
    const run = await job({ ...USER_CREDENTIALS(), timeout: '3' });
    assert.equal(run.main.code, 0, run.main.stdout);
    assert.equal(run.main.outputs.cache_hit, 'false');
    assert.deepEqual(run.main.warnings, ['The Actions cache did not answer within 5 s: minting a fresh token, and not saving it to the cache.']);
    assert.equal(fake.count('token'), 1, 'the timeout of the requests to Google starts after the cache had its turn');
    assert.ok(run.main.durationMs < 7500, `the step took ${run.main.durationMs} ms: it waited for the cache`);
    assert.equal(cache.twirpCalls('CreateCacheEntry').length, 0, 'a cache that slow is not asked to save');
  });

  it('saves after the outputs are written, and gives up on a slow save after a few seconds without failing', async () => {
    cache.inject('CreateCacheEntry', { delayMs: 40_000 });
    const run = await job(USER_CREDENTIALS());
    assert.equal(run.main.code, 0, run.main.stdout);
    assert.ok(fake.issuedTokens.has(run.main.outputs.access_token ?? ''), 'the outputs are there');
    assert.equal(run.main.exportedEnv.GOOGLE_APPLICATION_CREDENTIALS, run.main.outputs.credentials_file_path);
    assert.match(run.main.summary, /gemini-auth/);
    assert.deepEqual(run.main.warnings, ['The Actions cache did not take the token within 10 s: the step ends without waiting for it.']);
    assert.deepEqual(run.main.errors, []);
    assert.ok(run.main.durationMs < 13_000, `the step took ${run.main.durationMs} ms`);
    assert.deepEqual(run.leftovers, [], 'the post step still removes everything');
  });

  it('keeps the cache SDK out of the main bundle and loads it only with cache: true', async () => {
    const chunks = readdirSync(join(DIST, 'main')).filter((name) => /^\d+\.index\.js$/.test(name));
    const cacheChunks = chunks.filter((name) => readFileSync(join(DIST, 'main', name), 'utf8').includes('CacheService'));
    assert.ok(cacheChunks.length > 0, 'a chunk holds @actions/cache');
    const main = readFileSync(join(DIST, 'main', 'index.js'), 'utf8');
    assert.ok(!main.includes('CacheService') && !main.includes('@azure'), 'the main bundle does not');
    const dir = await makeTempDir();
    try {
      const loaded = async (inputs: Record<string, string>, name: string): Promise<string[]> => {
        const file = join(dir, name);
        await runAction(fake, { ...USER_CREDENTIALS(), ...inputs }, { env: { ...cache.env, ...traceLoads(file) } });
        return readFileSync(file, 'utf8').split('\n').filter((url) => cacheChunks.some((chunk) => url.endsWith(`/dist/main/${chunk}`)));
      };
      assert.deepEqual(await loaded({}, 'without'), [], 'no cache chunk without cache: true');
      assert.ok((await loaded({ cache: 'true' }, 'with')).length > 0, 'the chunk with cache: true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
