// Runs a built action step (dist/main/index.js, dist/post/index.js) the way the GitHub
// runner does: clean environment, INPUT_* / STATE_* variables, file commands
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH, GITHUB_STEP_SUMMARY) and
// workflow commands (`::add-mask::`, `::error::`, …) parsed as the runner parses them.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { homeEnv, RUNNER_OS, systemEnv, WINDOWS } from './platform.ts';

export interface StepOptions {
  /** Action inputs by name (as in action.yml); passed as INPUT_<NAME>. */
  inputs?: Record<string, string>;
  /** Extra environment, applied last. */
  env?: Record<string, string>;
  /** Names removed from the environment after everything else. */
  unset?: string[];
  /** Saved state of the main step (for a post step): passed as STATE_<name>. */
  state?: Record<string, string>;
  /** GITHUB_WORKSPACE (and the cwd). Caller-owned when given; else a fresh temp dir. */
  workspace?: string;
  /** RUNNER_TEMP. Caller-owned when given; else a fresh temp dir. */
  runnerTemp?: string;
  /** HOME. Caller-owned when given; else a fresh temp dir, so no real gcloud/ADC config leaks in. */
  home?: string;
  /** Default 30 000. Past it the step is killed and runStep rejects. */
  timeoutMs?: number;
  /** Command-line arguments after the script. */
  args?: string[];
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  stream: 'stdout' | 'stderr';
  /** Character offset of the command's line in its stream. */
  offset: number;
  /** Offset just past the command's line. */
  end: number;
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  outputs: Record<string, string>;
  exportedEnv: Record<string, string>;
  state: Record<string, string>;
  addedPath: string[];
  summary: string;
  /** Values of `::add-mask::` commands, in order. */
  masks: string[];
  /** Every workflow command on stdout, then on stderr. */
  commands: WorkflowCommand[];
  errors: string[];
  warnings: string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const keepTmp = (): boolean => process.env['GEMINI_AUTH_KEEP_TMP'] === '1';

export async function makeTempDir(prefix = 'gemini-auth-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

async function removeDir(dir: string): Promise<void> {
  if (!keepTmp()) await fs.rm(dir, { recursive: true, force: true });
}

/** INPUT_<NAME>: spaces become underscores, upper-cased, hyphens kept (like the runner). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runStep(script: string, options: StepOptions = {}): Promise<StepResult> {
  const tmp = await makeTempDir('gemini-auth-step-');
  try {
    const files = path.join(tmp, 'files');
    await fs.mkdir(files);
    const fileCommands = {
      GITHUB_OUTPUT: path.join(files, 'set_output'),
      GITHUB_ENV: path.join(files, 'set_env'),
      GITHUB_STATE: path.join(files, 'save_state'),
      GITHUB_PATH: path.join(files, 'add_path'),
      GITHUB_STEP_SUMMARY: path.join(files, 'step_summary'),
    };
    for (const file of Object.values(fileCommands)) await fs.writeFile(file, '');
    const workspace = options.workspace ?? (await mkdirIn(tmp, 'workspace'));
    const runnerTemp = options.runnerTemp ?? (await mkdirIn(tmp, 'runner_temp'));
    const home = options.home ?? (await mkdirIn(tmp, 'home'));

    const env: Record<string, string> = {
      ...systemEnv(),
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      ...homeEnv(home),
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_OS,
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'GitHub Actions 2',
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TEMP: runnerTemp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_RUN_ID: '1658821493',
      GITHUB_RUN_NUMBER: '42',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'test',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_ACTION: 'gemini-auth',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
      ...fileCommands,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputEnvName(name)] = value;
    for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
    Object.assign(env, options.env ?? {});
    for (const name of options.unset ?? []) delete env[name];

    const started = performance.now();
    const streams = await spawnNode(script, options.args ?? [], env, workspace, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const durationMs = performance.now() - started;
    // @actions/core ends its lines with os.EOL, \r\n on Windows, which the runner reads as one line end, as \n.
    const lines = (text: string): string => (WINDOWS ? text.replaceAll('\r\n', '\n') : text);
    const { code, signal } = streams;
    const stdout = lines(streams.stdout);
    const stderr = lines(streams.stderr);

    const commands = [...parseWorkflowCommands(stdout, 'stdout'), ...parseWorkflowCommands(stderr, 'stderr')];
    const outputs = parseKeyValueFile(await fs.readFile(fileCommands.GITHUB_OUTPUT, 'utf8'), 'GITHUB_OUTPUT');
    const state = parseKeyValueFile(await fs.readFile(fileCommands.GITHUB_STATE, 'utf8'), 'GITHUB_STATE');
    // The deprecated commands still work on the runner; honour them so nothing is missed.
    for (const c of commands) {
      if (c.command === 'set-output' && c.properties['name']) outputs[c.properties['name']] = c.message;
      if (c.command === 'save-state' && c.properties['name']) state[c.properties['name']] = c.message;
    }
    return {
      code,
      signal,
      stdout,
      stderr,
      durationMs,
      outputs,
      exportedEnv: parseKeyValueFile(await fs.readFile(fileCommands.GITHUB_ENV, 'utf8'), 'GITHUB_ENV'),
      state,
      addedPath: splitLines(await fs.readFile(fileCommands.GITHUB_PATH, 'utf8')).filter((l) => l !== ''),
      summary: await fs.readFile(fileCommands.GITHUB_STEP_SUMMARY, 'utf8'),
      masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
      commands,
      errors: commands.filter((c) => c.command === 'error').map((c) => c.message),
      warnings: commands.filter((c) => c.command === 'warning').map((c) => c.message),
    };
  } finally {
    await removeDir(tmp);
  }
}

async function mkdirIn(parent: string, name: string): Promise<string> {
  const dir = path.join(parent, name);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`step ${script} did not finish within ${timeoutMs} ms and was killed\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      } else {
        resolve({ code, signal, stdout, stderr });
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Parsing, as actions/runner does it

function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * The runner's key-value file format (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE):
 * `name=value`, or `name<<DELIMITER` + value lines + `DELIMITER`. A malformed file fails
 * the step on the runner, so it throws here.
 */
export function parseKeyValueFile(text: string, fileName = 'file'): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === '') throw new Error(`${fileName}: invalid format '${line}': name must not be empty`);
      result[name] = line.slice(equals + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '') throw new Error(`${fileName}: invalid format '${line}': name must not be empty`);
      if (delimiter === '') throw new Error(`${fileName}: invalid format '${line}': delimiter must not be empty`);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i]!);
      }
      if (!closed) throw new Error(`${fileName}: invalid value. Matching delimiter not found '${delimiter}'`);
      result[name] = value.join('\n');
    } else {
      throw new Error(`${fileName}: invalid format '${line}'`);
    }
  }
  return result;
}

function unescape(text: string, mappings: [string, string][]): string {
  // The runner replaces each escape in turn, in this order.
  let out = text;
  for (const [token, value] of mappings) out = out.split(token).join(value);
  return out;
}
const DATA_ESCAPES: [string, string][] = [['%0D', '\r'], ['%0A', '\n'], ['%25', '%']];
const PROPERTY_ESCAPES: [string, string][] = [['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']];

/** `::name key=value,key2=value::message` lines, honouring `::stop-commands::TOKEN` … `::TOKEN::`. */
export function parseWorkflowCommands(text: string, stream: 'stdout' | 'stderr' = 'stdout'): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const lineOffset = offset;
    offset += rawLine.length + 1;
    const line = rawLine.replace(/\r$/, '').trimStart();
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const info = line.slice(2, end);
    const space = info.indexOf(' ');
    const command = space < 0 ? info : info.slice(0, space);
    if (!/^[A-Za-z][\w-]*$/.test(command)) continue;
    const properties: Record<string, string> = {};
    if (space > 0) {
      for (const pair of info.slice(space + 1).trim().split(',')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), PROPERTY_ESCAPES);
      }
    }
    const message = unescape(line.slice(end + 2), DATA_ESCAPES);
    if (command === 'stop-commands' && message !== '') {
      stopToken = message;
    }
    commands.push({ command, properties, message, stream, offset: lineOffset, end: Math.min(offset, text.length) });
  }
  return commands;
}

// ---------------------------------------------------------------------------
// Jobs

/** What a step's `${{ }}` expressions may read when it starts: the job's environment so far, and earlier steps' outputs by id. */
export interface JobContext {
  env: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string> }>;
}

/** A value given as is, or computed when the step starts, as `${{ env.NAME }}` and `${{ steps.ID.outputs.NAME }}` are. */
export type Evaluated<T> = T | ((context: JobContext) => T);

export interface JobStep {
  script: string;
  /** Names the step for the JobContext of later steps. */
  id?: string;
  inputs?: Evaluated<Record<string, string>>;
  env?: Evaluated<Record<string, string>>;
  unset?: string[];
  /**
   * Pairs a post step with its main step: state saved by a step goes to its action id and
   * is handed to later steps of the same id. Default: the script's dist dir
   * (`…/dist/main/index.js` and `…/dist/post/index.js` share `…/dist`).
   */
  action?: string;
  /** Run even after a failed step (default: true for post steps, false otherwise). */
  always?: boolean;
  timeoutMs?: number;
  /** Command-line arguments after the script. */
  args?: string[];
}

export interface JobOptions {
  env?: Record<string, string>;
  workspace?: string;
  runnerTemp?: string;
  home?: string;
}

export interface JobResult {
  /** One per step; null where a step was skipped after a failure. */
  steps: (StepResult | null)[];
  failed: boolean;
  /** Environment exported through GITHUB_ENV by the end of the job. */
  env: Record<string, string>;
  /** Paths added through GITHUB_PATH, most recent first (as prepended to PATH). */
  path: string[];
}

function actionId(step: JobStep): string {
  return step.action ?? path.dirname(path.dirname(path.resolve(step.script)));
}

function isPostScript(script: string): boolean {
  return path.basename(path.dirname(script)) === 'post';
}

export async function runJob(steps: JobStep[], common: JobOptions = {}): Promise<JobResult> {
  const owned: string[] = [];
  const own = async (given: string | undefined, prefix: string): Promise<string> => {
    if (given !== undefined) return given;
    const dir = await makeTempDir(prefix);
    owned.push(dir);
    return dir;
  };
  try {
    const workspace = await own(common.workspace, 'gemini-auth-workspace-');
    const runnerTemp = await own(common.runnerTemp, 'gemini-auth-runner-temp-');
    const home = await own(common.home, 'gemini-auth-home-');
    const basePath = common.env?.['PATH'] ?? process.env['PATH'] ?? '/usr/bin:/bin';
    const exported: Record<string, string> = {};
    const addedPath: string[] = [];
    const stateByAction = new Map<string, Record<string, string>>();
    const results: (StepResult | null)[] = [];
    const outputsById: JobContext['steps'] = {};
    let failed = false;

    for (const step of steps) {
      const always = step.always ?? isPostScript(step.script);
      if (failed && !always) {
        results.push(null);
        continue;
      }
      const id = actionId(step);
      const context: JobContext = { env: { ...common.env, ...exported }, steps: outputsById };
      const evaluate = <T>(value: Evaluated<T> | undefined): T | undefined => (typeof value === 'function' ? (value as (context: JobContext) => T)(context) : value);
      const stepEnv = evaluate(step.env);
      const inputs = evaluate(step.inputs);
      // Step env wins over GITHUB_ENV, which wins over the job's env.
      const env = { ...common.env, ...exported, ...stepEnv };
      env['PATH'] = [...addedPath, stepEnv?.['PATH'] ?? basePath].join(path.delimiter);
      const options: StepOptions = { env, workspace, runnerTemp, home, state: stateByAction.get(id) ?? {} };
      if (inputs) options.inputs = inputs;
      if (step.unset) options.unset = step.unset;
      if (step.timeoutMs !== undefined) options.timeoutMs = step.timeoutMs;
      if (step.args) options.args = step.args;
      const result = await runStep(step.script, options);
      results.push(result);
      if (step.id) outputsById[step.id] = { outputs: result.outputs };
      if (result.code !== 0) failed = true;
      Object.assign(exported, result.exportedEnv);
      for (const p of result.addedPath) {
        const at = addedPath.indexOf(p);
        if (at >= 0) addedPath.splice(at, 1);
        addedPath.unshift(p);
      }
      if (Object.keys(result.state).length > 0) {
        stateByAction.set(id, { ...stateByAction.get(id), ...result.state });
      }
    }
    return { steps: results, failed, env: exported, path: addedPath };
  } finally {
    for (const dir of owned) await removeDir(dir);
  }
}

/**
 * Runs `${distDir}/main/index.js` then `${distDir}/post/index.js` with the main step's state,
 * sharing RUNNER_TEMP, workspace and HOME. The post step runs even if main failed
 * (`post-if: always()`).
 */
export async function runMainAndPost(
  distDir: string,
  options: StepOptions = {},
): Promise<{ main: StepResult; post: StepResult }> {
  const owned: string[] = [];
  try {
    const shared: StepOptions = { ...options };
    for (const key of ['workspace', 'runnerTemp', 'home'] as const) {
      if (shared[key] === undefined) {
        const dir = await makeTempDir(`gemini-auth-${key}-`);
        owned.push(dir);
        shared[key] = dir;
      }
    }
    const main = await runStep(path.join(distDir, 'main', 'index.js'), shared);
    const post = await runStep(path.join(distDir, 'post', 'index.js'), {
      ...shared,
      state: { ...options.state, ...main.state },
    });
    return { main, post };
  } finally {
    for (const dir of owned) await removeDir(dir);
  }
}

// ---------------------------------------------------------------------------
// Leak checks

/**
 * The forms the runner hides by itself once `mask` is registered: its secret
 * masker derives base64, JSON-escaped and URL-encoded spellings of every mask
 * (actions/runner's value encoders; Uri.EscapeDataString agrees with
 * encodeURIComponent except on !'()*). It matches line by line, so a
 * multi-line mask hides nothing.
 */
function hiddenBy(mask: string): string[] {
  if (/[\r\n]/.test(mask)) return [];
  return [mask, Buffer.from(mask).toString('base64'), JSON.stringify(mask).slice(1, -1), encodeURIComponent(mask)];
}

/**
 * The forms in which a secret might show: itself, base64, base64url, URL-encoded,
 * JSON-escaped (PEM keys inside JSON), and for multi-line secrets each substantial line
 * (the runner masks line by line, so a multi-line mask cannot hide them).
 */
export function secretForms(secret: string): string[] {
  if (secret === '') return [];
  const forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
  if (/[\r\n]/.test(secret)) {
    for (const line of splitLines(secret)) {
      if (line.length >= 16 && !line.startsWith('-----')) forms.push(line);
    }
  }
  return [...new Set(forms)];
}

function occurrences(haystack: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) at.push(i);
  return at;
}

function describeSecret(secret: string): string {
  return secret.length <= 8 ? `a secret of ${secret.length} chars` : `secret ${secret.slice(0, 4)}…(${secret.length} chars)`;
}

/**
 * Where `result` shows a secret, in any of its forms, that the runner would not
 * hide: on stdout before a mask that hides that form (the runner derives only
 * some forms from a mask), on stderr, in an output no mask hides, and ever in
 * the exported environment, the saved state, the step summary, an ::error:: or
 * a ::warning::.
 */
export function findLeaks(result: StepResult, secrets: string[]): string[] {
  const problems: string[] = [];
  const maskCommands = result.commands.filter((c) => c.command === 'add-mask');
  const maskLines = (stream: 'stdout' | 'stderr'): [number, number][] => maskCommands.filter((c) => c.stream === stream).map((c) => [c.offset, c.end]);
  // What the runner prints as ***: the mask lines, and what each stdout mask hides from that line on.
  const hidden = { stdout: maskLines('stdout'), stderr: maskLines('stderr') };
  for (const c of maskCommands.filter((command) => command.stream === 'stdout')) {
    for (const form of hiddenBy(c.message)) {
      for (const at of occurrences(result.stdout, form)) if (at >= c.end) hidden.stdout.push([at, at + form.length]);
    }
  }
  const shown = (stream: 'stdout' | 'stderr', form: string): number[] =>
    occurrences(result[stream], form).filter((at) => !hidden[stream].some(([start, end]) => at >= start && at + form.length <= end));

  for (const secret of secrets) {
    if (secret === '') continue;
    const label = describeSecret(secret);
    for (const form of secretForms(secret)) {
      const what = form === secret ? label : `a form of ${label} ("${form.slice(0, 4)}…")`;
      for (const at of shown('stdout', form)) problems.push(`${what} is printed on stdout at offset ${at}, before any ::add-mask:: that hides it`);
      for (const at of shown('stderr', form)) problems.push(`${what} is printed on stderr at offset ${at}`);
      const masked = maskCommands.some((c) => hiddenBy(c.message).includes(form));
      for (const [name, value] of Object.entries(result.outputs)) {
        if (value.includes(form) && !masked) problems.push(`${what} is in the output ${name}, and no ::add-mask:: hides it`);
      }
      if (result.summary.includes(form)) problems.push(`${what} is in the step summary`);
      for (const message of result.errors) if (message.includes(form)) problems.push(`${what} is in an ::error:: message`);
      for (const message of result.warnings) if (message.includes(form)) problems.push(`${what} is in a ::warning:: message`);
      for (const [name, value] of Object.entries(result.exportedEnv)) {
        if (value.includes(form)) problems.push(`${what} is in the exported environment variable ${name}`);
      }
      for (const [name, value] of Object.entries(result.state)) {
        if (value.includes(form)) problems.push(`${what} is in the saved state ${name}`);
      }
    }
  }
  return problems;
}
