// Gemini on Vertex AI (aiplatform.googleapis.com): the Model Garden lookup of a
// Google model, and countTokens on it in one project and location.
import { publisherModelUrl, vertexCountTokensUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { hasShape } from '../untrusted.ts';
import type { GoogleApi } from './errors.ts';
import { COUNT_TOKENS_PROMPT, modelCallHeaders, readTokenCount, type ModelCall } from './model-call.ts';
import { callGoogle, type GoogleContext } from './protocol.ts';

/** Vertex AI, as its refusals name it: IAM decides per project who may call models. */
export const VERTEX_AI: GoogleApi = {
  title: 'Vertex AI API',
  service: 'aiplatform.googleapis.com',
  scopes: 'https://www.googleapis.com/auth/cloud-platform (Vertex AI takes no other scope)',
  callerRole: { role: 'roles/aiplatform.user', title: 'Vertex AI User', grants: 'call Gemini models on Vertex AI' },
};
export const VERTEX_MODEL_GET = 'Vertex AI (publishers.models.get)';
export const VERTEX_COUNT_TOKENS = 'Vertex AI (countTokens)';

/** A Google model (its id, like `gemini-2.5-flash`) in one Vertex AI location. */
export interface VertexModelCall extends ModelCall {
  readonly location: string;
  readonly modelId: string;
}

/**
 * publishers.models.get: the model's resource name (`publishers/google/models/ID`),
 * one request. Its path names no project: it bills, and checks the API in, the quota project.
 */
export function getPublisherModel(call: VertexModelCall, context: GoogleContext): Promise<string> {
  return callGoogle(
    {
      service: VERTEX_MODEL_GET,
      request: () => ({ url: publisherModelUrl(context.endpoints, call.location, call.modelId), method: 'GET', headers: modelCallHeaders(call) }),
      explain: call.explain,
      read: (body) => {
        // The name becomes the models output: only a publisher model's shape.
        if (typeof body.name !== 'string' || !hasShape('vertexModel', body.name)) {
          throw new ActionError(`${VERTEX_MODEL_GET} answered without the model.`, 'Check that the endpoints input points at Vertex AI (aiplatform).');
        }
        return body.name;
      },
    },
    context.http,
  );
}

/** countTokens on the model in `project` and the call's location: one request, free, and it needs aiplatform.endpoints.predict. */
export function countVertexTokens(call: VertexModelCall & { readonly project: string }, context: GoogleContext): Promise<number> {
  return callGoogle(
    {
      service: VERTEX_COUNT_TOKENS,
      request: () => ({ url: vertexCountTokensUrl(context.endpoints, call.project, call.location, call.modelId), method: 'POST', headers: modelCallHeaders(call), json: COUNT_TOKENS_PROMPT }),
      explain: call.explain,
      read: (body) => readTokenCount(body, VERTEX_COUNT_TOKENS, 'Vertex AI (aiplatform)'),
    },
    context.http,
  );
}
