// Benchmarks the built action as the runner runs it: each flow many times
// against the loopback fake of Google, beside a bare Node start as the floor.
// Prints median and p95 wall time, peak RSS, requests per run, and bundle sizes.
// Usage: npm run bench  (BENCH_RUNS=N to change the number of runs, default 30)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, MAIN, POST } from '../test/support/action.ts';
import { startFakeCache } from '../test/support/fake-cache.ts';
import { startFakeGoogle, type FakeGoogle } from '../test/support/fake-google.ts';
import { runStep, type StepOptions, type StepResult } from '../test/support/runner.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const scratch = mkdtempSync(join(tmpdir(), 'gemini-auth-bench-'));
const rssFile = join(scratch, 'rss');
const preload = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

interface Flow {
  name: string;
  /** The run is meant to fail (it measures loading alone). */
  failing?: boolean;
  /** Prepares one run (fresh state where a run would change it) and returns the step to time. */
  prepare: (fake: FakeGoogle) => Promise<{ script: string; options: StepOptions }>;
}

interface Row {
  name: string;
  median: number;
  p95: number;
  rssMiB: number;
  requests: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(fake: FakeGoogle, flow: Flow): Promise<Row> {
  const times: number[] = [];
  let requests = 0;
  writeFileSync(rssFile, '');
  for (let run = 0; run < RUNS; run++) {
    const { script, options } = await flow.prepare(fake);
    const before = fake.requests.length;
    const result: StepResult = await runStep(script, { ...options, env: { ...options.env, NODE_OPTIONS: `--import=${preload}`, BENCH_RSS_FILE: rssFile } });
    if ((result.code !== 0) !== Boolean(flow.failing)) throw new Error(`${flow.name} failed: ${result.errors.join(' ') || result.stderr}`);
    times.push(result.durationMs);
    requests = fake.requests.length - before;
  }
  const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
  times.sort((a, b) => a - b);
  return { name: flow.name, median: percentile(times, 50), p95: percentile(times, 95), rssMiB: Math.max(...rss) / 1024, requests };
}

const fake = await startFakeGoogle();
const empty = join(scratch, 'empty.mjs');
writeFileSync(empty, '');
const user = fake.addUser({ quotaProjectId: 'bench-project' });
const key = fake.addServiceAccountKey({ email: 'bench-key@bench-project.iam.gserviceaccount.com' });
const provider = fake.addProvider();
const SA = 'bench@bench-project.iam.gserviceaccount.com';
fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
const base = { endpoints: fake.endpointsInput };
const main = (inputs: Record<string, string>, env: Record<string, string> = {}) => async () => ({ script: MAIN, options: { inputs: { ...base, ...inputs }, env } });

const TOKEN_COMMAND = join(DIST, 'token', 'index.js');
const REQUESTS_FLOOR = fileURLToPath(new URL('./requests.mjs', import.meta.url));
const fakeCache = await startFakeCache();
const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));

/** Runs the main step once, untimed, and returns the token command's state folder it made. */
async function setUpTokenFolder(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<string> {
  const result = await runStep(MAIN, { inputs: { ...base, ...inputs }, env, runnerTemp });
  const bin = result.addedPath[0];
  if (result.code !== 0 || !bin) throw new Error(`setting up the token command failed: ${result.errors.join(' ')}`);
  return dirname(bin);
}

/** A flow whose untimed set-up runs once, before its first timed run. */
function once<T>(setUp: () => Promise<T>, step: (value: T) => { script: string; options: StepOptions }): Flow['prepare'] {
  let value: Promise<T> | undefined;
  return async () => step(await (value ??= setUp()));
}

const cacheInputs = { credentials_json: JSON.stringify(user.json), cache: 'true' };
const flows: Flow[] = [
  { name: 'bare node (floor)', prepare: async () => ({ script: empty, options: {} }) },
  ...[1, 3].map((count) => ({
    name: `bare node + ${count} loopback request${count > 1 ? 's' : ''}`,
    prepare: async () => ({ script: REQUESTS_FLOOR, options: { env: { BENCH_URL: `${fake.url}/oauth2/tokeninfo`, BENCH_REQUESTS: String(count) } } }),
  })),
  { name: 'main: invalid input (load only)', failing: true, prepare: async () => ({ script: MAIN, options: { inputs: { retries: 'x' } } }) },
  { name: 'main: authorized_user', prepare: main({ credentials_json: JSON.stringify(user.json) }) },
  { name: 'main: authorized_user + verify', prepare: main({ credentials_json: JSON.stringify(user.json), verify: 'true' }) },
  { name: 'main: service_account key', prepare: main({ credentials_json: JSON.stringify(key.json) }) },
  { name: 'main: workload identity', prepare: main({ workload_identity_provider: provider.name }, fake.oidcEnv) },
  { name: 'main: workload identity + impersonation', prepare: main({ workload_identity_provider: provider.name, service_account: SA }, fake.oidcEnv) },
  {
    name: 'main: cache hit (authorized_user)',
    prepare: once(
      () => runStep(MAIN, { inputs: { ...base, ...cacheInputs }, env: fakeCache.env, runnerTemp }),
      () => ({ script: MAIN, options: { inputs: { ...base, ...cacheInputs }, env: fakeCache.env } }),
    ),
  },
  {
    name: 'token command: still-valid token',
    prepare: once(
      () => setUpTokenFolder({ credentials_json: JSON.stringify(user.json) }),
      (folder) => ({ script: TOKEN_COMMAND, options: { args: ['--state', folder] } }),
    ),
  },
  {
    name: 'token command: refresh (authorized_user)',
    prepare: once(
      () => setUpTokenFolder({ credentials_json: JSON.stringify(user.json) }),
      // A lifetime floor above the token's own hour makes every call refresh.
      (folder) => ({ script: TOKEN_COMMAND, options: { args: ['--state', folder, '--min-lifetime', '4000'] } }),
    ),
  },
  { name: 'post', prepare: async () => ({ script: POST, options: { state: { cleanup_paths: JSON.stringify([join(scratch, 'gemini-auth-0.json')]) } } }) },
];

const rows: Row[] = [];
for (const flow of flows) rows.push(await measure(fake, flow));

await fake.close();
await fakeCache.close();
rmSync(scratch, { recursive: true, force: true });

const floor = rows[0]?.median ?? NaN;
// What requests cost a bare process: the first one loads node:http; each further one is a round trip.
const firstRequest = (rows[1]?.median ?? NaN) - floor;
const furtherRequest = ((rows[2]?.median ?? NaN) - (rows[1]?.median ?? NaN)) / 2;
const requestsCost = (count: number): number => (count > 0 ? firstRequest + (count - 1) * furtherRequest : 0);
console.log(`\n${RUNS} runs each, Node ${process.version}, ${process.platform}/${process.arch}; wall time from spawn to exit, as the runner sees it.\n`);
// The target of a row: 1.5 × the floor, plus what its requests cost a bare process (the HTTP stack's load and the round trips).
console.log(`Requests cost a bare process ${firstRequest.toFixed(1)} ms for the first (loading node:http) and ${furtherRequest.toFixed(1)} ms for each further one.`);
console.log('The target of a row is 1.5 × the floor once its requests are taken off (the column "− requests").\n');
console.log('| flow | median ms | p95 ms | × floor | − requests, × floor | peak RSS MiB | requests |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const withoutRequests = row.name.startsWith('bare') ? row.median / floor : (row.median - requestsCost(row.requests)) / floor;
  console.log(`| ${row.name} | ${row.median.toFixed(1)} | ${row.p95.toFixed(1)} | ${(row.median / floor).toFixed(2)} | ${withoutRequests.toFixed(2)} | ${row.rssMiB.toFixed(1)} | ${row.requests} |`);
}
console.log('\n| bundle file | KiB |');
console.log('|---|---:|');
for (const dir of readdirSync(DIST)) {
  for (const file of readdirSync(join(DIST, dir)).filter((name) => name.endsWith('.js'))) {
    const path = join(DIST, dir, file);
    console.log(`| dist/${relative(DIST, path)} | ${(statSync(path).size / 1024).toFixed(1)} |`);
  }
}
