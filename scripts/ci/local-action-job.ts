// Runs on this machine the jobs of .github/workflows/ci.yml that run the action (`action`,
// once per `credentials` of its matrix, and `container`), read from the workflow itself
// and run step by step as the runner would, by the runner harness of test/support: the
// same scripts, the same inputs, against dist/ as built, so that every CI run here
// exercises what the real runners run. What cannot run here is skipped and said so:
// set-up this machine has done already (checkout, setup-node, npm ci), steps for another
// OS, pwsh and cmd steps (the harness runs bash, as Linux runners do), and containers
// (the container job's steps run on this machine). It fails on a failed step or a secret
// shown unmasked.
//   node scripts/ci/local-action-job.ts
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SHELL_STEP } from '../../test/support/job.ts';
import { findLeaks, makeTempDir, runJob, type JobContext, type JobStep, type StepResult } from '../../test/support/runner.ts';
import { condition, interpolate, type Contexts } from './workflow-expressions.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOW = '.github/workflows/ci.yml';
const RUNNER = { os: 'Linux', arch: 'X64' };
/** Set-up that this machine has done before this script runs. */
const DONE_HERE = [/^actions\/checkout@/, /^actions\/setup-node@/, /^npm ci$/];

interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface WorkflowJob {
  container?: string;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: WorkflowStep[];
}

/** One step of the plan: what the harness runs, and how the step is named in the log. */
interface Planned {
  label: string;
  step: JobStep;
  /** The fake's start step hands its credentials to later steps through $GITHUB_ENV, as a job would take them from secrets. */
  exportsCredentials?: boolean;
}

function contexts(context: JobContext, matrix: Record<string, unknown>): Contexts {
  return { env: context.env, steps: context.steps, matrix, runner: RUNNER };
}

function evaluateAll(values: Record<string, string> | undefined, context: JobContext, matrix: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, interpolate(String(value), contexts(context, matrix))]));
}

/** The action a `uses: ./…` names: its main and post scripts. */
function localAction(uses: string): { main: string; post?: string; dir: string } {
  const dir = join(ROOT, uses);
  const action = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as { runs: { using: string; main: string; post?: string } };
  if (!/^node\d+$/.test(action.runs.using)) throw new Error(`${uses}: only JavaScript actions run here, not ${action.runs.using}`);
  return { dir, main: join(dir, action.runs.main), ...(action.runs.post ? { post: join(dir, action.runs.post) } : {}) };
}

/** The harness steps of one job: main steps in order, then the post steps in reverse, as the runner runs them. */
function plan(job: WorkflowJob, matrix: Record<string, unknown>, notes: string[]): Planned[] {
  const steps: Planned[] = [];
  const posts: Planned[] = [];
  for (const [index, step] of job.steps.entries()) {
    const label = step.name ?? (step.uses ? `uses: ${step.uses}` : undefined) ?? step.run ?? `step ${index + 1}`;
    if (DONE_HERE.some((pattern) => pattern.test(step.uses ?? step.run ?? ''))) continue;
    if (step.if !== undefined && !condition(step.if, { matrix, runner: RUNNER })) {
      notes.push(`"${label}" (if: ${step.if}) is for another runner.`);
      continue;
    }
    const env = (context: JobContext): Record<string, string> => evaluateAll(step.env, context, matrix);
    if (step.run !== undefined) {
      if (step.run.includes('${{')) throw new Error(`${label}: \${{ }} inside run: is refused; pass the value through env:`);
      if (step.shell !== undefined && step.shell !== 'bash') {
        notes.push(`"${label}" (shell: ${step.shell}): the harness runs bash steps only.`);
        continue;
      }
      const exportsCredentials = step.run.includes('start-fake-google');
      steps.push({ label, step: { script: SHELL_STEP, env: (context) => ({ ...env(context), STEP_RUN: step.run ?? '' }) }, exportsCredentials });
    } else if (step.uses?.startsWith('./')) {
      const action = localAction(step.uses);
      const inputs = (context: JobContext): Record<string, string> => evaluateAll(step.with, context, matrix);
      steps.push({ label, step: { script: action.main, action: action.dir, inputs, env, ...(step.id ? { id: step.id } : {}) } });
      // post-if defaults to always().
      if (action.post) posts.unshift({ label: `Post ${label}`, step: { script: action.post, action: action.dir, inputs, env, always: true } });
    } else {
      throw new Error(`${label}: uses: ${step.uses} cannot run here`);
    }
  }
  return [...steps, ...posts];
}

/** The secrets a job may not show: the fake's, from its dotenv file, and the tokens it minted (the outputs). */
function secretsOf(dotenv: Record<string, string>, steps: (StepResult | null)[]): string[] {
  const user = JSON.parse(dotenv['FAKE_GOOGLE_CREDENTIALS_JSON'] ?? '{}') as Record<string, string>;
  const key = JSON.parse(dotenv['FAKE_GOOGLE_SERVICE_ACCOUNT_KEY_JSON'] ?? '{}') as Record<string, string>;
  const tokens = steps.map((step) => step?.outputs['access_token']).filter((token) => token !== undefined);
  return [user['client_secret'], user['refresh_token'], key['private_key'], dotenv['ACTIONS_ID_TOKEN_REQUEST_TOKEN'], ...tokens].filter((secret): secret is string => Boolean(secret));
}

/** Runs one job and returns its log; throws with the log and the problems if it failed. */
async function runLocally(name: string, job: WorkflowJob, matrix: Record<string, unknown>): Promise<string> {
  const notes: string[] = job.container ? [`the container (${job.container}): its steps run on this machine.`] : [];
  const log: string[] = [];
  const planned = plan(job, matrix, notes);
  const runnerTemp = await makeTempDir('gemini-auth-ci-temp-');
  const dotenvPath = join(runnerTemp, 'fake-google.env');
  let dotenv: Record<string, string> = {};
  const started = performance.now();
  try {
    // What setup-node does on a runner: this Node first on PATH.
    const path = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
    const result = await runJob(planned.map((entry) => entry.step), { workspace: ROOT, runnerTemp, env: { RUNNER_OS: RUNNER.os, PATH: path } });
    dotenv = readDotenv(dotenvPath);
    const secrets = secretsOf(dotenv, result.steps);
    // The runner keeps a mask for the rest of the job: a secret masked by an earlier step is hidden from the later ones.
    const masked = new Set<string>();
    const problems: string[] = [];
    log.push(`${name}: ${Math.round(performance.now() - started)} ms`);
    for (const [index, step] of result.steps.entries()) {
      const label = planned[index]?.label ?? `step ${index + 1}`;
      if (!step) {
        log.push(`  skipped after a failure: ${label}`);
        continue;
      }
      log.push(`  ${step.code === 0 ? 'ok    ' : 'FAILED'} ${label} (${Math.round(step.durationMs)} ms)`);
      if (step.code !== 0) problems.push(`"${label}" failed:\n${step.stdout}${step.stderr}`);
      const checked = planned[index]?.exportsCredentials ? { ...step, exportedEnv: {} } : step;
      for (const leak of findLeaks(checked, secrets.filter((secret) => !masked.has(secret)))) problems.push(`"${label}": ${leak}`);
      for (const mask of step.masks) masked.add(mask);
    }
    for (const note of notes) log.push(`  not run here: ${note}`);
    if (problems.length > 0) throw new Error(`${log.join('\n')}\n${problems.join('\n')}`);
    return log.join('\n');
  } finally {
    // The fake outlives its step, as on a runner; here nobody else ends it.
    const pid = Number(dotenv['FAKE_GOOGLE_PID'] ?? readDotenv(dotenvPath)['FAKE_GOOGLE_PID']);
    if (pid) process.kill(pid, 'SIGTERM');
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

/** The fake's values, from the file its start step had it write; none if it did not start. */
function readDotenv(path: string): Record<string, string> {
  return existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Record<string, string>) : {};
}

const workflow = parse(readFileSync(join(ROOT, WORKFLOW), 'utf8')) as { jobs: Record<string, WorkflowJob> };
const runs: Promise<string>[] = [];
for (const name of ['action', 'container']) {
  const job = workflow.jobs[name];
  if (!job) throw new Error(`${WORKFLOW} has no job ${name}`);
  for (const credentials of job.strategy?.matrix?.['credentials'] ?? [undefined]) {
    const matrix = { os: 'ubuntu-latest', ...(credentials === undefined ? {} : { credentials }) };
    runs.push(runLocally(`${WORKFLOW} job ${name}${credentials === undefined ? '' : ` (${String(credentials)})`}, locally`, job, matrix));
  }
}
// The jobs are independent (each has its own fake and folders), so they run at once, as on GitHub.
const results = await Promise.allSettled(runs);
for (const result of results) console.log(result.status === 'fulfilled' ? result.value : String(result.reason instanceof Error ? result.reason.message : result.reason));
process.exitCode = results.every((result) => result.status === 'fulfilled') ? 0 : 1;
