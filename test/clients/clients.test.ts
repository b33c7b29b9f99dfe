// Google's own clients in a later step of the job, on the files and variables the
// built action leaves (with `endpoints` pointing at the loopback fake, as for
// Private Service Connect): gcloud, google-auth-library (Node), Python google-auth
// as gcloud ships it, Debian's python3-google-auth, and gemini-auth-token. Each
// runs in its own process with only the exported variables, PATH and a fresh HOME.
// The cases are in cases.ts, which README's table of later steps is made from.
// Each system runs the cells of its own clients (run-client.ts, systemClients):
// Debian's package is Linux's alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CASES, COLUMNS } from './cases.ts';
import { cellTitle, checkClient, runActionForLaterSteps, startWorld, type Expectation, type LaterSteps, type World } from './later-steps.ts';
import { CLIENTS, clientVersion, requireClient, runClient, systemClients, type ClientName } from './run-client.ts';

const HERE = systemClients();

let world: World;

before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

describe('the clients of later steps', () => {
  it(`are all installed on ${process.platform}: ${HERE.join(', ')} (CI installs them: see .ci/run and ci.yml), in the versions README names`, (t) => {
    for (const client of CLIENTS) {
      if (!HERE.includes(client)) {
        t.diagnostic(`${client}: not a client on ${process.platform}; its cells run on Linux`);
        continue;
      }
      requireClient(client);
      const version = clientVersion(client);
      t.diagnostic(`${client}: ${version}`);
      const named = COLUMNS[client].version;
      if (named) assert.match(version, named, `README's column "${COLUMNS[client].heading}" names another version than the one installed`);
    }
  });

  for (const testCase of CASES) {
    describe(testCase.name, () => {
      let steps: LaterSteps;
      before(async () => {
        steps = await runActionForLaterSteps(world, testCase.inputs(world), testCase.env?.(world) ?? {});
      });
      after(() => steps.dispose());

      it(`writes ${testCase.row.writes}${testCase.exports ? ' and exports what gcloud needs' : ''}`, () => {
        assert.equal(steps.run.file?.content.type, testCase.row.writes, 'the type of the credentials file');
        for (const [field, value] of Object.entries(testCase.fileHas?.(world) ?? {})) assert.deepEqual(steps.run.file?.content[field], value, field);
        for (const [name, value] of Object.entries(testCase.exports?.(world) ?? {})) assert.equal(steps.run.main.exportedEnv[name], value, name);
      });

      for (const [client, expectation] of (Object.entries(testCase.cells) as [ClientName, Expectation][]).filter(([client]) => HERE.includes(client))) {
        it(cellTitle(client, expectation), async () => {
          await checkClient(world, steps, client, expectation);
        });
      }
    });
  }

  // Not a cell of README's table: the file is that of direct workload identity, whose cells
  // are cases above (with project_id); this is about the project, which the file lacks.
  // docs/troubleshooting.md's entry for the warning says what Node does then.
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
