import { listModelsUrl, tokenInfoUrl, type Endpoints } from './endpoints.ts';
import { ActionError } from './errors.ts';
import { explainApiError, readGoogleError, summarize } from './google-errors.ts';
import { sendJson, type HttpPolicy } from './http.ts';
import type { AuthType } from './token.ts';

export interface VerifyRequest {
  readonly accessToken: string;
  readonly authType: AuthType;
  readonly quotaProjectId: string | undefined;
  readonly verifyModel: string;
  readonly endpoints: Endpoints;
  readonly http: HttpPolicy;
  readonly warn: (message: string) => void;
}

export interface TokenInfo {
  readonly email?: string | undefined;
  readonly subject?: string | undefined;
  readonly scopes: readonly string[];
}

export interface Verification {
  readonly tokenInfo: TokenInfo | undefined;
  readonly models: readonly string[];
}

const GEMINI_API = 'The Gemini API (generativelanguage models.list)';
/** The Gemini API caps pageSize at 1000; asking for the cap keeps it to one page for nearly everyone. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 100;

/** Proves the token works: who it is (tokeninfo), then every page of models.list. */
export async function verifyAccess(request: VerifyRequest): Promise<Verification> {
  const tokenInfo = await readTokenInfo(request);
  const models = await listModels(request, tokenInfo?.scopes ?? []);
  if (request.verifyModel) requireModel(request.verifyModel, models);
  return { tokenInfo, models };
}

/** Tokeninfo names the principal and scopes; it does not know federated tokens, so its failure is only a warning. */
async function readTokenInfo(request: VerifyRequest): Promise<TokenInfo | undefined> {
  const answer = await sendJson('The Google tokeninfo endpoint', () => ({ url: tokenInfoUrl(request.endpoints), method: 'POST', form: { access_token: request.accessToken } }), request.http);
  if (answer.status !== 200) {
    request.warn(`Could not read the token's scopes and principal from tokeninfo (${summarize(readGoogleError(answer))}); checking the Gemini API anyway.`);
    return undefined;
  }
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return { email: text(body.email), subject: text(body.sub), scopes: (text(body.scope) ?? '').split(' ').filter(Boolean) };
}

async function listModels(request: VerifyRequest, scopes: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  const headers: Record<string, string> = { authorization: `Bearer ${request.accessToken}` };
  if (request.quotaProjectId) headers['x-goog-user-project'] = request.quotaProjectId;
  let pageToken = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
    const answer = await sendJson(GEMINI_API, () => ({ url: `${listModelsUrl(request.endpoints)}?${query}`, method: 'GET', headers }), request.http);
    if (answer.status !== 200) {
      throw explainApiError(answer, { api: GEMINI_API, authType: request.authType, quotaProjectId: request.quotaProjectId, scopes });
    }
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
    const models = body.models ?? [];
    if (!Array.isArray(models)) {
      throw new ActionError(`${GEMINI_API} answered without a list of models.`, 'Check that the endpoints input points at the Generative Language API.');
    }
    for (const model of models) {
      const name = (model as Record<string, unknown> | null)?.name;
      if (typeof name === 'string') names.push(name);
    }
    pageToken = typeof body.nextPageToken === 'string' ? body.nextPageToken : '';
    if (!pageToken) return names;
  }
  throw new ActionError(`${GEMINI_API} kept answering with more pages after ${MAX_PAGES}.`, 'Check that the endpoints input points at the Generative Language API.');
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
