// gemini_api: vertex through the built action: the Model Garden lookup (one
// request), countTokens in the project and location with verify_model (one more),
// each refusal with its fix, and the variables the Google Gen AI SDK reads.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { type FakeGoogle, type ServiceAccountKey } from '../support/fake-google.ts';
import { useFakeGoogle } from '../support/use-fake.ts';
import { removeJob, runTokenJob } from '../support/job.ts';

const PROJECT = 'vertex-project';
const GENAI_SETTINGS = fileURLToPath(new URL('../support/genai-settings.ts', import.meta.url));

let fake: FakeGoogle;
let key: ServiceAccountKey;
let serial = 0;

useFakeGoogle(
  (started) => (fake = started),
  () => {
    // A new account each test: grants of Vertex AI roles outlive reset().
    key = fake.addServiceAccountKey({ email: `vertex-ci-${++serial}@${PROJECT}.iam.gserviceaccount.com`, projectId: PROJECT });
  },
);

const vertex = (inputs: Record<string, string> = {}): Record<string, string> => ({ credentials_json: JSON.stringify(key.json), gemini_api: 'vertex', verify: 'true', ...inputs });

/** The requests after the token grant, as `METHOD path`. */
function calls(): string[] {
  return fake.requests.filter((request) => request.endpoint !== 'token').map((request) => `${request.method} ${request.path}`);
}

/** Grants what the fix's gcloud command grants, so that a re-run proves the fix right. */
function applyIamFix(message: string): void {
  const command = /`gcloud projects add-iam-policy-binding (\S+) --member="([^"]+)" --role=roles\/aiplatform\.user`/.exec(message);
  assert.ok(command, `the fix gives the command: ${message}`);
  fake.grantVertexUser(command[1]!, command[2]!);
}

describe('gemini_api: vertex', () => {
  it('without verify_model: one request, the Model Garden lookup billed to the project; the outputs and the Gen AI variables', async () => {
    const { main } = await runAction(fake, vertex());
    assert.equal(main.code, 0, main.stdout);
    assert.deepEqual(calls(), ['GET /aiplatform/v1/publishers/google/models/gemini-2.5-flash']);
    const lookup = fake.requests.find((request) => request.endpoint === 'publisherModel');
    assert.equal(lookup?.headers['x-goog-user-project'], PROJECT, 'the path names no project: the header does');
    assert.equal(lookup?.headers.authorization, `Bearer ${main.outputs.access_token}`);
    assert.deepEqual(JSON.parse(main.outputs.models ?? ''), ['publishers/google/models/gemini-2.5-flash']);
    assert.equal(main.outputs.verified, 'true');
    assert.equal(main.exportedEnv.GOOGLE_GENAI_USE_VERTEXAI, 'true');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_PROJECT, PROJECT);
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_LOCATION, 'global');
    assert.match(main.stdout, /^Vertex AI location: global$/m);
    assert.match(main.stdout, /^Vertex AI model: publishers\/google\/models\/gemini-2\.5-flash$/m);
    assert.match(main.summary, /verified on Vertex AI: publishers\/google\/models\/gemini-2\.5-flash found/);
    assert.deepEqual(main.warnings, []);
  });

  it('with verify_model: one more request, countTokens in the project and location, for each form of location', async () => {
    fake.grantVertexUser(PROJECT, `serviceAccount:${key.email}`);
    for (const location of ['global', 'us-central1', 'us', 'eu']) {
      fake.requests.length = 0;
      fake.vertexModels.get('gemini-2.5-flash')?.add(location);
      const { main } = await runAction(fake, vertex({ vertex_location: location, verify_model: 'gemini-2.5-flash' }));
      assert.equal(main.code, 0, main.stdout);
      assert.deepEqual(calls(), [
        'GET /aiplatform/v1/publishers/google/models/gemini-2.5-flash',
        `POST /aiplatform/v1/projects/${PROJECT}/locations/${location}/publishers/google/models/gemini-2.5-flash:countTokens`,
      ]);
      const count = fake.requests.find((request) => request.endpoint === 'vertexCountTokens');
      assert.equal(count?.headers['x-goog-user-project'], PROJECT);
      assert.deepEqual(JSON.parse(count?.body ?? ''), { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
      assert.equal(main.outputs.verified, 'true');
      assert.equal(main.exportedEnv.GOOGLE_CLOUD_LOCATION, location);
      assert.match(main.stdout, /^Callable \(countTokens\): publishers\/google\/models\/gemini-2\.5-flash$/m);
      assert.match(main.summary, new RegExp(`publishers/google/models/gemini-2\\.5-flash callable in ${location}`));
    }
  });

  it('takes verify_model as an id, models/ID or publishers/google/models/ID', async () => {
    fake.grantVertexUser(PROJECT, key.email);
    for (const model of ['gemini-2.5-pro', 'models/gemini-2.5-pro', 'publishers/google/models/gemini-2.5-pro']) {
      fake.requests.length = 0;
      const { main } = await runAction(fake, vertex({ verify_model: model }));
      assert.equal(main.code, 0, main.stdout);
      assert.deepEqual(JSON.parse(main.outputs.models ?? ''), ['publishers/google/models/gemini-2.5-pro']);
      assert.equal(fake.count('vertexCountTokens'), 1);
    }
  });

  it('without a project fails before any request, saying to set project_id', async () => {
    const user = fake.addUser({ email: 'no-project@example.com' });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), gemini_api: 'vertex', verify: 'true' });
    const message = failure(main);
    assert.match(message, /Verifying Gemini on Vertex AI needs a project, and none is known/);
    assert.match(message, /Fix: Set the input project_id/);
    assert.equal(fake.requests.length, 0);
  });

  it('without verify and without a project: warns that the Gen AI SDK will lack GOOGLE_CLOUD_PROJECT', async () => {
    const user = fake.addUser({ email: 'no-project@example.com' });
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(user.json), gemini_api: 'vertex' });
    assert.equal(main.code, 0, main.stdout);
    assert.equal(main.exportedEnv.GOOGLE_GENAI_USE_VERTEXAI, 'true');
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_PROJECT, undefined);
    assert.ok(main.warnings.some((warning) => /no project is known, so GOOGLE_CLOUD_PROJECT is not exported/.test(warning)), JSON.stringify(main.warnings));
  });

  it('refuses a vertex_location that is not a location, a bad gemini_api, and a bad verify_model, before any request', async () => {
    for (const [inputs, pattern] of [
      [{ vertex_location: 'evil.example/x#' }, /The input vertex_location "evil\.example\/x#" is not a Vertex AI location\. Fix: Use global/],
      [{ vertex_location: 'US-CENTRAL1' }, /vertex_location "US-CENTRAL1" is not a Vertex AI location/],
      [{ vertex_location: 'us-central1.attacker.example' }, /is not a Vertex AI location/],
      [{ gemini_api: 'aistudio' }, /The input gemini_api must be generativelanguage or vertex, not "aistudio"/],
      [{ verify_model: 'gemini-2.5-flash/../../x' }, /The input verify_model "gemini-2\.5-flash\/\.\.\/\.\.\/x" is not a model id/],
      // The input is refused as it is read, before verify's own check of the project.
      [{ project_id: 'my project' }, /The input project_id must be a project ID such as my-project-123, not "my project"/],
    ] as const) {
      const { main } = await runAction(fake, vertex(inputs));
      assert.match(failure(main), pattern);
    }
    assert.equal(fake.requests.length, 0);
  });

  it('warns that vertex_location does nothing without gemini_api: vertex', async () => {
    const { main } = await runAction(fake, { credentials_json: JSON.stringify(key.json), vertex_location: 'europe-west4' });
    assert.equal(main.code, 0, main.stdout);
    assert.ok(main.warnings.some((warning) => /vertex_location is europe-west4, but gemini_api is generativelanguage/.test(warning)), JSON.stringify(main.warnings));
    assert.equal(main.exportedEnv.GOOGLE_GENAI_USE_VERTEXAI, undefined);
    assert.equal(main.exportedEnv.GOOGLE_CLOUD_LOCATION, undefined);
  });

  it('explains the Vertex AI API not enabled, with its link and the gcloud command; verified is false', async () => {
    fake.vertexDisabledProjects.add(PROJECT);
    const { main } = await runAction(fake, vertex());
    const message = failure(main);
    assert.match(message, /The Vertex AI API is not enabled in project vertex-project \(HTTP 403 PERMISSION_DENIED \(SERVICE_DISABLED\)/);
    assert.ok(message.includes('Fix: Enable it at https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=vertex-project'), message);
    assert.ok(message.includes('`gcloud services enable aiplatform.googleapis.com --project=vertex-project`'), message);
    assert.equal(main.outputs.verified, 'false');
    assert.equal(fake.count('publisherModel'), 1, 'a definite answer is not retried');
  });

  it('explains a denied countTokens with the grant of roles/aiplatform.user to the service account; the grant makes it pass', async () => {
    const denied = await runAction(fake, vertex({ verify_model: 'gemini-2.5-flash' }));
    const message = failure(denied.main);
    assert.match(message, new RegExp(`^${key.email} may not call Gemini models on Vertex AI in project vertex-project: aiplatform\\.endpoints\\.predict was denied \\(HTTP 403 PERMISSION_DENIED \\(IAM_PERMISSION_DENIED\\)`));
    assert.ok(message.includes(`Fix: Grant it the Vertex AI User role: \`gcloud projects add-iam-policy-binding vertex-project --member="serviceAccount:${key.email}" --role=roles/aiplatform.user\``), message);
    assert.equal(denied.main.outputs.verified, 'false');
    applyIamFix(message);
    const granted = await runAction(fake, vertex({ verify_model: 'gemini-2.5-flash' }));
    assert.equal(granted.main.code, 0, granted.main.stdout);
  });

  it('names the member for user credentials and for direct workload identity (the repository principal set)', async () => {
    const user = fake.addUser({ email: 'vera@example.com', quotaProjectId: PROJECT });
    const userRun = await runAction(fake, { credentials_json: JSON.stringify(user.json), gemini_api: 'vertex', verify: 'true', verify_model: 'gemini-2.5-flash' });
    const userMessage = failure(userRun.main);
    assert.match(userMessage, /^vera@example\.com may not call Gemini models on Vertex AI in project vertex-project/);
    assert.match(userMessage, /--member="user:vera@example\.com"/);
    applyIamFix(userMessage);
    assert.equal((await runAction(fake, { credentials_json: JSON.stringify(user.json), gemini_api: 'vertex', verify: 'true', verify_model: 'gemini-2.5-flash' })).main.code, 0);

    const provider = fake.addProvider();
    const wif = { workload_identity_provider: provider.name, project_id: PROJECT, gemini_api: 'vertex', verify: 'true', verify_model: 'gemini-2.5-flash' };
    const wifRun = await runAction(fake, wif, { env: fake.oidcEnv });
    const wifMessage = failure(wifRun.main);
    assert.ok(wifMessage.includes(`--member="${fake.principalSetForRepository(provider, 'octo-org/octo-repo')}"`), wifMessage);
    applyIamFix(wifMessage);
    fake.requests.length = 0;
    const passed = await runAction(fake, wif, { env: fake.oidcEnv });
    assert.equal(passed.main.code, 0, passed.main.stdout);
    assert.deepEqual(fake.requests.map((request) => request.endpoint), ['oidc', 'sts', 'publisherModel', 'vertexCountTokens'], 'no tokeninfo: one request, plus one');
  });

  it('explains a model the location does not serve, and one Model Garden does not have', async () => {
    fake.grantVertexUser(PROJECT, key.email);
    const regional = await runAction(fake, vertex({ verify_model: 'gemini-3-pro-preview', vertex_location: 'us-central1' }));
    const message = failure(regional.main);
    assert.match(message, /The model gemini-3-pro-preview is not available in Vertex AI location us-central1 for project vertex-project \(HTTP 404 NOT_FOUND: Publisher Model/);
    assert.match(message, /Fix: Set vertex_location to a location that serves it \(global serves most Gemini models/);
    assert.equal((await runAction(fake, vertex({ verify_model: 'gemini-3-pro-preview', vertex_location: 'global' }))).main.code, 0, 'global serves it');

    fake.requests.length = 0;
    const unknown = await runAction(fake, vertex({ verify_model: 'gemini-9-ultra' }));
    const unknownMessage = failure(unknown.main);
    assert.match(unknownMessage, /The model gemini-9-ultra is not in Vertex AI's Model Garden \(HTTP 404 NOT_FOUND/);
    assert.match(unknownMessage, /Fix: Check the input verify_model/);
    assert.deepEqual(calls(), ['GET /aiplatform/v1/publishers/google/models/gemini-9-ultra'], 'no countTokens after a failed lookup');
  });

  it('explains a token without cloud-platform, and a quota project the caller may not use', async () => {
    const narrow = await runAction(fake, vertex({ scopes: 'https://www.googleapis.com/auth/generative-language.retriever' }));
    const message = failure(narrow.main);
    assert.match(message, /Vertex AI \(publishers\.models\.get\) refused the token: it lacks the OAuth scopes this call needs/);
    assert.match(message, /Fix: Include https:\/\/www\.googleapis\.com\/auth\/cloud-platform \(Vertex AI takes no other scope\) in the input scopes/);

    fake.userProjectDenied.add('billing-project');
    const billing = await runAction(fake, vertex({ quota_project_id: 'billing-project' }));
    assert.match(failure(billing.main), /The caller may not bill requests to quota project billing-project .*Fix: Grant the principal roles\/serviceusage\.serviceUsageConsumer/);
  });

  it('retries a transient failure, and refuses an answer without the model or the count', async () => {
    fake.grantVertexUser(PROJECT, key.email);
    fake.inject('vertexCountTokens', { status: 503 }, 1);
    const retried = await runAction(fake, vertex({ verify_model: 'gemini-2.5-flash' }));
    assert.equal(retried.main.code, 0, retried.main.stdout);
    assert.equal(fake.count('vertexCountTokens'), 2);

    fake.inject('publisherModel', 'wrong-shape', 1);
    assert.match(failure((await runAction(fake, vertex())).main), /Vertex AI \(publishers\.models\.get\) answered without the model\. Fix: Check that the endpoints input points at Vertex AI/);
    fake.inject('vertexCountTokens', 'wrong-shape', 1);
    assert.match(failure((await runAction(fake, vertex({ verify_model: 'gemini-2.5-flash' }))).main), /Vertex AI \(countTokens\) answered without a token count/);
  });

  it('sends each location to its default host: global, regional, multi-regional', async () => {
    // Without an aiplatform override the action goes to Google's hosts; a proxy that refuses every tunnel shows which.
    const endpoints = fake.endpointsInput.split('\n').filter((line) => !line.startsWith('aiplatform=')).join('\n');
    const proxy = await startRefusingProxy();
    try {
      for (const [location, host] of [
        ['global', 'aiplatform.googleapis.com:443'],
        ['europe-west4', 'europe-west4-aiplatform.googleapis.com:443'],
        ['us', 'aiplatform.us.rep.googleapis.com:443'],
        ['eu', 'aiplatform.eu.rep.googleapis.com:443'],
      ] as const) {
        proxy.seen.length = 0;
        const { main } = await runAction(fake, vertex({ endpoints, vertex_location: location, retries: '0' }), { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
        assert.match(failure(main), /Vertex AI \(publishers\.models\.get\) did not answer usefully/);
        assert.deepEqual(proxy.seen, [host], location);
      }
    } finally {
      await proxy.close();
    }
  });

  it('the exported variables set up the Gen AI SDK for a later step, as it reads them', async () => {
    const job = await runTokenJob(fake, vertex({ verify: 'false', vertex_location: 'europe-west4' }), [`"${process.execPath}" "${GENAI_SETTINGS}"`]);
    try {
      const [step] = job.runs;
      assert.equal(step?.code, 0, step?.stdout);
      const settings = JSON.parse(step?.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
      assert.deepEqual(settings, {
        node: { vertexai: true, project: PROJECT, location: 'europe-west4' },
        python: { vertexai: true, project: PROJECT, location: 'europe-west4' },
        credentialsFile: job.main.outputs.credentials_file_path,
      });
    } finally {
      removeJob(job);
    }
  });
});

/** A forward proxy on loopback that records each CONNECT target and refuses it. */
async function startRefusingProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((_incoming, outgoing) => outgoing.writeHead(405).end());
  server.on('connect', (incoming, socket) => {
    seen.push(incoming.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
