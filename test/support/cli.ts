// Runs the built CLI (dist/cli/index.js) as a child process, the way a CI job or
// a laptop shell runs it: a clean environment with its own HOME, the fake's
// endpoints in GEMINI_AUTH_ENDPOINTS, and, when asked, a GitHub Actions step's
// variables. Every run is scanned for leaked secrets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './action.ts';
import type { FakeGoogle } from './fake-google.ts';
import { homeEnv, systemEnv } from './platform.ts';
import { findLeaks, makeTempDir, parseKeyValueFile, parseWorkflowCommands, type StepResult } from './runner.ts';

/** The CLI's bundles, and its entry. */
export const CLI_DIST = join(DIST, 'cli');
export const CLI = join(CLI_DIST, 'index.js');

export interface CliOptions {
  env?: Record<string, string>;
  /** HOME (and so the default cache folder; on Windows %LOCALAPPDATA% is in it). Caller-owned when given; else a fresh one, removed after the run. */
  home?: string;
  /** Run as a step of a GitHub Actions job: GITHUB_ACTIONS=true and a GITHUB_ENV file. */
  githubActions?: boolean;
  /** Extra secrets for the leak scan beyond those the fake knows. */
  secrets?: string[];
  /** The run's answer on stdout that may hold a secret (`token` prints the token): left out of the leak scan. */
  answer?: boolean;
  timeoutMs?: number;
}

/** A run of the CLI, read like a step: its workflow commands (masks) and, as a GitHub step, the variables it exported. */
export type CliRun = StepResult;

export async function runCli(fake: FakeGoogle, args: string[], options: CliOptions = {}): Promise<CliRun> {
  const scratch = await makeTempDir('gemini-auth-cli-');
  const home = options.home ?? join(scratch, 'home');
  const githubEnv = join(scratch, 'github_env');
  writeFileSync(githubEnv, '');
  try {
    const env: Record<string, string> = {
      ...systemEnv(),
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      ...homeEnv(home),
      GEMINI_AUTH_ENDPOINTS: fake.endpointsInput,
      // Any probe of the metadata server would reach the fake and be counted.
      GCE_METADATA_HOST: fake.hostPort,
      GCE_METADATA_IP: fake.hostPort,
      ...(options.githubActions ? { GITHUB_ACTIONS: 'true', GITHUB_ENV: githubEnv } : {}),
      ...options.env,
    };
    const started = performance.now();
    const { code, signal, stdout, stderr } = await spawnCli(args, env, scratch, options.timeoutMs ?? 30_000);
    const commands = [...parseWorkflowCommands(stdout, 'stdout'), ...parseWorkflowCommands(stderr, 'stderr')];
    const run: CliRun = {
      code,
      signal,
      stdout,
      stderr,
      durationMs: performance.now() - started,
      outputs: {},
      exportedEnv: parseKeyValueFile(readFileSync(githubEnv, 'utf8'), 'GITHUB_ENV'),
      state: {},
      addedPath: [],
      summary: '',
      masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
      commands,
      errors: commands.filter((c) => c.command === 'error').map((c) => c.message),
      warnings: commands.filter((c) => c.command === 'warning').map((c) => c.message),
    };
    const scanned = options.answer ? { ...run, stdout: '' } : run;
    assert.deepEqual(findLeaks(scanned, [...fake.secrets(), ...(options.secrets ?? [])]), [], `gemini-auth ${args.join(' ')} leaked a secret`);
    assert.equal(fake.count('metadata'), 0, 'a request went to the metadata server');
    return run;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function spawnCli(args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The lines on stderr that are not workflow commands. */
export function stderrLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('::'));
}

/** The failure of a run: exit 1 and one line `gemini-auth: CAUSE. Fix: FIX` on stderr, no stack trace, nothing on stdout. */
export function cliFailure(run: CliRun): string {
  assert.equal(run.code, 1, `expected exit code 1, got ${run.code}; stderr:\n${run.stderr}`);
  const lines = stderrLines(run);
  assert.equal(lines.length, 1, `expected one line on stderr, got ${JSON.stringify(lines)}`);
  const [line = ''] = lines;
  assert.match(line, /^gemini-auth: \S.*\. Fix: \S/, 'the line names the cause, then the fix');
  assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(run.stderr), 'a stack trace was printed');
  assert.equal(run.stdout, '', 'nothing on stdout');
  return line;
}

/** The token a successful `gemini-auth token` printed, alone on one line. */
export function printedToken(run: CliRun): string {
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^[A-Za-z0-9\-._~+/]+=*\n$/, 'one line, the token alone');
  return run.stdout.trim();
}
