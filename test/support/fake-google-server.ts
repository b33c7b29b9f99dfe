// The loopback fake of Google as a process of its own, for CI on real runners, the
// benchmark's users and trying the action by hand:
//
//   node test/support/fake-google-server.ts [--port N] [--latency] [--dotenv PATH] [--github-env]
//
// It sets up a demo user (authorized_user credentials), a service-account key, a
// workload identity provider whose GitHub principals may impersonate a service
// account, and the fake GitHub OIDC token service, then prints what a workflow needs
// on stdout as dotenv lines (one per line; see `dotenvLine`) and serves until SIGTERM
// or SIGINT. `--latency` puts each service on a port of its own behind the runner
// latency model (latency.ts). `--dotenv` writes the same lines to a file, last of all,
// so that the file's existence says the fake is ready. (Not `--env-file`: Node takes an
// argument of that name for its own option even after the script's path, nodejs/node#54232.)
// `--github-env` appends the values to $GITHUB_ENV for the later steps of a job, and
// first prints ::add-mask:: for every secret: in real use credentials come from
// `secrets.*`, which the runner masks.
import { appendFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { EOL } from 'node:os';
import { parseArgs } from 'node:util';
import { startFakeGoogle, type FakeGoogle } from './fake-google.ts';
import { RUNNER_LATENCY, startLatencyLayer, type LatencyLayer } from './latency.ts';

const USAGE = `Usage: node test/support/fake-google-server.ts [--port N] [--latency] [--dotenv PATH] [--github-env]
  --port N          listen on 127.0.0.1:N (with --latency, the service hosts take N+1 to N+5); default: free ports
  --latency         each service on a host of its own, 40 ms a request and 80 ms a new connection
  --dotenv PATH     write the values as a dotenv file once ready; removed on exit
  --github-env      append the values to $GITHUB_ENV and print ::add-mask:: for each secret first`;

const QUOTA_PROJECT = 'gemini-auth-demo';
const IMPERSONATED = `gemini-ci@${QUOTA_PROJECT}.iam.gserviceaccount.com`;

/** What a workflow needs, by the names it is printed and exported under. */
function setUpDemo(fake: FakeGoogle, layer: LatencyLayer | undefined): Record<string, string> {
  const user = fake.addUser({ email: 'demo@example.com', quotaProjectId: QUOTA_PROJECT });
  const key = fake.addServiceAccountKey({ email: `gemini-key@${QUOTA_PROJECT}.iam.gserviceaccount.com`, projectId: QUOTA_PROJECT });
  const provider = fake.addProvider();
  fake.grantTokenCreator(IMPERSONATED, fake.principalSetForRepository(provider, 'octo-org/octo-repo'));
  const service = (name: 'oauth2' | 'sts' | 'iamcredentials' | 'generativelanguage'): string => layer?.urls[name] ?? `${fake.url}/${name}`;
  const oidc = layer?.oidcEnv ?? fake.oidcEnv;
  return {
    FAKE_GOOGLE_URL: fake.url,
    FAKE_GOOGLE_PID: String(process.pid),
    FAKE_GOOGLE_OAUTH2_URL: service('oauth2'),
    FAKE_GOOGLE_STS_URL: service('sts'),
    FAKE_GOOGLE_IAMCREDENTIALS_URL: service('iamcredentials'),
    FAKE_GOOGLE_GENERATIVELANGUAGE_URL: service('generativelanguage'),
    // The action's endpoints input (one key=URL a line); the CLI's --endpoints also takes commas.
    FAKE_GOOGLE_ENDPOINTS: layer?.endpointsInput ?? fake.endpointsInput,
    FAKE_GOOGLE_CREDENTIALS_JSON: JSON.stringify(user.json),
    FAKE_GOOGLE_SERVICE_ACCOUNT_KEY_JSON: JSON.stringify({ ...key.json, token_uri: `${service('oauth2')}/token` }),
    FAKE_GOOGLE_PROJECT_ID: QUOTA_PROJECT,
    FAKE_GOOGLE_WORKLOAD_IDENTITY_PROVIDER: provider.name,
    FAKE_GOOGLE_SERVICE_ACCOUNT: IMPERSONATED,
    ACTIONS_ID_TOKEN_REQUEST_URL: oidc['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '',
  };
}

/**
 * One dotenv line, as `node --env-file`, util.parseEnv and the dotenv package read it:
 * bare when the value needs no quoting, single-quoted (taken literally: JSON keeps its
 * `\n` escapes) when it is one line, double-quoted with `\n` for line breaks otherwise.
 */
function dotenvLine(name: string, value: string): string {
  if (/^[\w.:/@?=,+-]*$/.test(value)) return `${name}=${value}`;
  if (!/[\r\n']/.test(value)) return `${name}='${value}'`;
  if (/["\\\r]/.test(value)) throw new Error(`${name}: a value with line breaks and quotes or backslashes has no safe dotenv form`);
  return `${name}="${value.replace(/\n/g, '\\n')}"`;
}

/** One $GITHUB_ENV entry in the heredoc form, which keeps any value whole, line breaks included. */
function githubEnvEntry(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomBytes(16).toString('hex')}`;
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/**
 * The runner masks line by line: a secret of several lines (a PEM key) is masked one
 * line at a time, and in its JSON-escaped one-line form, as it shows inside a key's JSON.
 */
function maskCommands(secrets: string[]): string {
  const lines = secrets.flatMap((secret) => {
    if (!/\n/.test(secret)) return [secret];
    const parts = secret.split(/\r?\n/).filter((line) => line.trim().length >= 8 && !line.startsWith('-----'));
    return [...parts, JSON.stringify(secret).slice(1, -1)];
  });
  return [...new Set(lines)].map((line) => `::add-mask::${line}\n`).join('');
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      latency: { type: 'boolean', default: false },
      dotenv: { type: 'string' },
      'github-env': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65530) throw new Error(`--port must be a port number, not "${args.port}"`);
  const githubEnv = process.env['GITHUB_ENV'];
  if (args['github-env'] && !githubEnv) throw new Error('--github-env needs $GITHUB_ENV: it is for a step of a GitHub Actions job');

  const fake = await startFakeGoogle({ port });
  const layer = args.latency ? await startLatencyLayer(fake, RUNNER_LATENCY, port === 0 ? 0 : port + 1) : undefined;
  const values = setUpDemo(fake, layer);
  const envFile = args.dotenv;

  const stop = (): void => {
    if (envFile) rmSync(envFile, { force: true });
    void Promise.all([layer?.close(), fake.close()]).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const dotenv = Object.entries(values).map(([name, value]) => `${dotenvLine(name, value)}\n`).join('');
  // Synchronous writes, in this order: whoever sees the env file may read everything else.
  writeSync(1, (args['github-env'] ? maskCommands(fake.secrets()) : '') + dotenv);
  if (args['github-env'] && githubEnv) appendFileSync(githubEnv, Object.entries(values).map(([name, value]) => githubEnvEntry(name, value)).join(''));
  if (envFile) {
    writeFileSync(`${envFile}.tmp`, dotenv, { mode: 0o600 });
    renameSync(`${envFile}.tmp`, envFile);
  }
}

main().catch((error: unknown) => {
  console.error(`fake-google-server: ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(2);
});
