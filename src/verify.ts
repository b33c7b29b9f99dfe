// Proof that a token works for Gemini: who it is (tokeninfo), then every page of
// the models it can see, and the model the user needs among them.
import { ActionError } from './errors.ts';
import { explainApiError } from './google/errors.ts';
import { GEMINI_API, listModels } from './google/gemini.ts';
import type { GoogleContext } from './google/protocol.ts';
import { readTokenInfo, TokenInfoRefused, type TokenInfo } from './google/tokeninfo.ts';
import type { AuthType } from './token.ts';

export interface VerifyRequest {
  readonly accessToken: string;
  readonly authType: AuthType;
  readonly quotaProjectId: string | undefined;
  readonly verifyModel: string;
}

export interface Verification {
  readonly tokenInfo: TokenInfo | undefined;
  readonly models: readonly string[];
}

export async function verifyAccess(request: VerifyRequest, context: GoogleContext): Promise<Verification> {
  const tokenInfo = await tokenInfoIfKnown(request.accessToken, context);
  const scopes = tokenInfo?.scopes ?? [];
  const models = await listModels(
    { accessToken: request.accessToken, quotaProjectId: request.quotaProjectId, explain: (error) => explainApiError(error, { api: GEMINI_API, authType: request.authType, quotaProjectId: request.quotaProjectId, scopes }) },
    context,
  );
  if (request.verifyModel) requireModel(request.verifyModel, models);
  return { tokenInfo, models };
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

/** Accepts `gemini-2.5-flash` and `models/gemini-2.5-flash`. */
export function requireModel(wanted: string, models: readonly string[]): void {
  const name = wanted.startsWith('models/') ? wanted : `models/${wanted}`;
  if (models.includes(name)) return;
  const stem = name.replace(/^models\//, '').split('-').slice(0, 2).join('-');
  const similar = models.filter((model) => model.includes(stem)).slice(0, 8);
  const shown = (similar.length ? similar : models.slice(0, 8)).join(', ');
  throw new ActionError(
    `The model ${name} is not among the ${models.length} models this token can see.`,
    `Check the input verify_model (${similar.length ? 'similar' : 'some available'}: ${shown || 'none'}). Tuned models are listed under tunedModels/, not models/.`,
  );
}
