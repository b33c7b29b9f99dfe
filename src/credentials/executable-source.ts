// An external_account's executable credential source, run here rather than by
// google-auth-library: its runner has no `error` listener (a missing program
// crashes the process), kills only the child on timeout (a grandchild holding
// stdout keeps the step alive), and quotes the program's whole output, subject
// token included, in its errors. The protocol is Google's "executable-sourced
// credentials": environment in, one JSON response on stdout.
import type { ChildProcess } from 'node:child_process';
import { win32 } from 'node:path';
import { ActionError } from '../errors.ts';
import type { Log } from '../log.ts';
import { untrusted } from '../untrusted.ts';

export interface ExecutableConfig {
  readonly command: string;
  readonly timeout_millis?: number;
  readonly output_file?: string;
}

export interface ExecutableRun {
  readonly executable: ExecutableConfig;
  readonly audience: string;
  readonly subjectTokenType: string;
  /** The service account the federated token will impersonate, which the protocol tells the program. */
  readonly impersonatedEmail: string | undefined;
  /** Epoch milliseconds: the run's deadline bounds the program too. */
  readonly deadline: number;
  readonly log: Pick<Log, 'mask'>;
  /** How messages name the configuration: credentials_json, or the CLI's credentials file. */
  readonly origin: string;
}

export const ALLOW_EXECUTABLES = 'GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES';
const DEFAULT_TIMEOUT_MILLIS = 30_000;
export const MIN_TIMEOUT_MILLIS = 5_000;
export const MAX_TIMEOUT_MILLIS = 120_000;
const FIELD = 'credential_source.executable';
const MAX_OUTPUT_BYTES = 1024 * 1024;
const TOKEN_TYPES: Record<string, 'id_token' | 'saml_response'> = {
  'urn:ietf:params:oauth:token-type:jwt': 'id_token',
  'urn:ietf:params:oauth:token-type:id_token': 'id_token',
  'urn:ietf:params:oauth:token-type:saml2': 'saml_response',
};

/** The program of a command line, for messages: its arguments may carry secrets. */
function programOf(command: string): string {
  return untrusted(splitCommand(command)[0] ?? command, 120);
}

/** The subject token the executable (or its still-valid cached response) gives, masked. */
export async function executableSubjectToken(run: ExecutableRun): Promise<string> {
  const program = programOf(run.executable.command);
  if (process.env[ALLOW_EXECUTABLES] !== '1') {
    throw new ActionError(
      `The external_account ${run.origin} runs the executable ${program} (${FIELD}.command), and Google's client libraries run executables only with ${ALLOW_EXECUTABLES}=1.`,
      `If you trust the command, set ${ALLOW_EXECUTABLES}=1 in the environment of this step and of the later steps that use the credentials file (\`env: { ${ALLOW_EXECUTABLES}: 1 }\`); or use workload_identity_provider, which needs no executable.`,
    );
  }
  const response = (await cachedResponse(run)) ?? (await runProgram(run, program));
  const token = readResponse(response, run, program);
  run.log.mask(token);
  return token;
}

/** The response a previous run left in output_file, while it is valid; the protocol lets a program cache its answer there. */
async function cachedResponse(run: ExecutableRun): Promise<Record<string, unknown> | undefined> {
  const file = run.executable.output_file;
  if (!file) return undefined;
  let text: string;
  try {
    // Taken on first use, as every module here that only some runs need.
    text = await process.getBuiltinModule('node:fs/promises').readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const response = parseResponse(text);
  if (!response || response.success !== true) return undefined;
  const expires = response.expiration_time;
  return typeof expires === 'number' && expires * 1000 > Date.now() ? response : undefined;
}

function runProgram(run: ExecutableRun, program: string): Promise<Record<string, unknown>> {
  const { spawn } = process.getBuiltinModule('node:child_process');
  const [file = '', ...args] = splitCommand(run.executable.command);
  const timeoutMs = Math.max(1, Math.min(run.executable.timeout_millis ?? DEFAULT_TIMEOUT_MILLIS, run.deadline - Date.now()));
  const env = {
    ...process.env,
    GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: run.audience,
    GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: run.subjectTokenType,
    // Nobody can answer a prompt in a workflow.
    GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0',
    ...(run.executable.output_file ? { GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: run.executable.output_file } : {}),
    ...(run.impersonatedEmail ? { GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL: run.impersonatedEmail } : {}),
  };
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // Its own process group (not on Windows, where that opens a console), so that a timeout ends its children too.
      child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    } catch (error) {
      reject(notStarted(program, error, run.origin));
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_OUTPUT_BYTES) into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      child.removeAllListeners();
      // A late 'error' without a listener would be thrown as an uncaught exception.
      child.on('error', () => {});
      child.stdout?.destroy();
      child.stderr?.destroy();
      outcome();
    };
    const timer = setTimeout(() => {
      killGroup(child);
      finish(() =>
        reject(
          new ActionError(
            `The executable ${program} of the external_account ${run.origin} did not finish within ${timeoutMs} ms (${FIELD}.timeout_millis, or what the input timeout left); it was stopped with every process it started.`,
            `Make the command print its response and exit sooner, or raise ${FIELD}.timeout_millis (at most ${MAX_TIMEOUT_MILLIS}) and the input timeout.`,
          ),
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => finish(() => reject(notStarted(program, error, run.origin))));
    child.on('close', (code, signal) => {
      finish(() => {
        if (code === 0) {
          const response = parseResponse(Buffer.concat(stdout).toString('utf8'));
          if (response) resolve(response);
          else reject(new ActionError(`The executable ${program} of the external_account ${run.origin} printed no executable response (a JSON object with version, success and the token).`, RESPONSE_FIX));
          return;
        }
        const said = untrusted(Buffer.concat(stderr).toString('utf8').trim(), 300);
        reject(
          new ActionError(
            `The executable ${program} of the external_account ${run.origin} failed (${signal ? `stopped by ${signal}` : `exit code ${String(code)}`}${said ? `; its error output: ${said}` : ''}).`,
            `Run the command by hand on the runner with the same environment to see why; it must exit 0 and print its response on stdout.`,
          ),
        );
      });
    });
  });
}

const RESPONSE_FIX =
  'The command must print, on stdout, {"version": 1, "success": true, "token_type": "urn:ietf:params:oauth:token-type:jwt", "id_token": "...", "expiration_time": SECONDS} or {"version": 1, "success": false, "code": "...", "message": "..."}.';

/** The subject token of a response, or the clear error of a refusal or a malformed response. */
function readResponse(response: Record<string, unknown>, run: ExecutableRun, program: string): string {
  const bad = (what: string): ActionError => new ActionError(`The executable ${program} of the external_account ${run.origin} answered ${what}.`, RESPONSE_FIX);
  if (response.version !== 1) throw bad(`with version ${untrusted(String(response.version), 20)}, and only version 1 is known`);
  if (response.success === false) {
    throw new ActionError(
      `The executable ${program} of the external_account ${run.origin} reported a failure (${untrusted(String(response.code ?? 'no code'), 60)}: ${untrusted(String(response.message ?? 'no message'), 300)}).`,
      'Fix what the command reports; run it by hand on the runner to see more.',
    );
  }
  if (response.success !== true) throw bad('without "success": true or false');
  const field = TOKEN_TYPES[String(response.token_type)];
  if (!field) throw bad(`with the token_type ${untrusted(String(response.token_type), 60)}, which is none of ${Object.keys(TOKEN_TYPES).join(', ')}`);
  const token = response[field];
  if (typeof token !== 'string' || token === '') throw bad(`without ${field}`);
  const expires = response.expiration_time;
  if (run.executable.output_file && typeof expires !== 'number') throw bad('without expiration_time, which a configuration with output_file needs');
  if (typeof expires === 'number' && expires * 1000 <= Date.now()) throw bad('with a token that has already expired (expiration_time)');
  return token;
}

function parseResponse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function notStarted(program: string, error: unknown, origin: string): ActionError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new ActionError(
    `The executable ${program} of the external_account ${origin} could not be started (${code === 'ENOENT' ? 'ENOENT: no such file' : code}).`,
    `Install the program on the runner, or correct ${FIELD}.command (a relative path starts from the step's working directory), and make it executable.`,
  );
}

/** The program and every process it started: its process group, or on Windows, which has none, the tree under it. */
function killGroup(child: ChildProcess): void {
  const treeKill = child.pid ? windowsTreeKill(process.platform, child.pid, process.env.SystemRoot) : undefined;
  // Synchronous: a kill started in the background would end with this process, which exits next.
  if (treeKill) process.getBuiltinModule('node:child_process').spawnSync(treeKill.file, treeKill.args, { stdio: 'ignore', windowsHide: true, timeout: 10_000 });
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * On Windows, which has no process groups, the command that stops the tree of
 * processes under `pid` while it still runs (taskkill /T follows parent to
 * child): by its full path under SystemRoot, since a bare name is looked up in
 * the working folder first. Undefined elsewhere, where the group is killed.
 */
export function windowsTreeKill(platform: NodeJS.Platform, pid: number, systemRoot: string | undefined): { file: string; args: string[] } | undefined {
  if (platform !== 'win32') return undefined;
  return { file: win32.join(systemRoot || 'C:\\Windows', 'System32', 'taskkill.exe'), args: ['/pid', String(pid), '/T', '/F'] };
}

/** Splits a command line on spaces, except inside double quotes, as Google's libraries do. */
function splitCommand(command: string): string[] {
  return (command.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((part) => (part.length > 1 && part.startsWith('"') && part.endsWith('"') ? part.slice(1, -1) : part));
}
