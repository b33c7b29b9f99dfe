// A/B measurement of a step against its own floor, under a latency model: the step,
// then a bare `node` (floor.mjs) making the same requests through the same layer, run
// after run, alternating which goes first so that neither gains from the order.
import { fileURLToPath } from 'node:url';
import type { Endpoint, FakeGoogle, RecordedRequest } from '../test/support/fake-google.ts';
import type { LatencyLayer } from '../test/support/latency.ts';
import { runStep, type StepOptions } from '../test/support/runner.ts';

const FLOOR = fileURLToPath(new URL('./floor.mjs', import.meta.url));

export interface Step {
  script: string;
  options: StepOptions;
}

export interface PairedFlow {
  name: string;
  /** The step of one run, reaching Google through `layer`; undefined when there is nothing to run (not built). */
  step: (layer: LatencyLayer) => Promise<Step | undefined>;
  /**
   * What the protocol lets go together: the floor sends the step's requests to the
   * endpoints of one stage at once, and the stages one after another. [] for a step
   * that makes no request, whose floor is a bare `node` start.
   */
  stages: Endpoint[][];
  /** The most the step may cost, as a multiple of its floor. */
  target?: number;
}

export interface PairedRow {
  name: string;
  /** Median and p95 of the step, median of its floor, in ms; undefined when the step is not built. */
  median?: number;
  p95?: number;
  floor?: number;
  /** The median over the runs of step ÷ floor of the same run: each pair ran back to back, so load that comes and goes cancels out. */
  ratio?: number;
  requests: number;
  /** New connections per run: the step's, the floor's. */
  connections: [number, number];
  target?: number;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The floor's plan: the requests of one run of the step, replayed as they were sent, grouped into the flow's stages. */
function floorPlan(flow: PairedFlow, recorded: RecordedRequest[], layer: LatencyLayer): Step['options'] {
  const replay = ({ method, path, query, headers, body }: RecordedRequest) => {
    const search = new URLSearchParams(query).toString();
    // The floor's own agent sets host and connection, as the step's did.
    const { host: _host, connection: _connection, ...kept } = headers;
    return { method, url: `${layer.urlOf(path)}${search ? `?${search}` : ''}`, headers: kept, body };
  };
  const plan = flow.stages.map((stage) => recorded.filter((request) => stage.includes(request.endpoint)).map(replay));
  const planned = plan.flat().length;
  if (planned !== recorded.length) {
    throw new Error(`${flow.name}: the step made ${recorded.map((request) => request.endpoint).join(', ') || 'no request'}, which the stages ${JSON.stringify(flow.stages)} do not cover`);
  }
  return { env: { BENCH_PLAN: JSON.stringify(plan) } };
}

/** Times one run and counts what it cost: requests at the fake, new connections at the layer. */
async function timed(step: Step, fake: FakeGoogle, layer: LatencyLayer, what: string): Promise<{ ms: number; requests: RecordedRequest[]; connections: number }> {
  const requestsBefore = fake.requests.length;
  const connectionsBefore = layer.connections;
  const result = await runStep(step.script, step.options);
  if (result.code !== 0) throw new Error(`${what} failed: ${result.errors.join(' ') || result.stderr || result.stdout}`);
  return { ms: result.durationMs, requests: fake.requests.slice(requestsBefore), connections: layer.connections - connectionsBefore };
}

export async function measurePaired(flow: PairedFlow, fake: FakeGoogle, layer: LatencyLayer, runs: number): Promise<PairedRow> {
  const row: PairedRow = { name: flow.name, requests: 0, connections: [0, 0], ...(flow.target ? { target: flow.target } : {}) };
  // One untimed run: it warms the caches and records the requests the floor replays.
  const first = await flow.step(layer);
  if (!first) return row;
  const calibration = await timed(first, fake, layer, flow.name);
  const floor: Step = flow.stages.length === 0 ? { script: FLOOR, options: {} } : { script: FLOOR, options: floorPlan(flow, calibration.requests, layer) };
  row.requests = calibration.requests.length;

  const times: number[] = [];
  const floorTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const step = await flow.step(layer);
    if (!step) throw new Error(`${flow.name} went away during the benchmark`);
    const measureStep = async (): Promise<void> => {
      const { ms, requests, connections } = await timed(step, fake, layer, flow.name);
      if (requests.length !== row.requests) throw new Error(`${flow.name} made ${requests.length} requests in one run and ${row.requests} in another`);
      times.push(ms);
      row.connections[0] = connections;
    };
    const measureFloor = async (): Promise<void> => {
      const { ms, connections } = await timed(floor, fake, layer, `the floor of ${flow.name}`);
      floorTimes.push(ms);
      row.connections[1] = connections;
    };
    if (run % 2 === 0) {
      await measureStep();
      await measureFloor();
    } else {
      await measureFloor();
      await measureStep();
    }
  }
  const ratios = times.map((ms, run) => ms / (floorTimes[run] ?? NaN)).sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  floorTimes.sort((a, b) => a - b);
  return { ...row, median: percentile(times, 50), p95: percentile(times, 95), floor: percentile(floorTimes, 50), ratio: percentile(ratios, 50) };
}

/** The Markdown table of paired rows. */
export function pairedTable(rows: PairedRow[]): string {
  const lines = [
    '| flow | median ms | p95 ms | floor ms | × floor | target | requests | new connections (step / floor) |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const row of rows) {
    const { median, p95, floor, ratio } = row;
    if (median === undefined || p95 === undefined || floor === undefined || ratio === undefined) {
      lines.push(`| ${row.name} | not built | | | | ${row.target ? `≤ ${row.target.toFixed(2)}` : ''} | | |`);
      continue;
    }
    const target = row.target ? `≤ ${row.target.toFixed(2)} ${ratio <= row.target ? 'met' : 'missed'}` : '';
    lines.push(`| ${row.name} | ${median.toFixed(1)} | ${p95.toFixed(1)} | ${floor.toFixed(1)} | ${ratio.toFixed(2)} | ${target} | ${row.requests} | ${row.connections[0]} / ${row.connections[1]} |`);
  }
  return lines.join('\n');
}
