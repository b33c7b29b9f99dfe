// The Gemini API: who the token is (tokeninfo), every page of the models it can
// see, and with verify_model that model among them and callable (countTokens).
import { ActionError } from '../errors.ts';
import { explainApiError, summarize, type GoogleError } from '../google/errors.ts';
import { countTokens, GEMINI_API, GEMINI_COUNT_TOKENS, GENERATIVE_LANGUAGE, listModels, type ListedModel } from '../google/gemini.ts';
import type { GoogleContext } from '../google/protocol.ts';
import { readTokenInfo, TokenInfoRefused, type TokenInfo } from '../google/tokeninfo.ts';
import type { Verification, VerifyRequest } from './types.ts';

/** `model` is `models/ID`, or undefined to list only. */
export async function verifyGeminiApi(request: VerifyRequest, model: string | undefined, context: GoogleContext): Promise<Verification> {
  const { accessToken, quotaProjectId, authType } = request;
  // Neither answer needs the other: both requests go at once.
  const [tokenInfo, listed] = await Promise.all([
    tokenInfoIfKnown(accessToken, context),
    listModels({ accessToken, quotaProjectId, explain: (error) => explainApiError(error, { call: GEMINI_API, api: GENERATIVE_LANGUAGE, authType, quotaProjectId }) }, context),
  ]);
  const models = listed.map((entry) => entry.name);
  if (!model) return { api: 'generativelanguage', tokenInfo, models, callable: undefined };

  const { methods } = requireModel(model, listed);
  if (methods.length > 0 && !methods.includes('countTokens')) throw cannotBeCalled(model, `it supports ${methods.join(', ')}, not countTokens`);
  const principal = tokenInfo?.email ?? request.principal;
  await countTokens({ accessToken, quotaProjectId, model, explain: (error) => explainCountTokensError(error, model, quotaProjectId, principal, authType) }, context);
  return { api: 'generativelanguage', tokenInfo, models, callable: model };
}

/** Tokeninfo does not know federated tokens, so its refusal is only a warning. */
async function tokenInfoIfKnown(accessToken: string, context: GoogleContext): Promise<TokenInfo | undefined> {
  try {
    return await readTokenInfo(accessToken, context);
  } catch (error) {
    if (!(error instanceof TokenInfoRefused)) throw error;
    context.log.warn(`Could not read the token's scopes and principal from tokeninfo (${error.message}); checking the Gemini API anyway.`);
    return undefined;
  }
}

/** The listed entry of `name` (`models/ID`); an error with similar names if it is not listed. */
function requireModel(name: string, listed: readonly ListedModel[]): ListedModel {
  const found = listed.find((entry) => entry.name === name);
  if (found) return found;
  const models = listed.map((entry) => entry.name);
  const stem = name.replace(/^models\//, '').split('-').slice(0, 2).join('-');
  const similar = models.filter((model) => model.includes(stem)).slice(0, 8);
  const shown = (similar.length ? similar : models.slice(0, 8)).join(', ');
  throw new ActionError(
    `The model ${name} is not among the ${models.length} models this token can see.`,
    `Check the input verify_model (${similar.length ? 'similar' : 'some available'}: ${shown || 'none'}). Tuned models are listed under tunedModels/, not models/.`,
  );
}

function cannotBeCalled(model: string, why: string): ActionError {
  return new ActionError(`The model ${model} cannot be called through the Gemini API (${why}).`, 'Choose a Gemini model that supports generateContent, such as gemini-2.5-flash; embedding and aqa models do not.');
}

/** countTokens refused on a model the list showed: the model itself, or this caller's access to it. */
function explainCountTokensError(error: GoogleError, model: string, quotaProjectId: string | undefined, principal: string | undefined, authType: string): ActionError {
  if (error.httpStatus === 404 && error.status === 'NOT_FOUND') return cannotBeCalled(model, summarize(error));
  // Google's answer for a model the caller may list but not use: a bare 403, no reason given.
  if (error.httpStatus === 403 && error.reasons.length === 0) {
    return new ActionError(
      `The Gemini API refused countTokens on ${model} although it lists the model (${summarize(error)}).`,
      `The quota project (${quotaProjectId ?? 'none'}) or ${principal ?? 'the principal'} may not use this model: some models are limited to some projects or tiers. Try it in Google AI Studio with that project, or choose another verify_model.`,
    );
  }
  return explainApiError(error, { call: GEMINI_COUNT_TOKENS, api: GENERATIVE_LANGUAGE, authType, quotaProjectId });
}
