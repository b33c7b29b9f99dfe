// The Action's corpus of bad inputs through the built CLI: each input becomes
// the option that mirrors it (credentials_json the variable
// GEMINI_AUTH_CREDENTIALS_JSON), and each case ends in exit 1 with one line
// `gemini-auth: CAUSE. Fix: FIX`, before any request it does not need, without
// a leak, both in a plain shell and in a GitHub Actions step (where the secrets
// of a refused input are masked too).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BAD_INPUTS, type BadInput } from '../support/bad-inputs.ts';
import { cliFailure, printedToken, runCli } from '../support/cli.ts';
import { startFakeGoogle } from '../support/fake-google.ts';
import { WINDOWS } from '../support/platform.ts';
import { makeTempDir } from '../support/runner.ts';

let scratch: string;
before(async () => {
  scratch = await makeTempDir();
});
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Where the CLI's words differ from the Action's: it names the option or the
 * variable the user gave (`--access-token-lifetime`, GEMINI_AUTH_CREDENTIALS_JSON)
 * where the Action names its input. The other cases keep the Action's pattern.
 */
const CLI_EXPECT: Record<string, RegExp> = {
  'truncated JSON': /^gemini-auth: The variable GEMINI_AUTH_CREDENTIALS_JSON is not valid JSON/,
  'a pretty-printed file cut short': /The variable GEMINI_AUTH_CREDENTIALS_JSON is not valid JSON/,
  'truncated base64 JSON': /The variable GEMINI_AUTH_CREDENTIALS_JSON is not valid JSON/,
  'a JSON array': /The variable GEMINI_AUTH_CREDENTIALS_JSON must hold a JSON object.* Fix: Set GEMINI_AUTH_CREDENTIALS_JSON to the whole content of a credentials file/,
  'a JSON string': /The variable GEMINI_AUTH_CREDENTIALS_JSON must hold a JSON object/,
  'an impersonated_service_account file without its source': /The impersonated_service_account GEMINI_AUTH_CREDENTIALS_JSON lacks the object source_credentials/,
  'a private_key that is not PEM': /private_key of the service_account GEMINI_AUTH_CREDENTIALS_JSON is not a PEM private key/,
  'an external_account without audience': /The external_account GEMINI_AUTH_CREDENTIALS_JSON lacks the field audience/,
  'a gdch_service_account key, with what to use instead': /The variable GEMINI_AUTH_CREDENTIALS_JSON is a gdch_service_account key: it signs in to Google Distributed Cloud.*Fix: For Google Cloud, use a service_account key/,
  'a PEM private key of junk': /The private_key of the service_account GEMINI_AUTH_CREDENTIALS_JSON cannot be read as an RSA private key/,
  'neither credential input': /No credentials: none of --credentials-file, GEMINI_AUTH_CREDENTIALS_JSON, --workload-identity-provider and GOOGLE_APPLICATION_CREDENTIALS is set/,
  'no id-token permission': /Workload identity needs an OIDC token from your CI, and none was found.* Fix: In GitLab CI, give the job `id_tokens:/,
  'a service_account that is no email': /The option --service-account must be a service account email, not "gemini-ci"/,
  'a delegate that is no email': /The option --delegates must be a service account email, not "not an email"/,
  'scopes of commas only': /The option --scopes is empty/,
  'a lifetime of 2 days': /The option --access-token-lifetime must be a duration.* Fix: Set --access-token-lifetime to a number of seconds/,
  'a lifetime past 12 hours': /The option --access-token-lifetime must be a duration from 1s to 43200s/,
  'negative retries': /The option --retries must be a whole number from 0 to 10, not "-1"\. Fix: Set --retries 0 or another number/,
  'a timeout of 0': /The option --timeout must be a duration/,
  // The CLI has no verify option: `gemini-auth verify` is a command of its own.
  'verify: maybe': /Unknown option '--verify'\. Fix: Run `gemini-auth token --help` for the options/,
  'a provider named by project ID': /The option --workload-identity-provider is not a provider resource name\. It names the project by ID \("my-project"\); it needs the project NUMBER/,
  'a quota_project_id with a line break': /The option --quota-project-id must be a project ID/,
  'a quota_project_id beyond Latin-1': /The option --quota-project-id must be a project ID/,
  'a project_id that is a name': /The option --project-id must be a project ID such as my-project-123, not "My Project"/,
  'a quota_project_id in the credentials with a line break': /The authorized_user GEMINI_AUTH_CREDENTIALS_JSON has a field quota_project_id that is not a project ID/,
  'delegates without service_account': /The option --delegates is set without --service-account/,
  'an external_account credential_source.url over plain http': /The field credential_source\.url of the external_account GEMINI_AUTH_CREDENTIALS_JSON is a plain http:\/\/ URL on evil\.example/,
  'a folder that is a symbolic link': /is a symbolic link.* Fix: Use the folder the link points to .*or pass --credentials-file-dir a folder of your own/,
};

/**
 * `credentials_json` goes into its variable, every other input to its option;
 * credentials_file_dir needs `login`, `verify: true` the command `verify` (any
 * other value stays an option, which the CLI does not have).
 */
function invocation(bad: BadInput): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { ...bad.env };
  const options: string[] = [];
  for (const [name, value] of Object.entries(bad.inputs)) {
    if (name === 'credentials_json') env.GEMINI_AUTH_CREDENTIALS_JSON = value;
    else if (!(name === 'verify' && value === 'true')) options.push(`--${name.replaceAll('_', '-')}=${value}`);
  }
  const command = 'credentials_file_dir' in bad.inputs ? 'login' : bad.inputs.verify === 'true' ? 'verify' : 'token';
  return { args: [command, ...options], env };
}

describe('the bad-input corpus through the CLI', { concurrency: 4 }, () => {
  for (const [name, build] of BAD_INPUTS) {
    it(name, async () => {
      const fake = await startFakeGoogle();
      try {
        const bad = build(fake, mkdtempSync(join(scratch, 'case-')));
        const { args, env } = invocation(bad);
        const secrets = bad.secrets ?? [];
        if (name === 'both credential inputs') {
          // The CLI takes the first credentials found: the credentials JSON, before any workload identity provider.
          const run = await runCli(fake, args, { env, secrets, answer: true });
          assert.match(cliFailure(run), /Google rejected the OAuth client 1234-abc\.apps\.googleusercontent\.com of GEMINI_AUTH_CREDENTIALS_JSON/);
          assert.deepEqual(fake.requests.map((request) => request.endpoint), ['token'], 'no OIDC token asked for, no STS exchange');
          return;
        }
        const plain = await runCli(fake, args, { env, secrets });
        if (WINDOWS && bad.takenOnWindows) {
          // No mode bits on Windows: the folder is taken, and login writes the credentials file into it.
          assert.equal(plain.code, 0, plain.stderr);
          assert.equal(readdirSync(bad.takenOnWindows).filter((file) => /^gemini-auth-[0-9a-f]+\.json$/.test(file)).length, 1);
          return;
        }
        assert.match(cliFailure(plain), CLI_EXPECT[name] ?? bad.expect);
        assert.equal(fake.requests.length, bad.requests ?? 0, 'no request it did not need');
        bad.check?.();

        fake.reset();
        const step = await runCli(fake, args, { env, secrets, githubActions: true });
        assert.equal(cliFailure(step), cliFailure(plain), 'the same line in a GitHub Actions step');
        for (const value of bad.masked ?? []) assert.ok(step.masks.includes(value), 'a secret of a refused input is masked too');
      } finally {
        await fake.close();
      }
    });
  }
});

describe('a credentials JSON that works, for contrast', () => {
  it('gives a token on the same path', async () => {
    const fake = await startFakeGoogle();
    try {
      const user = fake.addUser();
      const run = await runCli(fake, ['token'], { env: { GEMINI_AUTH_CREDENTIALS_JSON: JSON.stringify(user.json) }, answer: true });
      assert.ok(fake.issuedTokens.has(printedToken(run)));
    } finally {
      await fake.close();
    }
  });
});
