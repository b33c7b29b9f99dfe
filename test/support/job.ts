// A job around the built action: its main step, `run:` steps that may call the
// gemini-auth-token it put on PATH, and its post step, against a fake Google.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAIN, POST } from './action.ts';
import type { FakeGoogle } from './fake-google.ts';
import { findLeaks, makeTempDir, runJob, type JobStep, type StepResult } from './runner.ts';

const SUPPORT = dirname(fileURLToPath(import.meta.url));
export const SHELL_STEP = join(SUPPORT, 'shell-step.ts');

/** Environment that makes every Node process record the modules it loads in `file` (see trace-loads.ts). */
export function traceLoads(file: string): Record<string, string> {
  // A file URL: --import takes a Windows path (C:\...) for a URL of the scheme c:.
  return { NODE_OPTIONS: `--import=${pathToFileURL(join(SUPPORT, 'trace-loads.ts')).href}`, TRACE_LOADS_FILE: file };
}

export interface TokenJob {
  main: StepResult;
  /** The `run:` steps, in order; null where one was skipped after a failure. */
  runs: (StepResult | null)[];
  post: StepResult | null;
  /** The folder the main step made for gemini-auth-token ('' if it made none). */
  folder: string;
  runnerTemp: string;
}

export interface TokenJobOptions {
  env?: Record<string, string>;
  /** Extra secrets for the leak scan beyond those the fake knows. */
  secrets?: string[];
  /** Leave out the post step (to inspect the folder). */
  skipPost?: boolean;
}

/**
 * Runs main, then each of `runs` as a `run:` step (bash), then post, sharing
 * RUNNER_TEMP (kept for the caller: remove it with `removeJob`), workspace and HOME.
 * Every step is scanned for leaks of every secret the fake knows, except for
 * secrets an earlier step masked: the runner keeps masks for the whole job.
 */
export async function runTokenJob(fake: FakeGoogle, inputs: Record<string, string>, runs: string[], options: TokenJobOptions = {}): Promise<TokenJob> {
  const runnerTemp = await makeTempDir('gemini-auth-runner-temp-');
  const steps: JobStep[] = [
    { script: MAIN, inputs: { endpoints: fake.endpointsInput, ...inputs } },
    ...runs.map((run) => ({ script: SHELL_STEP, env: { STEP_RUN: run } })),
    ...(options.skipPost ? [] : [{ script: POST, inputs: { endpoints: fake.endpointsInput, ...inputs } }]),
  ];
  const env = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1', GCE_METADATA_HOST: fake.hostPort, GCE_METADATA_IP: fake.hostPort, ...options.env };
  const job = await runJob(steps, { env, runnerTemp });
  const [main, ...rest] = job.steps;
  assert.ok(main, 'the main step ran');
  const masked = new Set<string>();
  const secrets = [...fake.secrets(), ...(options.secrets ?? [])];
  for (const [index, step] of job.steps.entries()) {
    if (!step) continue;
    assert.deepEqual(findLeaks(step, secrets.filter((secret) => !masked.has(secret))), [], `step ${index} leaked a secret`);
    for (const mask of step.masks) masked.add(mask);
  }
  assert.equal(fake.count('metadata'), 0, 'a request went to the metadata server');
  return {
    main,
    runs: rest.slice(0, runs.length),
    post: options.skipPost ? null : (rest.at(-1) ?? null),
    folder: main.addedPath[0] ? dirname(main.addedPath[0]) : '',
    runnerTemp,
  };
}

export function removeJob(job: TokenJob): void {
  rmSync(job.runnerTemp, { recursive: true, force: true });
}
