// The real-client cells of the endpoint variables and the new file shapes. Same harness as
// clients.test.ts: the built action against the loopback fake, then each client in
// its own process with only the exported variables.
//   issue 11   export CLOUDSDK_AUTH_TOKEN_HOST (+ the STS and IAM Credentials overrides);
//              accept external_account_authorized_user and write it back as its own type
//   issue 16   accept the quickstart's token.json as authorized_user
//   issue 17.1 external_account + service_account → external_account with service_account_impersonation_url
//   issue 17.2 token_info_url ({sts}/v1/introspect) in external_account files when sts is overridden
//   issue 17.4 warn when workload identity leaves the project unknown
//   issue 19.7 workload identity + service_account: the project from the service account's email
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellTitle, checkClient, externalAccountJson, runActionForLaterSteps, startWorld, TARGET, type Expectation, type LaterSteps, type World } from './later-steps.ts';
import { runClient, type ClientName } from './run-client.ts';

let world: World;

before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const OAUTH2 = 'oauth2.googleapis.com:443';
const debianRefuses = (type: string): Expectation => ({ via: 'refused', error: new RegExp(`does not have a valid type\\. Type is ${type}, expected one of \\('authorized_user', 'service_account'\\)`) });

interface Case {
  name: string;
  inputs: (world: World) => Record<string, string>;
  env?: (world: World) => Record<string, string>;
  writes: string;
  /** Fields the credentials file must carry, with their values. */
  fileHas?: (world: World) => Record<string, unknown>;
  /** Variables the action must export, with their values. */
  exports?: (world: World) => Record<string, string>;
  cells: Partial<Record<ClientName, Expectation>>;
}

const GCLOUD_ENDPOINTS = (w: World): Record<string, string> => ({
  CLOUDSDK_AUTH_TOKEN_HOST: `${w.fake.url}/oauth2/token`,
  CLOUDSDK_API_ENDPOINT_OVERRIDES_STS: `${w.fake.url}/sts/`,
  CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${w.fake.url}/iamcredentials/`,
});

const CASES: Case[] = [
  {
    name: 'issue 11: authorized_user, gcloud through CLOUDSDK_AUTH_TOKEN_HOST',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json) }),
    writes: 'authorized_user',
    exports: GCLOUD_ENDPOINTS,
    cells: {
      gcloud: { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'issue 11: service_account, gcloud through CLOUDSDK_AUTH_TOKEN_HOST',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json) }),
    writes: 'service_account',
    exports: GCLOUD_ENDPOINTS,
    cells: {
      // gcloud asks for an access token, then for an ID token of the same key (the fake refuses that one; gcloud goes on).
      gcloud: { via: 'override', requests: ['token', 'token'], kind: 'service_account' },
    },
  },
  {
    name: 'issue 16: the quickstart token.json, written back as authorized_user',
    inputs: (w) => ({
      credentials_json: JSON.stringify({ token: 'ya29.stale', refresh_token: w.user.refreshToken, token_uri: 'https://oauth2.googleapis.com/token', client_id: w.user.clientId, client_secret: w.user.clientSecret, scopes: ['https://www.googleapis.com/auth/cloud-platform'], universe_domain: 'googleapis.com', account: '', expiry: '2025-05-01T12:00:00Z' }),
    }),
    writes: 'authorized_user',
    cells: {
      gcloud: { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
      // No project is known (the file has no quota_project_id): getClient() looks for one first, running
      // `gcloud config config-helper` (which refreshes through CLOUDSDK_AUTH_TOKEN_HOST) and asking the metadata server.
      node: { via: 'default', host: OAUTH2, requests: ['token', 'metadata'] },
      python: { via: 'default', host: OAUTH2, requests: [] },
      'python-debian': { via: 'default', host: OAUTH2, requests: [] },
      'token-command': { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'issue 17.1: external_account + service_account, an external_account with service_account_impersonation_url',
    inputs: (w) => ({ credentials_json: externalAccountJson(w), service_account: TARGET, project_id: 'gemini-project' }),
    writes: 'external_account',
    fileHas: (w) => ({ service_account_impersonation_url: `${w.fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken` }),
    cells: {
      gcloud: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      node: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      python: { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
  {
    name: 'issue 17.2: external_account with a file source, gcloud introspects through token_info_url',
    inputs: (w) => ({ credentials_json: externalAccountJson(w), project_id: 'gemini-project' }),
    writes: 'external_account',
    fileHas: (w) => ({ token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      gcloud: { via: 'override', requests: ['sts', 'introspect'], kind: 'federated' },
    },
  },
  {
    name: 'issue 17.2: workload identity, gcloud introspects through token_info_url',
    inputs: (w) => ({ workload_identity_provider: w.provider.name, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    writes: 'external_account',
    fileHas: (w) => ({ token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      gcloud: { via: 'override', requests: ['oidc', 'sts', 'introspect'], kind: 'federated' },
    },
  },
  {
    name: 'issue 19.7: workload identity + service_account without project_id, the project from the service account',
    inputs: (w) => ({ workload_identity_provider: w.provider.name, service_account: TARGET }),
    env: (w) => w.fake.oidcEnv,
    writes: 'external_account',
    exports: () => ({ GOOGLE_CLOUD_PROJECT: 'gemini-project', CLOUDSDK_CORE_PROJECT: 'gemini-project' }),
    cells: {
      node: { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
      python: { via: 'override', requests: ['oidc', 'sts', 'iamcredentials'], kind: 'service_account', principal: TARGET },
    },
  },
  {
    name: 'issue 11: external_account_authorized_user, written back as its own type',
    inputs: (w) => ({ credentials_json: JSON.stringify(w.workforce.json), project_id: 'gemini-project' }),
    writes: 'external_account_authorized_user',
    fileHas: (w) => ({ token_url: `${w.fake.url}/sts/v1/oauthtoken`, token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      // gcloud sends its own OAuth client (the fake's workforce user has it) and introspects for the account name.
      gcloud: { via: 'override', requests: ['sts', 'introspect'], kind: 'federated' },
      node: { via: 'override', requests: ['sts'], kind: 'federated' },
      python: { via: 'override', requests: ['sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account_authorized_user'),
      'token-command': { via: 'override', requests: ['sts'], kind: 'federated' },
    },
  },
];

describe('the clients of later steps, after the src/ changes of issues 11, 16, 17 and 19', () => {
  for (const testCase of CASES) {
    describe(testCase.name, () => {
      let steps: LaterSteps;
      before(async () => {
        steps = await runActionForLaterSteps(world, testCase.inputs(world), testCase.env?.(world) ?? {});
      });
      after(() => steps.dispose());

      it(`writes ${testCase.writes}${testCase.exports ? ' and exports what gcloud needs' : ''}`, () => {
        assert.equal(steps.run.file?.content.type, testCase.writes);
        for (const [field, value] of Object.entries(testCase.fileHas?.(world) ?? {})) assert.deepEqual(steps.run.file?.content[field], value, field);
        for (const [name, value] of Object.entries(testCase.exports?.(world) ?? {})) assert.equal(steps.run.main.exportedEnv[name], value, name);
      });

      for (const [client, expectation] of Object.entries(testCase.cells) as [ClientName, Expectation][]) {
        it(cellTitle(client, expectation), async () => {
          await checkClient(world, steps, client, expectation);
        });
      }
    });
  }

  describe('issue 17.4: workload identity without project_id', () => {
    let steps: LaterSteps;
    before(async () => {
      steps = await runActionForLaterSteps(world, { workload_identity_provider: world.provider.name }, world.fake.oidcEnv);
    });
    after(() => steps.dispose());

    it('warns that later steps cannot find the project', () => {
      assert.ok(steps.run.main.warnings.some((warning) => warning.includes('project_id')), `warnings: ${steps.run.main.warnings.join(' | ')}`);
    });

    it('node: getClient() looks the project up in Cloud Resource Manager and rethrows its refusal (a library limit)', async () => {
      world.fake.reset();
      const result = await runClient('node', steps.run.main.exportedEnv, { fake: world.fake, trap: world.trap });
      assert.notEqual(result.code, 0, 'node got a token without a project');
      assert.ok(result.egress.includes('cloudresourcemanager.googleapis.com:443'), `egress: ${result.egress.join(', ')}`);
      assert.ok(world.fake.count('metadata') > 0, 'it asked the metadata server for the project first');
    });
  });
});
