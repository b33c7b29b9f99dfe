// Proof that a token works for Gemini, on the API later steps will call: the Gemini
// API (verify/gemini-api.ts) or Gemini on Vertex AI (verify/vertex.ts). What to
// check is settled from the inputs before any request.
import { listModelsUrl, vertexBaseUrl, type Endpoints } from './endpoints.ts';
import { ActionError } from './errors.ts';
import type { GoogleContext } from './google/protocol.ts';
import { preconnect } from './google/transport.ts';
import { ACTION_INPUTS, type InputNaming, type Inputs } from './inputs.ts';
import { untrusted } from './untrusted.ts';
import type { Verification, VerifyRequest, VerifyTarget } from './verify/types.ts';
import { verifyGeminiApi } from './verify/gemini-api.ts';
import { verifyVertex } from './verify/vertex.ts';

/** The model Vertex AI verification looks up when verify_model is unset. */
const DEFAULT_VERTEX_MODEL = 'gemini-2.5-flash';

/** Connects to the API that verify will call while the token is being minted, so the check pays no handshake. */
export function preconnectVerify(target: VerifyTarget, endpoints: Endpoints): void {
  preconnect(target.api === 'vertex' ? vertexBaseUrl(endpoints, target.location) : listModelsUrl(endpoints));
}

export function verifyAccess(request: VerifyRequest, context: GoogleContext): Promise<Verification> {
  return request.target.api === 'vertex' ? verifyVertex(request, request.target, context) : verifyGeminiApi(request, request.target.model, context);
}

const GEMINI_API_MODEL = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
/** Vertex AI model ids may carry a version after `@`. */
const VERTEX_MODEL = /^[a-z0-9][a-z0-9.@_-]{0,99}$/i;
/** Project ids, project numbers and domain-scoped ids (`example.com:my-project`). */
const PROJECT = /^[a-z0-9][a-z0-9.:-]{0,99}$/;

/**
 * The checks the inputs ask for, before any request: the model goes into a URL
 * path, and Vertex AI needs a project (from the inputs or the credentials).
 */
export function verifyTarget(inputs: Pick<Inputs, 'geminiApi' | 'vertexLocation' | 'verifyModel'>, projectId: string | undefined, naming: InputNaming = ACTION_INPUTS): VerifyTarget {
  const wanted = inputs.verifyModel.trim();
  if (inputs.geminiApi === 'generativelanguage') {
    const id = wanted.replace(/^models\//, '');
    if (wanted && !GEMINI_API_MODEL.test(id)) throw notAModel(wanted, naming, 'Use a Gemini API model such as gemini-2.5-flash (or models/gemini-2.5-flash). Tuned models are listed under tunedModels/, which verify does not check.');
    return { api: 'generativelanguage', model: wanted ? `models/${id}` : undefined };
  }
  const id = wanted.replace(/^(?:publishers\/google\/)?models\//, '');
  if (wanted && !VERTEX_MODEL.test(id)) throw notAModel(wanted, naming, 'Use the id of a Google model on Vertex AI such as gemini-2.5-flash (or publishers/google/models/gemini-2.5-flash); see https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions.');
  if (!projectId) {
    throw new ActionError(
      `Verifying Gemini on Vertex AI needs a project, and none is known: the ${naming.input('project_id')} is unset and the credentials name none.`,
      `Set the ${naming.input('project_id')} to the project that has the Vertex AI API enabled (and where the principal has roles/aiplatform.user).`,
    );
  }
  if (!PROJECT.test(projectId)) {
    throw new ActionError(`The project "${untrusted(projectId, 60)}" is not a Google Cloud project id.`, `Set the ${naming.input('project_id')} to the id of the project that has the Vertex AI API enabled, such as my-project.`);
  }
  return { api: 'vertex', project: projectId, location: inputs.vertexLocation, modelId: id || DEFAULT_VERTEX_MODEL, callModel: wanted !== '' };
}

function notAModel(wanted: string, naming: InputNaming, fix: string): ActionError {
  return new ActionError(`The ${naming.input('verify_model')} "${untrusted(wanted, 60)}" is not a model id.`, fix);
}
