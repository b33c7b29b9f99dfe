// The setting of the real-client suite: a loopback fake of Google with one of each
// identity, the egress trap, the built action run once per case (its credentials
// file kept for the later steps), and the check of what one client did with it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAction, type ActionRun } from '../support/action.ts';
import { startFakeGoogle, type Endpoint, type FakeGoogle, type FakeProvider, type FakeUser, type FakeWorkforceUser, type ServiceAccountKey, type TokenKind } from '../support/fake-google.ts';
import { startEgressTrap, type EgressTrap } from './egress-trap.ts';
import { runClient, type ClientName, type ClientResult } from './run-client.ts';

export const TARGET = 'gemini-target@gemini-project.iam.gserviceaccount.com';

export interface World {
  fake: FakeGoogle;
  trap: EgressTrap;
  user: FakeUser;
  key: ServiceAccountKey;
  provider: FakeProvider;
  workforce: FakeWorkforceUser;
  /** A private folder for subject-token files. */
  dir: string;
  close(): Promise<void>;
}

/** Every principal here may impersonate TARGET. */
export async function startWorld(): Promise<World> {
  const fake = await startFakeGoogle();
  const trap = await startEgressTrap();
  const user = fake.addUser({ email: 'dev@example.com', quotaProjectId: 'gemini-project' });
  const key = fake.addServiceAccountKey({ projectId: 'gemini-project' });
  const provider = fake.addProvider();
  const workforce = fake.addWorkforceUser();
  for (const principal of [user.email, key.email, `principalSet://iam.googleapis.com/${provider.pool}/*`, `principalSet://iam.googleapis.com/${workforce.pool}/*`]) {
    fake.grantTokenCreator(TARGET, principal);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gemini-auth-clients-'));
  return {
    fake,
    trap,
    user,
    key,
    provider,
    workforce,
    dir,
    close: async () => {
      rmSync(dir, { recursive: true, force: true });
      await trap.close();
      await fake.close();
    },
  };
}

/** An external_account with a file source holding a token the provider accepts (for five minutes), as credentials_json. */
export function externalAccountJson(world: World, extra: Record<string, unknown> = {}): string {
  const file = path.join(world.dir, `subject-${Date.now()}-${Math.random().toString(36).slice(2)}.jwt`);
  writeFileSync(file, world.fake.mintOidcToken({}, world.provider.allowedAudiences[0]), { mode: 0o600 });
  return JSON.stringify({
    type: 'external_account',
    audience: world.provider.stsAudience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: { file },
    ...extra,
  });
}

export function impersonationUrl(serviceAccount: string): string {
  return `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`;
}

export interface LaterSteps {
  run: ActionRun;
  dispose(): void;
}

/** Runs the built action's main step (with the fake's endpoints) and keeps its files for the later steps. */
export async function runActionForLaterSteps(world: World, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<LaterSteps> {
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'gemini-auth-clients-runner-'));
  const run = await runAction(world.fake, inputs, { env, runnerTemp, skipPost: true });
  assert.equal(run.main.code, 0, `the action failed: ${run.main.errors.join(' | ')}`);
  return { run, dispose: () => rmSync(runnerTemp, { recursive: true, force: true }) };
}

/**
 * The URL fields of a credentials file that a client may not follow, each with
 * the host of Google's that such a client goes to instead.
 */
const GOOGLE_HOST_INSTEAD_OF = {
  token_uri: 'oauth2.googleapis.com:443',
  'source_credentials.token_uri': 'oauth2.googleapis.com:443',
  service_account_impersonation_url: 'iamcredentials.googleapis.com:443',
} as const;
export type IgnoredField = keyof typeof GOOGLE_HOST_INSTEAD_OF;

/**
 * What a client must do with the files and variables the action left:
 * - override: refresh through the fake (the overridden endpoints), making exactly `requests`;
 * - default: ignore the overridden URL in the file's field `ignores` and go for Google's own
 *   host instead (a limit of the library), after `requests` reached the fake (a source token, say);
 * - refused: fail at once with an error that says `error`, asking nothing of anyone.
 */
export type Expectation =
  | { via: 'override'; requests: Endpoint[]; kind: TokenKind; principal?: string }
  | { via: 'default'; ignores: IgnoredField; requests: Endpoint[] }
  | { via: 'refused'; error: string };

export async function checkClient(world: World, steps: LaterSteps, client: ClientName, expectation: Expectation): Promise<ClientResult> {
  world.fake.reset();
  const result = await runClient(client, steps.run.main.exportedEnv, { fake: world.fake, trap: world.trap, addedPath: steps.run.main.addedPath });
  const made = world.fake.requests.map((request) => request.endpoint);
  const said = `${client} exited ${String(result.code)}: ${result.error ?? result.stdout}`;
  switch (expectation.via) {
    case 'override': {
      assert.equal(result.code, 0, said);
      const issued = world.fake.issuedTokens.get(result.token ?? '');
      assert.ok(issued, `${client} printed a token the fake did not issue`);
      assert.equal(issued.kind, expectation.kind);
      if (expectation.principal) assert.equal(issued.principal, expectation.principal);
      assert.deepEqual(made, expectation.requests, `what ${client} asked the fake`);
      assert.deepEqual(result.egress, [], `${client} reached beyond loopback`);
      break;
    }
    case 'default': {
      // The file points that field at the fake: going elsewhere is the client's doing.
      const url = fieldAt(steps.run.file?.content, expectation.ignores);
      assert.ok(typeof url === 'string' && url.startsWith(`${world.fake.url}/`), `the file's ${expectation.ignores} is ${String(url)}, not the overridden endpoint`);
      assert.notEqual(result.code, 0, `${client} got a token, though it was expected to go to Google`);
      assert.deepEqual(made, expectation.requests, `what ${client} asked the fake before going to Google`);
      assert.equal(result.egress[0], GOOGLE_HOST_INSTEAD_OF[expectation.ignores], `where ${client} went instead of the fake (${said})`);
      break;
    }
    case 'refused':
      assert.notEqual(result.code, 0, `${client} got a token, though it was expected to refuse the file`);
      assert.ok((result.error ?? '').includes(expectation.error), `${client} refused with another error than "${expectation.error}": ${said}`);
      assert.deepEqual(made, [], `${client} made requests to the fake`);
      assert.deepEqual(result.egress, [], `${client} reached beyond loopback`);
      break;
  }
  return result;
}

/** The value at a dotted path (`source_credentials.token_uri`) of a JSON object. */
function fieldAt(json: Record<string, unknown> | undefined, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), json);
}

/** A readable title for a client's cell. */
export function cellTitle(client: ClientName, expectation: Expectation): string {
  switch (expectation.via) {
    case 'override':
      return `${client}: refreshes through the overridden endpoints (${expectation.requests.join(' + ')})`;
    case 'default':
      return `${client}: ignores ${expectation.ignores}, goes to ${GOOGLE_HOST_INSTEAD_OF[expectation.ignores]} (a library limit)`;
    case 'refused':
      return `${client}: refuses the file (${expectation.error})`;
  }
}

/** A client's cell in README's table of later steps (see cases.ts). */
export function readmeCell(expectation: Expectation): string {
  switch (expectation.via) {
    case 'override':
      return '✅';
    case 'default':
      return `✅ Google's endpoint only (ignores \`${expectation.ignores}\`)`;
    case 'refused':
      return `❌ refuses it: \`${expectation.error}\``;
  }
}
