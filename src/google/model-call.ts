// What calls to the two Gemini APIs share: the token and the project it bills,
// and countTokens, the free call that needs the same access as generating content.
import { ActionError } from '../errors.ts';
import type { GoogleError } from './errors.ts';

export interface ModelCall {
  readonly accessToken: string;
  /** Sent as x-goog-user-project: the project the call bills and checks the API in. */
  readonly quotaProjectId: string | undefined;
  readonly explain: (error: GoogleError) => Error;
}

export function modelCallHeaders(call: ModelCall): Record<string, string> {
  return { authorization: `Bearer ${call.accessToken}`, ...(call.quotaProjectId ? { 'x-goog-user-project': call.quotaProjectId } : {}) };
}

/** A prompt of one word to count the tokens of. */
export const COUNT_TOKENS_PROMPT = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };

/** `totalTokens` of a countTokens answer; `service` names the call, `api` what endpoints should point at. */
export function readTokenCount(body: Record<string, unknown>, service: string, api: string): number {
  if (typeof body.totalTokens !== 'number') throw new ActionError(`${service} answered without a token count.`, `Check that the endpoints input points at ${api}.`);
  return body.totalTokens;
}
