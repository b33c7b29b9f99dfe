// Gemini on Vertex AI: the Model Garden lookup of the model (one request), and
// with verify_model countTokens on it in the project and location (one more),
// which needs the permission to call it.
import { ActionError } from '../errors.ts';
import { explainApiError, summarize, type GoogleError } from '../google/errors.ts';
import type { GoogleContext } from '../google/protocol.ts';
import { countVertexTokens, getPublisherModel, VERTEX_AI, VERTEX_COUNT_TOKENS, VERTEX_MODEL_GET } from '../google/vertex.ts';
import { iamMember } from '../iam-member.ts';
import type { Verification, VerifyRequest, VerifyTarget } from './types.ts';

export async function verifyVertex(request: VerifyRequest, target: Extract<VerifyTarget, { api: 'vertex' }>, context: GoogleContext): Promise<Verification> {
  const { project, location, modelId } = target;
  const { accessToken, quotaProjectId, authType, principal } = request;
  const apiContext = (call: string) => ({ call, api: VERTEX_AI, authType, quotaProjectId, project, principal, member: request.member ?? (principal ? iamMember(principal) : undefined) });
  const call = { accessToken, quotaProjectId, location, modelId };

  const name = await getPublisherModel(
    {
      ...call,
      explain: (error) =>
        isNotFound(error)
          ? new ActionError(`The model ${modelId} is not in Vertex AI's Model Garden (${summarize(error)}).`, 'Check the input verify_model: the id of a Google model such as gemini-2.5-flash (see https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions).')
          : explainApiError(error, apiContext(VERTEX_MODEL_GET)),
    },
    context,
  );
  if (!target.callModel) return { api: 'vertex', tokenInfo: undefined, models: [name], callable: undefined };

  await countVertexTokens(
    {
      ...call,
      project,
      explain: (error) =>
        isNotFound(error)
          ? new ActionError(
              `The model ${modelId} is not available in Vertex AI location ${location} for project ${project} (${summarize(error)}).`,
              'Set vertex_location to a location that serves it (global serves most Gemini models, and new ones often only there; see https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations), or choose another verify_model.',
            )
          : explainApiError(error, apiContext(VERTEX_COUNT_TOKENS)),
    },
    context,
  );
  return { api: 'vertex', tokenInfo: undefined, models: [name], callable: name };
}

/** Google's own 404, not that of a wrong URL. */
function isNotFound(error: GoogleError): boolean {
  return error.httpStatus === 404 && error.status === 'NOT_FOUND';
}
