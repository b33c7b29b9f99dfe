import { listModelsUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { hasShape, untrusted } from '../untrusted.ts';
import type { GoogleError } from './errors.ts';
import { callGoogle, type GoogleContext } from './protocol.ts';

export const GEMINI_API = 'The Gemini API (generativelanguage models.list)';
/** The Gemini API caps pageSize at 1000; asking for the cap keeps it to one page for nearly everyone. */
const PAGE_SIZE = 1000;
// Google's whole list is one page of about 100 KB. The bounds stop a server that
// never ends its list, or sends huge pages, from filling the runner's memory.
const MAX_PAGES = 20;
const MAX_LIST_CHARACTERS = 4 * 1024 * 1024;
const WRONG_SERVICE = 'Check that the endpoints input points at the Generative Language API.';

export interface ModelListing {
  readonly accessToken: string;
  readonly quotaProjectId: string | undefined;
  readonly explain: (error: GoogleError) => Error;
}

/**
 * The names of every model the token can see: one request per page. Only names
 * of a model's shape are kept (they become an output); the others are left out
 * with a warning.
 */
export async function listModels(listing: ModelListing, context: GoogleContext): Promise<string[]> {
  const names: string[] = [];
  let odd = 0;
  let firstOdd = '';
  const headers: Record<string, string> = { authorization: `Bearer ${listing.accessToken}` };
  if (listing.quotaProjectId) headers['x-goog-user-project'] = listing.quotaProjectId;
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
      const name = (model as Record<string, unknown> | null)?.name;
      if (typeof name !== 'string') continue;
      if (hasShape('model', name)) names.push(name);
      else if (odd++ === 0) firstOdd = name;
    }
    pageToken = typeof body.nextPageToken === 'string' ? body.nextPageToken : '';
    if (pageToken) continue;
    if (odd) context.log.warn(`Left out ${odd} model name${odd === 1 ? '' : 's'} not of the shape models/NAME, such as "${untrusted(firstOdd, 80)}".`);
    return names;
  }
  throw new ActionError(`${GEMINI_API} kept answering with more pages after ${MAX_PAGES}.`, WRONG_SERVICE);
}
