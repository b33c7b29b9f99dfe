// Benchmarks the built action as the runner runs it: each flow many times
// against the loopback fake of Google, beside a bare Node start as the floor.
// Prints three Markdown tables:
// - start-up on loopback: median and p95 wall time, peak RSS and requests per run;
// - under the runner latency model (40 ms a request, 80 ms a new connection, one host
//   per service), each flow beside its own floor, a bare `node` making the same
//   requests through the same latency, measured A/B in turns: the ratio is the figure;
// - the same flows at zero latency;
// and the bundle sizes.
// Usage: npm run bench  (BENCH_RUNS=N to change the number of runs, default 30)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, MAIN, POST } from '../test/support/action.ts';
import { startFakeCache } from '../test/support/fake-cache.ts';
import { startFakeGoogle, type FakeGoogle } from '../test/support/fake-google.ts';
import { NO_LATENCY, RUNNER_LATENCY, startLatencyLayer, type LatencyLayer, type LatencyModel } from '../test/support/latency.ts';
import { runStep, type StepOptions, type StepResult } from '../test/support/runner.ts';
import { measurePaired, pairedTable, percentile, type PairedFlow, type PairedRow, type Step } from './paired.ts';

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
const user = fake.addUser({ quotaProjectId: 'bench-project' });
const key = fake.addServiceAccountKey({ email: 'bench-key@bench-project.iam.gserviceaccount.com' });
const provider = fake.addProvider();
const SA = 'bench@bench-project.iam.gserviceaccount.com';
fake.grantTokenCreator(SA, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
const base = { endpoints: fake.endpointsInput };
const main = (inputs: Record<string, string>, env: Record<string, string> = {}) => async () => ({ script: MAIN, options: { inputs: { ...base, ...inputs }, env } });

const TOKEN_COMMAND = join(DIST, 'token', 'index.js');
/** The CLI of issue 12 (`gemini-auth`), once it is built. */
const CLI = join(DIST, 'cli', 'index.js');
const FLOOR = fileURLToPath(new URL('./floor.mjs', import.meta.url));
/** The floor's plan for `count` sequential GETs of a small loopback answer. */
const getsPlan = (count: number): string => JSON.stringify(Array.from({ length: count }, () => [{ method: 'GET', url: `${fake.url}/github/.well-known/jwks`, headers: {} }]));
const fakeCache = await startFakeCache();
const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));

/** Runs the main step once, untimed, and returns the token command's state folder it made. */
async function setUpTokenFolder(inputs: Record<string, string>, env: Record<string, string> = {}, endpoints = base.endpoints): Promise<string> {
  const result = await runStep(MAIN, { inputs: { endpoints, ...inputs }, env, runnerTemp });
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
  { name: 'bare node (floor)', prepare: async () => ({ script: FLOOR, options: {} }) },
  ...[1, 3].map((count) => ({
    name: `bare node + ${count} loopback request${count > 1 ? 's' : ''}`,
    prepare: async () => ({ script: FLOOR, options: { env: { BENCH_PLAN: getsPlan(count) } } }),
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
  { name: 'post', prepare: async () => postStep() },
];

function postStep(): Step {
  // The state the main step saves: a path with the identity it had when made (here one that is gone, as after a removal).
  const owned = { path: join(scratch, 'gemini-auth-0.json'), dev: '0', ino: '0', removal: 'file' };
  return { script: POST, options: { state: { cleanup_paths: JSON.stringify([owned]) } } };
}

/** A paired flow's step whose untimed set-up runs once per latency layer, before its first run. */
function oncePerLayer<T>(setUp: (layer: LatencyLayer) => Promise<T>, step: (value: T, layer: LatencyLayer) => Step): PairedFlow['step'] {
  const values = new Map<LatencyLayer, Promise<T>>();
  return async (layer) => {
    if (!values.has(layer)) values.set(layer, setUp(layer));
    return step(await values.get(layer)!, layer);
  };
}

/** `gemini-auth token` with a still-valid cached token: the first call, untimed, fills the cache. */
async function primeCli(layer: LatencyLayer): Promise<Step> {
  const dir = mkdtempSync(join(scratch, 'cli-'));
  const credentials = join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify(user.json), { mode: 0o600 });
  const step: Step = {
    script: CLI,
    options: { args: ['token', '--cache-dir', join(dir, 'cache'), '--credentials-file', credentials], env: { GEMINI_AUTH_ENDPOINTS: layer.endpointsInput } },
  };
  const first = await runStep(step.script, step.options);
  if (first.code !== 0 || first.stdout.trim() === '') throw new Error(`gemini-auth token failed: ${first.stderr}`);
  return step;
}

/** The flows measured against their own floors, with their targets: the main step's applies under the runner latency model only. */
function pairedFlows(model: LatencyModel): PairedFlow[] {
  const step = (inputs: Record<string, string>, oidc = false): PairedFlow['step'] => async (layer) => ({
    script: MAIN,
    options: { inputs: { endpoints: layer.endpointsInput, ...inputs }, env: oidc ? layer.oidcEnv : {} },
  });
  const credentials = { credentials_json: JSON.stringify(user.json) };
  const wif = { workload_identity_provider: provider.name };
  return [
    { name: 'main: authorized_user', step: step(credentials), stages: [['token']] },
    { name: 'main: authorized_user + verify', step: step({ ...credentials, verify: 'true' }), stages: [['token'], ['tokeninfo', 'models']] },
    { name: 'main: workload identity', step: step(wif, true), stages: [['oidc'], ['sts']] },
    {
      name: 'main: workload identity + impersonation',
      step: step({ ...wif, service_account: SA }, true),
      stages: [['oidc'], ['sts'], ['iamcredentials']],
      ...(model === RUNNER_LATENCY ? { target: 1.1 } : {}),
    },
    { name: 'main: service_account key', step: step({ credentials_json: JSON.stringify(key.json) }), stages: [['token']] },
    { name: 'post', step: async () => postStep(), stages: [], target: 1.25 },
    {
      name: 'token command: still-valid token',
      step: oncePerLayer((layer) => setUpTokenFolder(credentials, {}, layer.endpointsInput), (folder) => ({ script: TOKEN_COMMAND, options: { args: ['--state', folder] } })),
      stages: [],
    },
    {
      name: 'cli: gemini-auth token, cached token',
      step: existsSync(CLI) ? oncePerLayer(primeCli, (cli) => cli) : async () => undefined,
      stages: [],
      target: 1.3,
    },
  ];
}

const rows: Row[] = [];
for (const flow of flows) rows.push(await measure(fake, flow));

const paired: [string, LatencyModel, PairedRow[]][] = [
  ['under the runner latency model: 40 ms a request, 80 ms a new connection, one host per service', RUNNER_LATENCY, []],
  ['at zero latency, one host per service', NO_LATENCY, []],
];
for (const [, model, pairedRows] of paired) {
  const layer = await startLatencyLayer(fake, model);
  for (const flow of pairedFlows(model)) pairedRows.push(await measurePaired(flow, fake, layer, RUNS));
  await layer.close();
}

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
for (const [title, , pairedRows] of paired) {
  console.log(`\nEach flow beside its floor, ${title}: the floor is a bare \`node\` making the same requests through the same hosts with Node's default agent, the requests of one stage together (${RUNS} runs each, step and floor back to back, taking turns to go first; × floor is the median of the runs' step ÷ floor).\n`);
  console.log(pairedTable(pairedRows));
}
console.log('\n| bundle file | KiB |');
console.log('|---|---:|');
for (const dir of readdirSync(DIST)) {
  for (const file of readdirSync(join(DIST, dir)).filter((name) => name.endsWith('.js'))) {
    const path = join(DIST, dir, file);
    console.log(`| dist/${relative(DIST, path)} | ${(statSync(path).size / 1024).toFixed(1)} |`);
  }
}
