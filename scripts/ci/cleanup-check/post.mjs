// cleanup-check, post: runs after gemini-auth's post step (see main.mjs) and fails the
// job if anything gemini-auth wrote is left: the paths record.ts wrote down, and any
// gemini-auth-* entry in RUNNER_TEMP.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const temp = process.env.RUNNER_TEMP;
const record = join(temp, 'cleanup-check.json');
const problems = new Set();
if (!existsSync(record)) {
  problems.add('nothing was recorded: the record step (scripts/ci/cleanup-check/record.ts) did not run after gemini-auth');
} else {
  for (const path of JSON.parse(readFileSync(record, 'utf8'))) if (existsSync(path)) problems.add(`${path} is still there`);
}
for (const name of readdirSync(temp)) if (name.startsWith('gemini-auth-')) problems.add(`${join(temp, name)} is still there`);
if (problems.size > 0) {
  process.stdout.write(`::error::gemini-auth's post step left files behind: ${[...problems].join('; ')}.\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`cleanup-check: gemini-auth's post step removed everything it wrote (${JSON.parse(readFileSync(record, 'utf8')).length} paths checked, none left in RUNNER_TEMP).\n`);
}
