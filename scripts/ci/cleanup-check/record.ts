// A CI step after gemini-auth: checks that its files are where a later step sees them,
// and writes them down for cleanup-check's post step, which checks they are gone. The
// files: the credentials file (the credentials_file_path output, passed in as
// CREDENTIALS_FILE_PATH, which must also be GOOGLE_APPLICATION_CREDENTIALS) and the
// folder of gemini-auth-token (found on PATH).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

function fail(message: string): never {
  console.error(`::error::${message}`);
  process.exit(1);
}

const credentials = process.env['CREDENTIALS_FILE_PATH'] ?? '';
if (!credentials) fail('CREDENTIALS_FILE_PATH is empty: set it to the credentials_file_path output of gemini-auth.');
if (!existsSync(credentials)) fail(`The credentials file ${credentials} that gemini-auth named is not there in this step.`);
if (process.env['GOOGLE_APPLICATION_CREDENTIALS'] !== credentials) fail(`GOOGLE_APPLICATION_CREDENTIALS is ${process.env['GOOGLE_APPLICATION_CREDENTIALS']}, not the credentials_file_path output ${credentials}.`);

const bin = (process.env['PATH'] ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('gemini-auth-token')));
if (!bin) fail('No folder on PATH holds gemini-auth-token.');
const paths = [credentials, dirname(bin)];
writeFileSync(join(process.env['RUNNER_TEMP'] ?? '.', 'cleanup-check.json'), JSON.stringify(paths));
console.log(`These exist now and must be gone after the post step:\n${paths.join('\n')}`);
