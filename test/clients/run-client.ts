// Runs one of Google's own clients the way a later step of the job would: in a
// separate process whose environment is only what the action exported (plus
// PATH and a fresh HOME), and asks it for an access token. What else goes in
// keeps the client on loopback: metadata-server lookups go to the fake, and
// every other host goes to the egress trap, which records and refuses it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeGoogle } from '../support/fake-google.ts';
import { commandFile, homeEnv, killProcess, systemEnv, WINDOWS } from '../support/platform.ts';
import type { EgressTrap } from './egress-trap.ts';

/**
 * `gcloud auth print-access-token`; google-auth-library (Node) from node_modules;
 * Python google-auth as gcloud ships it (2.x, on PYTHONPATH); Debian's
 * python3-google-auth (1.5) under /usr/bin/python3; and the action's own
 * gemini-auth-token, forced to refresh.
 */
export type ClientName = 'gcloud' | 'node' | 'python' | 'python-debian' | 'token-command';
export const CLIENTS: readonly ClientName[] = ['gcloud', 'node', 'python', 'python-debian', 'token-command'];

/**
 * The clients of each system the suite runs on. Debian's python3-google-auth is
 * a Debian package, so Linux only (GitHub's Ubuntu runners, .ci/run); CI gives
 * macOS and Windows the others (.github/workflows/ci.yml).
 */
const SYSTEM_CLIENTS: Partial<Record<NodeJS.Platform, readonly ClientName[]>> = {
  linux: CLIENTS,
  darwin: ['gcloud', 'node', 'python', 'token-command'],
  win32: ['gcloud', 'node', 'python', 'token-command'],
};

/** The clients of `platform`: the suite runs their cells there, and fails when one of them is missing. */
export function systemClients(platform: NodeJS.Platform = process.platform): readonly ClientName[] {
  const clients = SYSTEM_CLIENTS[platform];
  if (!clients) throw new Error(`The real-client suite knows the clients of Linux, macOS and Windows, not those of ${platform}.`);
  return clients;
}

export interface ClientResult {
  client: ClientName;
  code: number | null;
  /** The access token the client printed, if it got one. */
  token: string | undefined;
  /** The client's own error text (the last lines of gcloud's stderr; the message for the libraries). */
  error: string | undefined;
  /** The project the library found (node, python), when it reports one. */
  projectId: string | null | undefined;
  /** The credentials class the library built (node, python). */
  credentialsClass: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** What the client tried to reach beyond loopback (see egress-trap.ts), during this run. */
  egress: string[];
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_SCRIPT = path.join(HERE, 'node-adc.ts');
const PYTHON_SCRIPT = path.join(HERE, 'python_adc.py');
const DEBIAN_PYTHON = '/usr/bin/python3';
const GCLOUD_INSTALL = 'Install the Google Cloud CLI (apt package google-cloud-cli from https://packages.cloud.google.com/apt, which GitHub\'s Ubuntu runners have; elsewhere Google\'s archive, as .github/workflows/ci.yml installs it).';
/** gcloud's file: a sh script, and on Windows the .cmd beside it that cmd and PowerShell run. */
const GCLOUD = WINDOWS ? 'gcloud.cmd' : 'gcloud';

/** Where gcloud is installed: the folder above the bin/ of the gcloud on PATH. */
export function gcloudSdkRoot(): string {
  const found = (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, GCLOUD))
    .find((file) => existsSync(file) && statSync(file).isFile());
  if (!found) throw new Error(`gcloud is not on PATH. ${GCLOUD_INSTALL}`);
  return path.dirname(path.dirname(realpathSync(found)));
}

/** gcloud's own Python when it has one (its google-auth is tested with it; Linux and Windows archives bundle it), else Python from PATH. */
function gcloudPython(sdkRoot: string): string {
  const bundled = WINDOWS ? path.join(sdkRoot, 'platform', 'bundledpython', 'python.exe') : path.join(sdkRoot, 'platform', 'bundledpythonunix', 'bin', 'python3');
  return existsSync(bundled) ? bundled : WINDOWS ? 'python' : 'python3';
}

/**
 * Throws, with what to install, when a client is missing: the suite must never
 * pass by not running a client. `.ci/run` installs all of them.
 */
export function requireClient(client: ClientName): void {
  switch (client) {
    case 'gcloud':
      gcloudSdkRoot();
      return;
    case 'node':
    case 'token-command':
      return; // google-auth-library is a dependency of the project; the token command comes with the action
    case 'python': {
      const thirdParty = path.join(gcloudSdkRoot(), 'lib', 'third_party', 'google', 'auth');
      if (!existsSync(thirdParty)) throw new Error(`gcloud's copy of google-auth is missing (${thirdParty}). ${GCLOUD_INSTALL}`);
      return;
    }
    case 'python-debian': {
      const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import google.auth.transport.requests'], { encoding: 'utf8' });
      if (probe.status !== 0) {
        throw new Error(`Debian's python3-google-auth is not importable by ${DEBIAN_PYTHON} (${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)}). Install it: sudo apt-get install -y python3-google-auth python3-requests`);
      }
      return;
    }
  }
}

/** The version each client reports, for logs and the docs table. */
export function clientVersion(client: ClientName): string {
  const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string =>
    spawnSync(command, args, { encoding: 'utf8', env }).stdout.trim();
  switch (client) {
    case 'gcloud':
      return readFileSync(path.join(gcloudSdkRoot(), 'VERSION'), 'utf8').trim();
    case 'node':
      return run(process.execPath, ['-p', 'require("google-auth-library/package.json").version'], { ...process.env, NODE_PATH: '' });
    case 'python':
      return run(gcloudPython(gcloudSdkRoot()), ['-c', 'import google.auth; print(google.auth.__version__)'], { ...process.env, PYTHONPATH: path.join(gcloudSdkRoot(), 'lib', 'third_party') });
    case 'python-debian':
      return run(DEBIAN_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("google-auth"))']);
    case 'token-command':
      return 'this checkout';
  }
}

export interface ClientOptions {
  fake: FakeGoogle;
  trap: EgressTrap;
  /** What the action added to PATH (StepResult.addedPath): where gemini-auth-token is. */
  addedPath?: string[];
  /** Default 60 000: gcloud alone takes about a second to start. */
  timeoutMs?: number;
}

/**
 * Asks `client` for an access token with the environment a later step of the
 * job would have: `exported` (the action's GITHUB_ENV), PATH and a fresh HOME.
 */
export async function runClient(client: ClientName, exported: Record<string, string>, options: ClientOptions): Promise<ClientResult> {
  requireClient(client);
  const home = mkdtempSync(path.join(os.tmpdir(), `gemini-auth-client-${client}-`));
  const egressBefore = options.trap.attempts.length;
  try {
    const env: Record<string, string> = {
      ...systemEnv(),
      ...exported,
      PATH: [...(options.addedPath ?? []), process.env['PATH'] ?? '/usr/bin:/bin'].join(path.delimiter),
      ...homeEnv(home),
      ...loopbackOnly(options.fake, options.trap),
    };
    const [command, args, spawnOptions] = commandLine(client, env, home);
    const started = performance.now();
    const { code, stdout, stderr } = await spawnWithTimeout(command, args, spawnOptions, env, home, options.timeoutMs ?? 60_000);
    const durationMs = performance.now() - started;
    const egress = options.trap.attempts.slice(egressBefore);
    if (client === 'gcloud' || client === 'token-command') {
      const token = code === 0 ? stdout.trim() : undefined;
      const error = code === 0 ? undefined : stderr.trim().split(/\r?\n/).filter((line) => line.trim() !== '').slice(-3).join('\n');
      return { client, code, token, error, projectId: undefined, credentialsClass: undefined, stdout, stderr, durationMs, egress };
    }
    const answer = lastJsonLine(stdout);
    return {
      client,
      code,
      token: typeof answer['token'] === 'string' ? answer['token'] : undefined,
      error: typeof answer['error'] === 'string' ? answer['error'] : code === 0 ? undefined : stderr.trim() || stdout.trim(),
      projectId: typeof answer['projectId'] === 'string' || answer['projectId'] === null ? (answer['projectId'] as string | null) : undefined,
      credentialsClass: typeof answer['client'] === 'string' ? answer['client'] : undefined,
      stdout,
      stderr,
      durationMs,
      egress,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * What keeps a client on loopback, and nothing that changes how it reads the
 * credentials: proxies to the trap (the fake is on NO_PROXY), the metadata
 * server of each client pointed at the fake (where probes are counted), and
 * gcloud's background calls (usage reporting, update checks, surveys) off.
 */
function loopbackOnly(fake: FakeGoogle, trap: EgressTrap): Record<string, string> {
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    HTTPS_PROXY: trap.url,
    https_proxy: trap.url,
    HTTP_PROXY: trap.url,
    http_proxy: trap.url,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    // google-auth-library (gcp-metadata) and Python google-auth.
    GCE_METADATA_HOST: fake.hostPort,
    GCE_METADATA_IP: fake.hostPort,
    // gcloud: its metadata root points at the fake too, but two settings keep it from asking at all:
    // it checks for GCE to fill in its user agent's environment, and for the universe domain, account and project.
    GCE_METADATA_ROOT: fake.hostPort,
    CLOUDSDK_METRICS_ENVIRONMENT: 'gemini-auth-tests',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  };
}

/** The command of `client`; gcloud and gemini-auth-token by name, as a later step calls them (on Windows, their .cmd through cmd). */
function commandLine(client: ClientName, env: Record<string, string>, home: string): [string, string[], { shell?: boolean }] {
  switch (client) {
    case 'gcloud':
      env['CLOUDSDK_CONFIG'] = path.join(home, 'gcloud');
      return commandFile('gcloud', ['auth', 'print-access-token']);
    case 'node':
      return [process.execPath, [NODE_SCRIPT], {}];
    case 'python': {
      const root = gcloudSdkRoot();
      env['PYTHONPATH'] = path.join(root, 'lib', 'third_party');
      env['PYTHONNOUSERSITE'] = '1';
      return [gcloudPython(root), ['-s', PYTHON_SCRIPT], {}];
    }
    case 'python-debian':
      env['PYTHONNOUSERSITE'] = '1';
      return [DEBIAN_PYTHON, ['-s', PYTHON_SCRIPT], {}];
    case 'token-command':
      // Its current token lives an hour; asking for 12 hours makes it refresh from the credentials file.
      return commandFile('gemini-auth-token', ['--min-lifetime', '43200']);
  }
}

function lastJsonLine(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split(/\r?\n/).at(-1) ?? '';
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function spawnWithTimeout(command: string, args: string[], options: { shell?: boolean }, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killProcess(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}
