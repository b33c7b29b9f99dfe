// The credentials file of `gemini-auth login` with workload identity, read by
// Google's own clients in a later process that has only the variables login
// printed: gcloud, google-auth-library (Node) and Python google-auth as gcloud
// ships it. For a CI token held in a variable the file reads a 0600 copy; for
// a token file, the file itself. Each client must get its token from the fake's
// STS, and nothing may leave loopback.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEgressTrap, type EgressTrap } from '../clients/egress-trap.ts';
import { runClient, type ClientName } from '../clients/run-client.ts';
import { runCli } from '../support/cli.ts';
import { startFakeGoogle, type FakeGoogle, type FakeProvider } from '../support/fake-google.ts';

const ISSUER = 'https://gitlab.com';
const CLIENTS: ClientName[] = ['gcloud', 'node', 'python'];
let fake: FakeGoogle;
let trap: EgressTrap;
let provider: FakeProvider;
let dir: string;

before(async () => {
  fake = await startFakeGoogle();
  trap = await startEgressTrap();
  provider = fake.addProvider({ issuer: ISSUER });
  dir = mkdtempSync(join(tmpdir(), 'gemini-auth-cli-clients-'));
});
after(async () => {
  await trap.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const ciToken = (): string => fake.mintOidcToken({ iss: ISSUER, aud: `https://iam.googleapis.com/${provider.name}`, sub: 'project_path:acme/gemini-app:ref_type:branch:ref:main' });

/** `login --format json` into a folder of the test's, then each client with only what it printed. */
async function clientsAfterLogin(args: string[], env: Record<string, string>): Promise<void> {
  // With the project known, the libraries do not look it up (a federated principal may not, and they would ask the metadata server first).
  const run = await runCli(fake, ['login', '--format', 'json', '--workload-identity-provider', provider.name, '--project-id', 'gemini-project', '--credentials-file-dir', mkdtempSync(join(dir, 'login-')), ...args], { env });
  assert.equal(run.code, 0, run.stderr);
  const exported = JSON.parse(run.stdout) as Record<string, string>;
  for (const client of CLIENTS) {
    const result = await runClient(client, exported, { fake, trap });
    assert.equal(result.code, 0, `${client}: ${result.error ?? result.stderr}`);
    assert.equal(fake.issuedTokens.get(result.token ?? '')?.kind, 'federated', `${client} got a federated token from the fake's STS`);
    assert.deepEqual(result.egress, [], `${client} left loopback`);
  }
}

describe('the credentials file of login, read by Google\'s clients', () => {
  it('a CI token held in a variable (GitLab\'s id_tokens): the copy beside the file', async () => {
    await clientsAfterLogin([], { GITLAB_CI: 'true', GEMINI_AUTH_OIDC_TOKEN: ciToken() });
  });

  it('a token file: the file itself', async () => {
    const path = join(dir, 'token.jwt');
    writeFileSync(path, ciToken());
    await clientsAfterLogin(['--oidc-token-file', path], {});
  });
});
