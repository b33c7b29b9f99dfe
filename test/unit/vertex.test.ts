// Gemini on Vertex AI below the shells: the inputs, the host of each location, what
// verify is asked to check, the variables for the Gen AI SDK, and the wording of
// each API's refusals (real answer bodies).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { publisherModelUrl, resolveEndpoints, vertexBaseUrl, vertexCountTokensUrl } from '../../src/endpoints.ts';
import { adcEnvironment } from '../../src/environment.ts';
import { ActionError } from '../../src/errors.ts';
import { explainApiError, readGoogleError, type ApiCallContext } from '../../src/google/errors.ts';
import { GEMINI_API, GENERATIVE_LANGUAGE } from '../../src/google/gemini.ts';
import { VERTEX_AI, VERTEX_COUNT_TOKENS, VERTEX_MODEL_GET } from '../../src/google/vertex.ts';
import { iamMember } from '../../src/iam-member.ts';
import { inputWarnings, readInputs, type InputName } from '../../src/inputs.ts';
import { verifyTarget } from '../../src/verify.ts';

const reader = (values: Partial<Record<InputName, string>>) => (name: InputName) => values[name] ?? '';

describe('the inputs gemini_api and vertex_location', () => {
  it('default to the Gemini API and global', () => {
    const inputs = readInputs(reader({}));
    assert.equal(inputs.geminiApi, 'generativelanguage');
    assert.equal(inputs.vertexLocation, 'global');
    assert.deepEqual(inputWarnings(inputs), []);
  });

  it('take vertex and every form of location', () => {
    for (const location of ['global', 'us', 'eu', 'us-central1', 'europe-west4', 'northamerica-northeast1', 'me-central2']) {
      assert.equal(readInputs(reader({ gemini_api: 'vertex', vertex_location: ` ${location} ` })).vertexLocation, location);
    }
  });

  it('refuse anything else, naming the input and the fix', () => {
    for (const [values, pattern] of [
      [{ gemini_api: 'Vertex' }, /gemini_api must be generativelanguage or vertex, not "Vertex"/],
      [{ vertex_location: 'us-central1.evil.example' }, /vertex_location "us-central1\.evil\.example" is not a Vertex AI location/],
      [{ vertex_location: 'us-central1/x' }, /is not a Vertex AI location/],
      [{ vertex_location: 'europe' }, /is not a Vertex AI location/],
      [{ vertex_location: 'a'.repeat(60) + '-b1' }, /is not a Vertex AI location/],
    ] as const) {
      assert.throws(() => readInputs(reader(values)), (error: unknown) => error instanceof ActionError && pattern.test(error.message) && Boolean(error.fix), JSON.stringify(values));
    }
  });

  it('accept only locations whose host stays under the universe (property)', () => {
    const endpoints = resolveEndpoints('googleapis.com', '');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z]{1,12}-[a-z]{1,12}\d{1,3}$/), fc.constantFrom('global', 'us', 'eu', 'x@evil.example', 'us-central1:443', 'us-central1.')), (text) => {
        let location: string;
        try {
          location = readInputs(reader({ vertex_location: text })).vertexLocation;
        } catch (error) {
          assert.ok(error instanceof ActionError, `unexpected ${String(error)}`);
          return;
        }
        const url = new URL(vertexBaseUrl(endpoints, location));
        assert.equal(url.protocol, 'https:');
        assert.ok(/^[a-z0-9.-]+\.googleapis\.com$/.test(url.host) && url.host.includes('aiplatform'), url.host);
        assert.equal(url.pathname, '/');
      }),
      { numRuns: 1000 },
    );
  });

  it('warn when vertex_location is set without gemini_api: vertex', () => {
    assert.match(inputWarnings(readInputs(reader({ vertex_location: 'us-central1' }))).join('\n'), /vertex_location is us-central1, but gemini_api is generativelanguage/);
    assert.deepEqual(inputWarnings(readInputs(reader({ gemini_api: 'vertex', vertex_location: 'us-central1' }))), []);
  });
});

describe('Vertex AI hosts', () => {
  it('global, regional and multi-regional, in any universe; an aiplatform override serves every location', () => {
    const google = resolveEndpoints('googleapis.com', '');
    assert.equal(vertexBaseUrl(google, 'global'), 'https://aiplatform.googleapis.com');
    assert.equal(vertexBaseUrl(google, 'us-central1'), 'https://us-central1-aiplatform.googleapis.com');
    assert.equal(vertexBaseUrl(google, 'us'), 'https://aiplatform.us.rep.googleapis.com');
    assert.equal(vertexBaseUrl(google, 'eu'), 'https://aiplatform.eu.rep.googleapis.com');
    assert.equal(vertexBaseUrl(resolveEndpoints('example-universe.com', ''), 'europe-west4'), 'https://europe-west4-aiplatform.example-universe.com');
    const psc = resolveEndpoints('googleapis.com', 'aiplatform=https://aiplatform-psc.p.googleapis.com/');
    for (const location of ['global', 'us-central1', 'eu']) assert.equal(vertexBaseUrl(psc, location), 'https://aiplatform-psc.p.googleapis.com');
    assert.equal(publisherModelUrl(google, 'us', 'gemini-2.5-flash'), 'https://aiplatform.us.rep.googleapis.com/v1/publishers/google/models/gemini-2.5-flash');
    assert.equal(
      vertexCountTokensUrl(google, 'p', 'us-central1', 'gemini-2.5-flash'),
      'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:countTokens',
    );
  });
});

describe('verifyTarget', () => {
  const settings = (values: Partial<Record<InputName, string>>) => readInputs(reader({ verify: 'true', ...values }));

  it('reads verify_model into the form each API names it by', () => {
    assert.deepEqual(verifyTarget(settings({ verify_model: 'gemini-2.5-flash' }), undefined), { api: 'generativelanguage', model: 'models/gemini-2.5-flash' });
    assert.deepEqual(verifyTarget(settings({}), undefined), { api: 'generativelanguage', model: undefined });
    assert.deepEqual(verifyTarget(settings({ gemini_api: 'vertex' }), 'p'), { api: 'vertex', project: 'p', location: 'global', modelId: 'gemini-2.5-flash', callModel: false });
    assert.deepEqual(verifyTarget(settings({ gemini_api: 'vertex', verify_model: 'publishers/google/models/gemini-2.0-flash-001', vertex_location: 'eu' }), 'example.com:p'), {
      api: 'vertex',
      project: 'example.com:p',
      location: 'eu',
      modelId: 'gemini-2.0-flash-001',
      callModel: true,
    });
  });

  it('refuses Vertex AI without a project, and a model or project that is not an id', () => {
    assert.throws(() => verifyTarget(settings({ gemini_api: 'vertex' }), undefined), /needs a project, and none is known/);
    assert.throws(() => verifyTarget(settings({ gemini_api: 'vertex' }), 'p/../q'), /is not a Google Cloud project id/);
    assert.throws(() => verifyTarget(settings({ gemini_api: 'vertex', verify_model: 'publishers/anthropic/models/claude' }), 'p'), /is not a model id/);
    assert.throws(() => verifyTarget(settings({ verify_model: 'models/a?b' }), undefined), /is not a model id/);
  });
});

describe('the variables for later steps', () => {
  it('add GOOGLE_GENAI_USE_VERTEXAI=true and GOOGLE_CLOUD_LOCATION only for Vertex AI', () => {
    const facts = { credentialsFilePath: '/tmp/f.json', projectId: 'p', quotaProjectId: 'q', endpoints: resolveEndpoints('googleapis.com', '') };
    const plain = Object.fromEntries(adcEnvironment(facts));
    assert.equal(plain.GOOGLE_GENAI_USE_VERTEXAI, undefined);
    assert.equal(plain.GOOGLE_CLOUD_LOCATION, undefined);
    const vertex = Object.fromEntries(adcEnvironment({ ...facts, vertexLocation: 'us-central1' }));
    assert.equal(vertex.GOOGLE_GENAI_USE_VERTEXAI, 'true');
    assert.equal(vertex.GOOGLE_CLOUD_LOCATION, 'us-central1');
    assert.equal(vertex.GOOGLE_CLOUD_PROJECT, 'p');
  });
});

describe('IAM members', () => {
  it('name service accounts, users and federated principals as gcloud takes them', () => {
    assert.equal(iamMember('ci@p.iam.gserviceaccount.com'), 'serviceAccount:ci@p.iam.gserviceaccount.com');
    assert.equal(iamMember('dev@example.com'), 'user:dev@example.com');
    const set = 'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/attribute.repository/o/r';
    assert.equal(iamMember(set), set);
  });
});

describe('refusals of each API in its own words (real answer bodies)', () => {
  const context = (api: typeof VERTEX_AI, call: string, extra: Partial<ApiCallContext> = {}): ApiCallContext => ({ call, api, authType: 'service_account', quotaProjectId: 'p', ...extra });
  const explain = (status: number, error: Record<string, unknown>, ctx: ApiCallContext) => explainApiError(readGoogleError({ status, body: { error } }), ctx);
  const errorInfo = (reason: string, metadata: Record<string, string>) => ({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata });

  it('the API not enabled: each its own API, link and command', () => {
    for (const [api, call, service] of [
      [VERTEX_AI, VERTEX_MODEL_GET, 'aiplatform.googleapis.com'],
      [GENERATIVE_LANGUAGE, GEMINI_API, 'generativelanguage.googleapis.com'],
    ] as const) {
      const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=p`;
      const error = explain(403, { code: 403, status: 'PERMISSION_DENIED', message: 'has not been used', details: [errorInfo('SERVICE_DISABLED', { consumer: 'projects/p', service, activationUrl })] }, context(api, call));
      assert.match(error.message, new RegExp(`^The ${api.title} is not enabled in project p `));
      assert.equal(error.fix, `Enable it at ${activationUrl} or with \`gcloud services enable ${service} --project=p\`, wait a minute, and re-run.`);
    }
  });

  it('a quota project missing for user credentials names the API to enable there', () => {
    const error = explain(
      403,
      {
        code: 403,
        status: 'PERMISSION_DENIED',
        message: 'Your application is authenticating by using local Application Default Credentials. The aiplatform.googleapis.com API requires a quota project, which is not set by default.',
        details: [errorInfo('SERVICE_DISABLED', { consumer: 'projects/764086051850', service: 'aiplatform.googleapis.com' })],
      },
      context(VERTEX_AI, VERTEX_MODEL_GET, { authType: 'authorized_user', quotaProjectId: undefined }),
    );
    assert.match(error.message, /^Vertex AI \(publishers\.models\.get\) needs a quota project for user credentials, and none was sent/);
    assert.match(error.fix ?? '', /a project where the Vertex AI API is enabled/);
  });

  it('IAM_PERMISSION_DENIED: the grant of roles/aiplatform.user on the called project, to the member; the project never from the answer', () => {
    const body = {
      code: 403,
      status: 'PERMISSION_DENIED',
      message: "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/other/locations/global/publishers/google/models/m' (or it may not exist).",
      details: [{ ...errorInfo('IAM_PERMISSION_DENIED', { permission: 'aiplatform.endpoints.predict', resource: 'projects/`rm -rf ~`/locations/global' }), domain: 'aiplatform.googleapis.com' }],
    };
    const named = explain(403, body, context(VERTEX_AI, VERTEX_COUNT_TOKENS, { project: 'vp', principal: 'ci@vp.iam.gserviceaccount.com', member: 'serviceAccount:ci@vp.iam.gserviceaccount.com' }));
    assert.match(named.message, /^ci@vp\.iam\.gserviceaccount\.com may not call Gemini models on Vertex AI in project vp: aiplatform\.endpoints\.predict was denied/);
    assert.equal(named.fix, 'Grant it the Vertex AI User role: `gcloud projects add-iam-policy-binding vp --member="serviceAccount:ci@vp.iam.gserviceaccount.com" --role=roles/aiplatform.user` (it can take a few minutes to apply).');
    const unknown = explain(403, body, context(VERTEX_AI, VERTEX_COUNT_TOKENS, { project: 'vp', authType: 'authorized_user' }));
    assert.match(unknown.message, /^The principal may not call Gemini models/);
    assert.match(unknown.fix ?? '', /--member="user:YOUR_EMAIL"/);
    // The Gemini API has no such role to grant: its generic 403.
    assert.match(explain(403, body, context(GENERATIVE_LANGUAGE, GEMINI_API)).message, /denied access/);
  });

  it('a token without the scopes: each API its own', () => {
    const body = { code: 403, status: 'PERMISSION_DENIED', message: 'Request had insufficient authentication scopes.', details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', {})] };
    assert.equal(explain(403, body, context(VERTEX_AI, VERTEX_MODEL_GET)).fix, 'Include https://www.googleapis.com/auth/cloud-platform (Vertex AI takes no other scope) in the input scopes.');
    assert.match(explain(403, body, context(GENERATIVE_LANGUAGE, GEMINI_API)).fix ?? '', /generative-language\) in the input scopes/);
  });
});
