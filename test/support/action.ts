// Runs the built action (dist/) as a runner would, main then post, against a
// fake Google, and checks every run for leaked secrets.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeGoogle } from './fake-google.ts';
import { findLeaks, makeTempDir, runStep, type StepResult } from './runner.ts';

export const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
export const MAIN = join(DIST, 'main', 'index.js');
export const POST = join(DIST, 'post', 'index.js');

export interface CredentialsFile {
  path: string;
  mode: number;
  content: Record<string, unknown>;
}

export interface ActionRun {
  main: StepResult;
  post: StepResult;
  /** The credentials file as the main step left it (before the post step). */
  file: CredentialsFile | undefined;
  /** Files named gemini-auth-* left in RUNNER_TEMP and the workspace after the post step. */
  leftovers: string[];
  runnerTemp: string;
  workspace: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  unset?: string[];
  /** Extra secrets for the leak scan beyond those the fake knows. */
  secrets?: string[];
  /** Skip the post step (to inspect what main left). */
  skipPost?: boolean;
  /** Use this RUNNER_TEMP (kept) instead of a fresh one (removed). */
  runnerTemp?: string;
  timeoutMs?: number;
}

/**
 * Main + post of the built action with the fake's endpoints, debug logging on
 * (so debug lines are scanned too) and the metadata server pointed at the fake
 * (so any probe is counted). Every run is checked for leaks of every secret
 * the fake knows.
 */
export async function runAction(fake: FakeGoogle, inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const runnerTemp = options.runnerTemp ?? (await makeTempDir('gemini-auth-runner-temp-'));
  const workspace = await makeTempDir('gemini-auth-workspace-');
  const home = await makeTempDir('gemini-auth-home-');
  try {
    const common = {
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1', GCE_METADATA_HOST: fake.hostPort, GCE_METADATA_IP: fake.hostPort, ...options.env },
      unset: options.unset ?? [],
      runnerTemp,
      workspace,
      home,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    const main = await runStep(MAIN, { ...common, inputs: { endpoints: fake.endpointsInput, ...inputs } });
    const file = readCredentialsFile(main.outputs.credentials_file_path);
    const post = options.skipPost ? emptyStep() : await runStep(POST, { ...common, inputs: { endpoints: fake.endpointsInput, ...inputs }, state: main.state });
    const leftovers = [runnerTemp, workspace].flatMap((dir) => readdirSync(dir).filter((name) => name.startsWith('gemini-auth-')).map((name) => join(dir, name)));
    const secrets = [...fake.secrets(), ...(options.secrets ?? [])];
    for (const [name, step] of [['main', main], ['post', post]] as const) {
      assert.deepEqual(findLeaks(step, secrets), [], `${name} step leaked a secret`);
    }
    assert.equal(fake.count('metadata'), 0, 'a request went to the metadata server');
    return { main, post, file, leftovers, runnerTemp, workspace };
  } finally {
    if (!options.runnerTemp) rmSync(runnerTemp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

function readCredentialsFile(path: string | undefined): CredentialsFile | undefined {
  if (!path || !existsSync(path)) return undefined;
  return { path, mode: statSync(path).mode & 0o777, content: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
}

function emptyStep(): StepResult {
  return { code: 0, signal: null, stdout: '', stderr: '', durationMs: 0, outputs: {}, exportedEnv: {}, state: {}, addedPath: [], summary: '', masks: [], commands: [], errors: [], warnings: [] };
}

/** The single failure line of a failed step, asserting there is exactly one and that it names the cause, then the fix. */
export function failure(step: StepResult): string {
  assert.equal(step.code, 1, `expected exit code 1, got ${step.code}; stdout:\n${step.stdout}`);
  assert.equal(step.errors.length, 1, `expected one ::error:: line, got ${JSON.stringify(step.errors)}`);
  assert.match(step.errors[0] ?? '', /^\S.*[.)] Fix: \S/, 'the line names the cause, then the fix');
  assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(step.stdout + step.stderr), 'a stack trace was printed');
  return step.errors[0] ?? '';
}
