// A CI step: starts the loopback fake of Google (test/support/fake-google-server.ts) in
// the background for the later steps of the job, waits until it is ready, and hands
// its values to those steps through $GITHUB_ENV (the server writes them). Its log goes
// to $RUNNER_TEMP/fake-google.log, not to this step's output, which the runner waits to
// see closed. Arguments are passed on to the server (e.g. --latency).
//   node scripts/ci/start-fake-google.ts
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../test/support/fake-google-server.ts', import.meta.url));
const READY_WITHIN_MS = 30_000;

const temp = process.env['RUNNER_TEMP'];
if (!temp || !process.env['GITHUB_ENV']) {
  console.error('start-fake-google: run me as a step of a GitHub Actions job ($RUNNER_TEMP and $GITHUB_ENV must be set).');
  process.exit(2);
}
const dotenv = join(temp, 'fake-google.env');
const log = join(temp, 'fake-google.log');
rmSync(dotenv, { force: true });

const output = openSync(log, 'w');
// Detached and unreferenced: it outlives this step; the runner ends it with the job.
const server = spawn(process.execPath, [SERVER, '--dotenv', dotenv, '--github-env', ...process.argv.slice(2)], { detached: true, stdio: ['ignore', output, output], windowsHide: true });
server.unref();
let exited: number | null | undefined;
server.on('exit', (code) => (exited = code));

const started = Date.now();
while (!existsSync(dotenv)) {
  if (exited !== undefined || Date.now() - started > READY_WITHIN_MS) {
    console.error(`start-fake-google: the fake ${exited !== undefined ? `exited with code ${exited}` : `was not ready within ${READY_WITHIN_MS / 1000} s`}. Its log:\n${readFileSync(log, 'utf8')}`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
// The log starts with ::add-mask:: for every secret, then the values: the runner hides them before it shows them.
process.stdout.write(readFileSync(log, 'utf8'));
console.log(`The fake of Google is running (pid ${server.pid}); its values are in the environment of the later steps.`);
