// The refresh lock across real processes: of many callers at once, one refreshes;
// a lock whose holder died, or that is older than any refresh can take, is taken over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ActionError } from '../../src/errors.ts';
import { lockIsTaken, refreshOnce, withRefreshLock } from '../../src/files/refresh-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'gemini-auth-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A URL: an import of a Windows path (C:\...) takes it for a URL of the scheme c:.
const MODULE = new URL('../../src/files/refresh-lock.ts', import.meta.url).href;

/** A process that reads `value` or else "refreshes" it (appending to `log`, taking 50 ms) under the lock. */
function caller(value: string, log: string): Promise<string> {
  const script = `
    import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
    import { refreshOnce } from ${JSON.stringify(MODULE)};
    const read = () => { try { return readFileSync(${JSON.stringify(value)}, 'utf8') || undefined; } catch { return undefined; } };
    const got = await refreshOnce(${JSON.stringify(`${value}.lock`)}, read, async () => {
      appendFileSync(${JSON.stringify(log)}, 'refresh\\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      writeFileSync(${JSON.stringify(value)}, 'fresh');
      return 'fresh';
    });
    process.stdout.write(got);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`caller exited ${code}`))));
  });
}

describe('refreshOnce', () => {
  it('lets one of ten processes refresh; the other nine read what it stored', async () => {
    const value = join(dir, 'value');
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const results = await Promise.all(Array.from({ length: 10 }, () => caller(value, log)));
    assert.deepEqual(results, Array(10).fill('fresh'));
    assert.equal(readFileSync(log, 'utf8'), 'refresh\n', 'exactly one refresh');
    assert.equal(existsSync(`${value}.lock`), false, 'the lock is released');
  });

  it('does not take the lock when the value is there', async () => {
    const lock = join(dir, 'unused.lock');
    assert.equal(await refreshOnce(lock, () => 'kept', () => Promise.reject(new Error('no refresh'))), 'kept');
    assert.equal(existsSync(lock), false);
  });
});

describe('withRefreshLock', () => {
  it('takes over a lock whose holder is no longer running', async () => {
    const lock = join(dir, 'dead.lock');
    // A process id that cannot be running: above the kernel's limit.
    writeFileSync(lock, `4194305 ${hostname().replace(/\s/g, '')} abcdef`);
    const started = Date.now();
    assert.equal(await withRefreshLock(lock, async () => 'ran', { staleMs: 60_000 }), 'ran');
    assert.ok(Date.now() - started < 1000, 'without waiting for it to grow stale');
    assert.equal(existsSync(lock), false);
  });

  it('takes over a lock older than staleMs, even of a running process', async () => {
    const lock = join(dir, 'old.lock');
    writeFileSync(lock, `${process.pid} ${hostname().replace(/\s/g, '')} abcdef`);
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    assert.equal(await withRefreshLock(lock, async () => 'ran', { staleMs: 5_000 }), 'ran');
  });

  it('waits while a running process holds the lock, and never judges another machine by its process ids', async () => {
    const lock = join(dir, 'held.lock');
    writeFileSync(lock, '4194305 another-machine abcdef');
    setTimeout(() => rmSync(lock), 200);
    const started = Date.now();
    await withRefreshLock(lock, async () => undefined, { staleMs: 60_000 });
    assert.ok(Date.now() - started >= 190, 'it waited for the holder to let go');
  });

  it('releases the lock when the action fails, and names the folder it cannot write to', async () => {
    const lock = join(dir, 'fails.lock');
    await assert.rejects(withRefreshLock(lock, async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(existsSync(lock), false);
    await assert.rejects(withRefreshLock(join(dir, 'missing', 'x.lock'), async () => undefined), /Cannot create the lock file .*missing.*\(ENOENT\)/);
  });
});

describe('withRefreshLock, when the lock can never be created', () => {
  it('gives up with a clear error after twice the stale time, instead of trying forever', async () => {
    // A folder where the lock file goes: every exclusive create fails, and it has no holder to wait for or take over.
    const lockPath = join(dir, 'blocked.lock');
    mkdirSync(lockPath);
    const started = Date.now();
    await assert.rejects(
      withRefreshLock(lockPath, async () => 'never', { staleMs: 100 }),
      (error: unknown) => error instanceof ActionError && /Cannot take the lock file .*blocked\.lock/.test(error.message) && !!error.fix,
    );
    assert.ok(Date.now() - started < 2000, 'within twice the stale time and a margin');
  });
});

describe('lockIsTaken', () => {
  it('reads EEXIST as taken everywhere, and EPERM as taken on Windows only, where a lock being deleted keeps its name for a moment', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) assert.equal(lockIsTaken('EEXIST', platform), true, platform);
    assert.equal(lockIsTaken('EPERM', 'win32'), true);
    assert.equal(lockIsTaken('EPERM', 'linux'), false);
    assert.equal(lockIsTaken('EACCES', 'win32'), false);
    assert.equal(lockIsTaken(undefined, 'win32'), false);
  });
});
