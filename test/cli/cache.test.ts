// The token cache of `gemini-auth token`: a hit makes no request and loads
// nothing but the CLI's entry bundle; a miss, an expiry or a broken file mints
// again; different credentials or settings never share a token; the files are
// private; ten parallel calls make one refresh request.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CLI, cliFailure, printedToken, runCli, type CliOptions } from '../support/cli.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider, type FakeUser } from '../support/fake-google.ts';
import { traceLoads } from '../support/job.ts';
import { reportedMode, WINDOWS } from '../support/platform.ts';

const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';
let fake: FakeGoogle;
let user: FakeUser;
let provider: FakeProvider;
let dir: string;
let credentials: string;
let home: string;

before(async () => {
  fake = await startFakeGoogle();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  provider = fake.addProvider({ issuer: 'https://gitlab.com' });
  fake.grantTokenCreator(TARGET, user.email);
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-cache-'));
  credentials = join(dir, 'user.json');
  writeFileSync(credentials, JSON.stringify(user.json), { mode: 0o600 });
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  // A HOME of each test's own: the default cache folder is in it.
  home = mkdtempSync(join(dir, 'home-'));
});

/** The default cache folder of a HOME: ~/.cache/gemini-auth, on Windows %LOCALAPPDATA%\gemini-auth (runCli puts it in HOME too). */
const cacheOf = (root: string): string => (WINDOWS ? join(root, 'AppData', 'Local', 'gemini-auth') : join(root, '.cache', 'gemini-auth'));
const entries = (folder: string): string[] => readdirSync(folder).sort();

/** `gemini-auth token` with the test's HOME; the token it printed. */
async function token(args: string[] = [], options: CliOptions = {}): Promise<string> {
  return printedToken(await runCli(fake, ['token', '--credentials-file', credentials, ...args], { home, answer: true, ...options }));
}

describe('the token cache', () => {
  it('a second call with a token that lives long enough makes no request and prints the same token', async () => {
    const first = await token();
    assert.equal(fake.count('token'), 1);
    assert.equal(await token(), first);
    assert.equal(await token(['--min-lifetime', '50m']), first);
    assert.equal(fake.count('token'), 1, 'no request after the first');
  });

  it('keeps one 0600 file in a 0700 folder under ~/.cache (%LOCALAPPDATA% on Windows), named by a keyed hash; no lock is left', async () => {
    const run = await runCli(fake, ['token', '--json', '--credentials-file', credentials], { home, answer: true });
    assert.equal(run.code, 0, run.stderr);
    const printed = run.stdout;
    const folder = cacheOf(home);
    assert.equal(statSync(folder).mode & 0o777, reportedMode(0o700));
    const [name, ...others] = entries(folder);
    assert.deepEqual(others, []);
    assert.match(name ?? '', /^[0-9a-f]{40}\.json$/);
    assert.equal(statSync(join(folder, name ?? '')).mode & 0o777, reportedMode(0o600));
    const kept = JSON.parse(readFileSync(join(folder, name ?? ''), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(kept).sort(), ['access_token', 'auth_type', 'expires_at', 'principal', 'project_id']);
    assert.equal(kept.access_token, (JSON.parse(printed) as Record<string, unknown>).access_token);
    for (const secret of [user.refreshToken, user.clientSecret]) assert.ok(!readFileSync(join(folder, name ?? ''), 'utf8').includes(secret), 'the credentials are not kept');
  });

  it('honours XDG_CACHE_HOME (not on Windows) and --cache-dir (or GEMINI_AUTH_CACHE_DIR)', async () => {
    const xdg = join(dir, 'xdg');
    await token([], { env: { XDG_CACHE_HOME: xdg } });
    if (WINDOWS) {
      // XDG is no Windows convention: the cache stays in %LOCALAPPDATA%.
      assert.ok(!existsSync(xdg), 'nothing under XDG_CACHE_HOME');
      assert.equal(entries(cacheOf(home)).length, 1);
    } else {
      assert.equal(entries(join(xdg, 'gemini-auth')).length, 1);
    }
    const chosen = join(dir, 'chosen');
    await token(['--cache-dir', chosen]);
    await token([], { env: { GEMINI_AUTH_CACHE_DIR: chosen } });
    assert.equal(entries(chosen).length, 1);
    assert.equal(fake.count('token'), 2, 'the second call to the chosen folder was a hit');
  });

  it('never gives one credentials\' or settings\' token to others', async () => {
    const base = await token();
    const other = fake.addUser({ email: 'other@example.com' });
    const otherFile = join(dir, 'other.json');
    writeFileSync(otherFile, JSON.stringify(other.json), { mode: 0o600 });
    const variants = [
      await token(['--scopes', 'https://www.googleapis.com/auth/generative-language']),
      await token(['--service-account', TARGET]),
      await token(['--quota-project-id', 'elsewhere']),
      await token([], { env: { GEMINI_AUTH_ENDPOINTS: `${fake.endpointsInput.replace('oauth2=http://127.0.0.1', 'oauth2=http://localhost')}` } }),
      printedToken(await runCli(fake, ['token', '--credentials-file', otherFile], { home, answer: true })),
    ];
    assert.equal(new Set([base, ...variants]).size, 6, 'each got a token of its own');
    assert.equal(entries(cacheOf(home)).length, 6);
    assert.equal(fake.issuedTokens.get(variants[1] ?? '')?.principal, TARGET);
    assert.equal(fake.issuedTokens.get(variants[4] ?? '')?.principal, 'other@example.com');
  });

  it('keys workload identity tokens by the subject token: a new CI token never gets another job\'s federated token', async () => {
    const federated = async (oidc: string): Promise<string> =>
      // A federated token lives no longer than its subject token (5 minutes here): a lower --min-lifetime takes it.
      printedToken(await runCli(fake, ['token', '--workload-identity-provider', provider.name, '--min-lifetime', '60'], { home, env: { GEMINI_AUTH_OIDC_TOKEN: oidc }, answer: true }));
    const jobA = fake.mintOidcToken({ iss: 'https://gitlab.com', aud: `https://iam.googleapis.com/${provider.name}` });
    const jobB = fake.mintOidcToken({ iss: 'https://gitlab.com', aud: `https://iam.googleapis.com/${provider.name}`, jti: 'job-b' });
    const first = await federated(jobA);
    assert.equal(await federated(jobA), first, 'the same job: a hit');
    assert.notEqual(await federated(jobB), first, 'another job: its own token');
    assert.equal(fake.count('sts'), 2);
  });

  it('refreshes a token with less than --min-lifetime left, and says why the new one will not last either', async () => {
    fake.tokenLifetimeSeconds = 200;
    const first = await token();
    const run = await runCli(fake, ['token', '--credentials-file', credentials], { home, answer: true });
    assert.notEqual(printedToken(run), first);
    assert.equal(fake.count('token'), 2);
    assert.match(run.stderr, /^warning: The new access token expires in (1\d\d|200)s, less than --min-lifetime \(300s\), so the next call mints another\.\n$/);
    assert.equal(await token(['--min-lifetime', '100']), printedToken(run), 'a lower --min-lifetime takes it');
    assert.equal(fake.count('token'), 2);
  });

  it('ignores a broken cache file and replaces it', async () => {
    await token();
    const [name = ''] = entries(cacheOf(home));
    const path = join(cacheOf(home), name);
    for (const junk of ['{"access_token": "ya29.cut', '', '{"access_token": 42}', '[]']) {
      writeFileSync(path, junk);
      const fresh = await token();
      assert.equal((JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>).access_token, fresh, 'replaced by the new token');
    }
    assert.equal(fake.count('token'), 5);
  });

  const openCache = WINDOWS
    ? 'takes its files and folders whatever chmod made of them on Windows, where the ACLs of per-user folders, not mode bits, keep them private'
    : 'ignores a cache file that others could read, and refuses a cache folder others may write to, before any request';
  it(openCache, async () => {
    const first = await token();
    const [name = ''] = entries(cacheOf(home));
    chmodSync(join(cacheOf(home), name), 0o644);
    if (WINDOWS) {
      // chmod only decides the read-only attribute there, and the checks that need mode bits do not run.
      assert.equal(await token(), first, 'the cached token is used');
      for (const [folder, mode] of [['open-cache', 0o777], ['group-cache', 0o775]] as const) {
        mkdirSync(join(dir, folder));
        chmodSync(join(dir, folder), mode);
        await token(['--cache-dir', join(dir, folder)]);
        assert.equal(entries(join(dir, folder)).length, 1, `${folder}: a token cached there`);
      }
      assert.equal(fake.count('token'), 3);
      return;
    }
    await token();
    assert.equal(fake.count('token'), 2, 'not used: it is not private');
    assert.equal(statSync(join(cacheOf(home), name)).mode & 0o777, 0o600, 'replaced by a private one');
    const open = join(dir, 'open-cache');
    mkdirSync(open);
    chmodSync(open, 0o777);
    fake.reset();
    const run = await runCli(fake, ['token', '--credentials-file', credentials, '--cache-dir', open], { home });
    assert.match(cliFailure(run), /The folder \S+open-cache for the token cache is writable by every user and has no sticky bit.* or pass --cache-dir a folder of your own/);
    const shared = join(dir, 'group-cache');
    mkdirSync(shared);
    chmodSync(shared, 0o775);
    const group = await runCli(fake, ['token', '--credentials-file', credentials, '--cache-dir', shared], { home });
    assert.match(cliFailure(group), /The token cache folder \S+group-cache may be written by other users \(mode 775\): they could plant tokens of their own in it\. Fix: Run `chmod go-w/);
    assert.deepEqual(fake.requests, []);
  });

  it('10 parallel calls make one refresh request and print the same token', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, () => runCli(fake, ['token', '--credentials-file', credentials], { home, answer: true })));
    const tokens = new Set(runs.map(printedToken));
    assert.equal(fake.count('token'), 1, `${fake.count('token')} refresh requests`);
    assert.equal(tokens.size, 1);
    assert.deepEqual(entries(cacheOf(home)).filter((name) => !name.endsWith('.json')), [], 'no lock or temporary file left');
  });

  it('in a GitHub Actions step, masks a token that came from the cache', async () => {
    const cached = await token();
    const run = await runCli(fake, ['token', '--credentials-file', credentials], { home, githubActions: true, answer: true });
    assert.equal(printedToken(run), cached);
    assert.deepEqual(run.masks, [cached]);
  });

  it('answers a hit from its entry bundle alone: nothing else is loaded', async () => {
    await token();
    const trace = join(dir, 'loads');
    writeFileSync(trace, '');
    await token([], { env: traceLoads(trace) });
    const fromDist = readFileSync(trace, 'utf8').split('\n').filter((url) => url.includes('/dist/')).map((url) => url.slice(url.indexOf('/dist/') + 1));
    assert.deepEqual(fromDist, ['dist/cli/index.js']);
    const bundle = readFileSync(CLI, 'utf8');
    for (const heavy of ['GoogleAuth', 'gaxios', 'exportVariable', 'maskRawInput', 'listModels']) assert.ok(!bundle.includes(heavy), `the entry bundle holds ${heavy}`);
  });
});
