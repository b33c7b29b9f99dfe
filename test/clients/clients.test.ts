// Google's own clients in a later step of the job, on the files and variables the
// built action leaves (with `endpoints` pointing at the loopback fake, as for
// Private Service Connect): gcloud, google-auth-library (Node), Python google-auth
// as gcloud ships it, Debian's python3-google-auth, and gemini-auth-token. Each
// runs in its own process with only the exported variables, PATH and a fresh HOME.
// The cells of gcloud's endpoint variables and of the newer file shapes are in endpoints-and-types.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellTitle, checkClient, externalAccountJson, impersonationUrl, runActionForLaterSteps, startWorld, TARGET, type Expectation, type LaterSteps, type World } from './later-steps.ts';
import { CLIENTS, clientVersion, requireClient, type ClientName } from './run-client.ts';

let world: World;

before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const OAUTH2 = 'oauth2.googleapis.com:443';
const IAMCREDENTIALS = 'iamcredentials.googleapis.com:443';
const debianRefuses = (type: string): Expectation => ({ via: 'refused', error: new RegExp(`does not have a valid type\\. Type is ${type}, expected one of \\('authorized_user', 'service_account'\\)`) });

interface Case {
  name: string;
  inputs: (world: World) => Record<string, string>;
  env?: (world: World) => Record<string, string>;
  /** The type of credentials file the action writes. */
  writes: string;
  cells: Partial<Record<ClientName, Expectation>>;
}

const CASES: Case[] = [
  {
    name: 'authorized_user (credentials_json)',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json) }),
    writes: 'authorized_user',
    cells: {
      node: { via: 'default', host: OAUTH2, requests: [] },
      python: { via: 'default', host: OAUTH2, requests: [] },
      'python-debian': { via: 'default', host: OAUTH2, requests: [] },
      'token-command': { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'service_account key',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json) }),
    writes: 'service_account',
    cells: {
      node: { via: 'default', host: OAUTH2, requests: [] },
      python: { via: 'override', requests: ['token'], kind: 'service_account' },
      'python-debian': { via: 'override', requests: ['token'], kind: 'service_account' },
      'token-command': { via: 'override', requests: ['token'], kind: 'service_account' },
    },
  },
  {
    name: 'authorized_user + service_account: impersonated_service_account with an authorized_user source',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json), service_account: TARGET }),
    writes: 'impersonated_service_account',
    cells: {
      // gcloud applies auth/token_host to the file's top-level credentials only, never to an impersonation source.
      gcloud: { via: 'default', host: OAUTH2, requests: [] },
      node: { via: 'default', host: OAUTH2, requests: [] },
      python: { via: 'default', host: OAUTH2, requests: [] },
      'python-debian': debianRefuses('impersonated_service_account'),
      'token-command': { via: 'override', requests: ['token', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
  {
    name: 'service_account + service_account: impersonated_service_account with a service_account source',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json), service_account: TARGET }),
    writes: 'impersonated_service_account',
    cells: {
      // The source follows its token_uri; the impersonation goes to Google's IAM Credentials host whatever the file's URL says.
      gcloud: { via: 'default', host: IAMCREDENTIALS, requests: ['token'] },
      node: { via: 'default', host: OAUTH2, requests: [] },
      python: { via: 'default', host: IAMCREDENTIALS, requests: ['token'] },
      'python-debian': debianRefuses('impersonated_service_account'),
      'token-command': { via: 'override', requests: ['token', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
  {
    name: 'external_account with service_account_impersonation_url (credentials_json), project_id',
    inputs: (w) => ({ credentials_json: externalAccountJson(w, { service_account_impersonation_url: impersonationUrl(TARGET) }), project_id: 'gemini-project' }),
    writes: 'external_account',
    cells: {
      gcloud: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      node: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      python: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
  {
    name: 'external_account with a file source (credentials_json), project_id',
    inputs: (w) => ({ credentials_json: externalAccountJson(w), project_id: 'gemini-project' }),
    writes: 'external_account',
    cells: {
      node: { via: 'override', requests: ['sts'], kind: 'federated' },
      python: { via: 'override', requests: ['sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['sts'], kind: 'federated' },
    },
  },
  {
    name: 'workload identity, project_id',
    inputs: (w) => ({ workload_identity_provider: w.provider.name, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    writes: 'external_account',
    cells: {
      node: { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
      python: { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
    },
  },
  {
    name: 'workload identity + service_account, project_id',
    inputs: (w) => ({ workload_identity_provider: w.provider.name, service_account: TARGET, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    writes: 'external_account',
    cells: {
      gcloud: { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      node: { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      python: { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
];

describe('the clients of later steps', () => {
  it('are all installed (CI installs them: see .ci/run)', (t) => {
    for (const client of CLIENTS) {
      requireClient(client);
      t.diagnostic(`${client}: ${clientVersion(client)}`);
    }
  });

  for (const testCase of CASES) {
    describe(testCase.name, () => {
      let steps: LaterSteps;
      before(async () => {
        steps = await runActionForLaterSteps(world, testCase.inputs(world), testCase.env?.(world) ?? {});
        assert.equal(steps.run.file?.content.type, testCase.writes, 'the type of the credentials file');
      });
      after(() => steps.dispose());

      for (const [client, expectation] of Object.entries(testCase.cells) as [ClientName, Expectation][]) {
        it(cellTitle(client, expectation), async () => {
          await checkClient(world, steps, client, expectation);
        });
      }
    });
  }
});
