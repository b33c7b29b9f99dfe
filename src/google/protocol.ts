// The one way this action talks to a Google service: send (with retries and the
// deadline), check the status, turn a refusal into the caller's explanation, and
// read the answer, masking any token in it before anything else can see it.
import type { Agent } from 'node:http';
import type { Endpoints } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import type { Log } from '../log.ts';
import { isBearerToken, MAX_LIFETIME_SECONDS, type MintedToken } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import { readGoogleError, type GoogleError } from './errors.ts';
import { sendJson, type HttpAnswer, type HttpPolicy, type HttpRequest } from './http.ts';

/** What every call needs: where the services are, how hard to try, where secrets are masked. */
export interface GoogleContext {
  readonly endpoints: Endpoints;
  readonly http: HttpPolicy;
  readonly log: Log;
}

export interface GoogleCall<T> {
  /** Names the service in errors: "The Google OAuth token endpoint". */
  readonly service: string;
  /** Built once per attempt, so that an attempt can carry fresh material (a new OIDC token). */
  readonly request: () => HttpRequest | Promise<HttpRequest>;
  /** The error for a refusal (any status but 200), saying what to fix. */
  readonly explain: (error: GoogleError) => Error;
  /** Reads a 200 answer; throws an ActionError when it lacks what the call is for. */
  readonly read: (body: Record<string, unknown>, answer: HttpAnswer) => T;
}

export async function callGoogle<T>(call: GoogleCall<T>, http: HttpPolicy): Promise<T> {
  const answer = await sendJson(call.service, call.request, http);
  if (answer.status !== 200) throw call.explain(readGoogleError(answer));
  return call.read(typeof answer.body === 'object' && answer.body !== null ? (answer.body as Record<string, unknown>) : {}, answer);
}

/** A token answer of the OAuth shape, and the id_token some of them carry. */
export type OAuthToken = MintedToken & { readonly idToken?: string };

/**
 * Reads `access_token` + `expires_in` (+ `scope`, `id_token`) of an OAuth token
 * answer, and masks the tokens before anything else can see them.
 */
export function readOAuthToken(body: Record<string, unknown>, service: string, log: Log): OAuthToken {
  const token = body.access_token;
  if (!isBearerToken(token)) {
    throw new ActionError(`${service} answered without an access token.`, 'Check that the endpoints input points at the right service; if it does, re-run the job.');
  }
  log.mask(token);
  const idToken = typeof body.id_token === 'string' ? body.id_token : undefined;
  if (idToken) log.mask(idToken);
  const lifetime = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
  return {
    accessToken: token,
    // Google answers whole seconds; less than one is as good as none.
    expiresAt: new Date(Date.now() + (Number.isFinite(lifetime) && lifetime >= 1 ? Math.min(lifetime, MAX_LIFETIME_SECONDS) : 3600) * 1000),
    scopes: typeof body.scope === 'string' ? readScopes(body.scope) : undefined,
    ...(idToken ? { idToken } : {}),
  };
}

/** A token carries a handful of scopes; past that, the list is not what it claims to be. */
const MAX_SCOPES = 50;

/** The scopes of a space-separated `scope` field, each read through `untrusted`. */
export function readScopes(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value.slice(0, 64 * 1024).split(' ').filter(Boolean).slice(0, MAX_SCOPES).map((scope) => untrusted(scope));
}

/** A POST of a form to a token endpoint (OAuth 2.0 or STS), answered with an OAuth token. */
export interface TokenGrant {
  readonly service: string;
  readonly url: string;
  /** Built once per attempt: an attempt may need a fresh assertion or subject token. */
  readonly form: () => Record<string, string> | Promise<Record<string, string>>;
  readonly headers?: Record<string, string>;
  /** Asked after `form`, which may have loaded the client certificate an mTLS token endpoint needs. */
  readonly agent?: () => Agent | undefined;
  readonly explain: (error: GoogleError) => Error;
}

export function tokenGrant(grant: TokenGrant, context: GoogleContext): Promise<OAuthToken> {
  return callGoogle(
    {
      service: grant.service,
      request: async () => ({ url: grant.url, method: 'POST', form: await grant.form(), ...(grant.headers ? { headers: grant.headers } : {}), agent: grant.agent?.() }),
      explain: grant.explain,
      read: (body) => readOAuthToken(body, grant.service, context.log),
    },
    context.http,
  );
}
