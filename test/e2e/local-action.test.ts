// The local loop of CONTRIBUTING.md: @github/local-action runs the action's
// source (src/action/main.ts and post.ts export run()) with its own stand-in
// for @actions/core, against the loopback fake. No network: npm runs offline,
// so a lookup in the registry would fail the run instead of leaving the machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startFakeGoogle, type FakeGoogle, type FakeUser } from '../support/fake-google.ts';
import { commandFile, escapeRegExp, systemEnv } from '../support/platform.ts';
import { makeTempDir, secretForms } from '../support/runner.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOCAL_ACTION = join(ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');

let fake: FakeGoogle;
let user: FakeUser;
let dir: string;

before(async () => {
  fake = await startFakeGoogle();
});
after(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  dir = await makeTempDir('gemini-auth-local-action-');
  mkdirSync(join(dir, 'runner-temp'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  /** What the action printed: local-action's banner and tables left out. */
  output: string;
  /** Everything, for the leak scan. */
  whole: string;
  /** What `::set-output name=NAME::VALUE` lines gave, as local-action prints outputs. */
  outputs: Record<string, string>;
}

/** Runs `command` (Node, or a command file by its path: on Windows the .cmd, through cmd) with Node on PATH first, and waits without blocking the fake. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [file, fileArgs, options] = command === process.execPath ? [command, args, {}] : commandFile(command, args);
    const child = spawn(file, fileArgs, {
      ...options,
      cwd: ROOT,
      env: { ...systemEnv(), PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, HOME: dir, npm_config_offline: 'true', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
        const outputs = Object.fromEntries([...output.matchAll(/^::set-output name=(\w+)::(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
      // local-action's banner and tables first; what the action printed after them.
      resolve({ code, output: output.slice(Math.max(0, output.indexOf('Running Action'))), whole: output, outputs });
    });
  });
}

/** `npx @github/local-action run . ENTRY .env [--post post.ts]`, with the inputs in a .env as CONTRIBUTING.md shows. */
function localAction(entry: string, lines: string[], post?: string): Promise<Run> {
  const envFile = join(dir, '.env');
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return run(process.execPath, [LOCAL_ACTION, 'run', '.', entry, envFile, ...(post ? ['--post', post] : [])]);
}

function inputs(): string[] {
  return [
    `INPUT_CREDENTIALS_JSON=${Buffer.from(JSON.stringify(user.json)).toString('base64')}`,
    `INPUT_ENDPOINTS="${fake.endpointsInput.replaceAll('\n', '\\n')}"`,
    `RUNNER_TEMP=${join(dir, 'runner-temp')}`,
  ];
}

function assertNoSecret(text: string): void {
  for (const secret of fake.secrets()) for (const form of secretForms(secret)) assert.ok(!text.includes(form), `a secret (${secret.slice(0, 4)}…) is in local-action's output`);
}

describe('@github/local-action', () => {
  it('runs the main step and, with --post, the post step, which finds its state where local-action keeps it', async () => {
    const result = await localAction('src/action/main.ts', inputs(), 'src/action/post.ts');
    assert.equal(result.code, 0, result.output);
    assert.doesNotMatch(result.output, /::error::|does not export a run\(\) function/);
    assert.match(result.output, /::info::Minted a new access token for dev@example\.com\./);
    assert.equal(result.outputs.principal, 'dev@example.com');
    assert.equal(result.outputs.project_id, 'gemini-project');
    assert.match(result.output, /Skip output access_token since it may contain secret/, 'local-action knows the token is a secret: the action masked it');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token']);
    // local-action keeps saved state in memory and hands it to the post step in the same process.
    const folder = dirname(dirname(result.outputs.token_command ?? ''));
    assert.match(result.output, new RegExp(`::info::Removed ${escapeRegExp(folder)}\\.`));
    assert.match(result.output, new RegExp(`::info::Removed ${escapeRegExp(result.outputs.credentials_file_path ?? '')}\\.`));
    assert.deepEqual(readdirSync(join(dir, 'runner-temp')), [], 'the post step removed everything');
    assertNoSecret(result.whole);
  });

  it('installs a gemini-auth-token that runs from the source, and a post step alone does not see STATE_ variables of the .env', async () => {
    const main = await localAction('src/action/main.ts', inputs());
    assert.equal(main.code, 0, main.output);
    const command = main.outputs.token_command ?? '';
    assert.match(command, /[\\/]gemini-auth-[0-9a-f]{24}[\\/]bin[\\/]gemini-auth-token(\.cmd)?$/);

    const current = await run(command, []);
    assert.equal(current.code, 0, current.output);
    assert.equal(fake.issuedTokens.get(current.output.trim())?.principal, user.email, 'the token the main step minted');
    const refreshed = await run(command, ['--min-lifetime', '1h', '--json']);
    const line = refreshed.output.split('\n').find((text) => text.startsWith('{')) ?? '{}';
    assert.equal(fake.issuedTokens.get((JSON.parse(line) as { access_token?: string }).access_token ?? '')?.principal, user.email, 'refreshed from the source of the token command');
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token', 'token']);

    // Its @actions/core reads state only from what the main step saved in the same run; STATE_ variables are the runner's way.
    const post = await localAction('src/action/post.ts', [...inputs(), `STATE_cleanup_paths=${JSON.stringify([dirname(dirname(command))])}`]);
    assert.equal(post.code, 0, post.output);
    assert.doesNotMatch(post.output, /Removed/);
    assert.ok(existsSync(command), 'nothing removed: run the post step with --post in the same run');
  });
});
