import { countTokensUrl, listModelsUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import type { GoogleApi } from './errors.ts';
import { COUNT_TOKENS_PROMPT, modelCallHeaders, readTokenCount, type ModelCall } from './model-call.ts';
import { callGoogle, type GoogleContext } from './protocol.ts';

/** The Gemini API (generativelanguage.googleapis.com), as its refusals name it. */
export const GENERATIVE_LANGUAGE: GoogleApi = {
  title: 'Generative Language API',
  service: 'generativelanguage.googleapis.com',
  scopes: 'https://www.googleapis.com/auth/cloud-platform (or https://www.googleapis.com/auth/generative-language)',
};
export const GEMINI_API = 'The Gemini API (generativelanguage models.list)';
export const GEMINI_COUNT_TOKENS = 'The Gemini API (generativelanguage countTokens)';
/** The Gemini API caps pageSize at 1000; asking for the cap keeps it to one page for nearly everyone. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 100;

/** A model as the list shows it: its name (`models/gemini-2.5-flash`) and the methods it supports (empty where the list does not say). */
export interface ListedModel {
  readonly name: string;
  readonly methods: readonly string[];
}

/** Every model the token can see: one request per page. */
export async function listModels(listing: ModelCall, context: GoogleContext): Promise<ListedModel[]> {
  const listed: ListedModel[] = [];
  const headers = modelCallHeaders(listing);
  let pageToken = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
    const body = await callGoogle({ service: GEMINI_API, request: () => ({ url: `${listModelsUrl(context.endpoints)}?${query}`, method: 'GET', headers }), explain: listing.explain, read: (answer) => answer }, context.http);
    const models = body.models ?? [];
    if (!Array.isArray(models)) {
      throw new ActionError(`${GEMINI_API} answered without a list of models.`, 'Check that the endpoints input points at the Generative Language API.');
    }
    for (const model of models) {
      const { name, supportedGenerationMethods: methods } = (model ?? {}) as Record<string, unknown>;
      if (typeof name === 'string') listed.push({ name, methods: Array.isArray(methods) ? methods.filter((method) => typeof method === 'string') : [] });
    }
    pageToken = typeof body.nextPageToken === 'string' ? body.nextPageToken : '';
    if (!pageToken) return listed;
  }
  throw new ActionError(`${GEMINI_API} kept answering with more pages after ${MAX_PAGES}.`, 'Check that the endpoints input points at the Generative Language API.');
}

/** countTokens on `model` (`models/ID`): one request, free of charge. */
export function countTokens(call: ModelCall & { readonly model: string }, context: GoogleContext): Promise<number> {
  return callGoogle(
    {
      service: GEMINI_COUNT_TOKENS,
      request: () => ({ url: countTokensUrl(context.endpoints, call.model), method: 'POST', headers: modelCallHeaders(call), json: COUNT_TOKENS_PROMPT }),
      explain: call.explain,
      read: (body) => readTokenCount(body, GEMINI_COUNT_TOKENS, 'the Generative Language API'),
    },
    context.http,
  );
}
