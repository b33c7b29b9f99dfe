// Runs the built action the way a GitHub runner would, against the loopback
// fake of Google in test/support, and prints what a workflow would see: the
// step log (with masked values shown as ***), outputs, exported variables,
// the job summary, and a later step that calls the Gemini API with the token.
// No Google account and no network are needed.
import { existsSync, rmSync } from 'node:fs';
import { MAIN, POST } from '../test/support/action.ts';
import { startFakeGoogle } from '../test/support/fake-google.ts';
import { makeTempDir, runStep, type StepResult } from '../test/support/runner.ts';

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** What the Actions UI shows: workflow commands hidden, masked values as ***. */
function runnerLog(step: StepResult): string {
  const masks = [...step.masks].sort((a, b) => b.length - a.length);
  return step.stdout
    .split('\n')
    .filter((line) => !/^::(add-mask|debug|endgroup)::/.test(line))
    .map((line) => line.replace(/^::group::/, '▾ '))
    .map((line) => masks.reduce((text, mask) => text.split(mask).join('***'), line))
    .map((line) => `  | ${line}`)
    .join('\n');
}

function show(title: string, values: Record<string, string>, masks: string[]): void {
  console.log(bold(title));
  for (const [name, value] of Object.entries(values)) console.log(`  ${name} = ${masks.includes(value) ? '*** (masked)' : value}`);
}

const fake = await startFakeGoogle();
const runnerTemp = await makeTempDir('gemini-auth-demo-temp-');
const workspace = await makeTempDir('gemini-auth-demo-workspace-');
try {
  const user = fake.addUser({ email: 'you@example.com', quotaProjectId: 'my-gemini-project' });
  const inputs = { credentials_json: JSON.stringify(user.json), verify: 'true', verify_model: 'gemini-2.5-flash', endpoints: fake.endpointsInput };
  console.log(bold('Workflow step:'));
  console.log('  - uses: gemini-auth/gemini-auth@v1\n    id: auth\n    with:\n      credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}   # the authorized_user JSON of the OAuth quickstart\n      verify: true\n      verify_model: gemini-2.5-flash\n');
  console.log(`(Google is played by a loopback fake at ${fake.url}.)\n`);

  const main = await runStep(MAIN, { inputs, runnerTemp, workspace });
  console.log(bold(`Step log (exit code ${main.code}):`));
  console.log(runnerLog(main), '\n');
  show('Outputs (steps.auth.outputs.*):', main.outputs, main.masks);
  show('\nExported to later steps:', main.exportedEnv, main.masks);
  console.log(bold('\nJob summary (markdown):'));
  console.log(main.summary.trim().replace(/^/gm, '  '), '\n');

  const requestsOfTheAction = fake.requests.map((r) => r.endpoint).join(', ');
  const token = main.outputs.access_token ?? '';
  const models = await fetch(`${fake.url}/generativelanguage/v1beta/models`, { headers: { authorization: `Bearer ${token}`, 'x-goog-user-project': 'my-gemini-project' } });
  // The token reaches a later step through env:, never as ${{ }} inside run:, where the runner would paste it into the script's text.
  console.log(bold('A later step:'));
  console.log('  - env:\n      TOKEN: ${{ steps.auth.outputs.access_token }}\n    run: curl -H "Authorization: Bearer $TOKEN" -H "x-goog-user-project: $GOOGLE_CLOUD_QUOTA_PROJECT" .../v1beta/models');
  console.log(`  HTTP ${models.status}: ${((await models.json()) as { models: unknown[] }).models.length} models\n`);

  const file = main.outputs.credentials_file_path ?? '';
  const post = await runStep(POST, { inputs, runnerTemp, workspace, state: main.state });
  console.log(bold(`Post step log (exit code ${post.code}):`));
  console.log(runnerLog(post));
  console.log(`\nCredentials file ${file} ${existsSync(file) ? 'is still there' : 'is gone'}.`);
  console.log(`Requests the action made: ${requestsOfTheAction}.`);
  process.exitCode = main.code === 0 && post.code === 0 ? 0 : 1;
} finally {
  await fake.close();
  for (const dir of [runnerTemp, workspace]) rmSync(dir, { recursive: true, force: true });
}
