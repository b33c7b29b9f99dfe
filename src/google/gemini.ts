import { countTokensUrl, listModelsUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { hasShape, untrusted } from '../untrusted.ts';
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
// Google's whole list is one page of about 100 KB. The bounds stop a server that
// never ends its list, or sends huge pages, from filling the runner's memory.
const MAX_PAGES = 20;
const MAX_LIST_CHARACTERS = 4 * 1024 * 1024;
const WRONG_SERVICE = 'Check that the endpoints input points at the Generative Language API.';

/** A model as the list shows it: its name (`models/gemini-2.5-flash`) and the methods it supports (empty where the list does not say). */
export interface ListedModel {
  readonly name: string;
  readonly methods: readonly string[];
}

/**
 * Every model the token can see: one request per page. Only names of a model's
 * shape are kept (they become an output); the others are left out with a
 * warning. The methods a model supports are read through `untrusted`.
 */
export async function listModels(listing: ModelCall, context: GoogleContext): Promise<ListedModel[]> {
  const listed: ListedModel[] = [];
  let odd = 0;
  let firstOdd = '';
  const headers = modelCallHeaders(listing);
  let pageToken = '';
  let received = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
    const { body, size } = await callGoogle(
      { service: GEMINI_API, request: () => ({ url: `${listModelsUrl(context.endpoints)}?${query}`, method: 'GET', headers }), explain: listing.explain, read: (answer, { size }) => ({ body: answer, size: size ?? 0 }) },
      context.http,
    );
    received += size;
    if (received > MAX_LIST_CHARACTERS) {
      throw new ActionError(`${GEMINI_API} answered more than ${MAX_LIST_CHARACTERS / 1024 / 1024} MiB of models in ${page} page${page === 1 ? '' : 's'}, far more than the Gemini API lists.`, WRONG_SERVICE);
    }
    const models = body.models ?? [];
    if (!Array.isArray(models)) throw new ActionError(`${GEMINI_API} answered without a list of models.`, WRONG_SERVICE);
    for (const model of models) {
      const { name, supportedGenerationMethods: methods } = (model ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string') continue;
      if (hasShape('model', name)) listed.push({ name, methods: Array.isArray(methods) ? methods.filter((method) => typeof method === 'string').slice(0, 20).map((method) => untrusted(method, 60)) : [] });
      else if (odd++ === 0) firstOdd = name;
    }
    pageToken = typeof body.nextPageToken === 'string' ? body.nextPageToken : '';
    if (pageToken) continue;
    if (odd) context.log.warn(`Left out ${odd} model name${odd === 1 ? '' : 's'} not of the shape models/NAME, such as "${untrusted(firstOdd, 80)}".`);
    return listed;
  }
  throw new ActionError(`${GEMINI_API} kept answering with more pages after ${MAX_PAGES}.`, WRONG_SERVICE);
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
