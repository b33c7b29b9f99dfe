import { ActionError } from './errors.ts';
import type { Endpoints } from './endpoints.ts';
import type { HttpPolicy } from './http.ts';
import type { MaskRegistrar } from './secrets.ts';

export type AuthType = 'authorized_user' | 'service_account' | 'external_account' | 'workload_identity';

export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
}

/** A freshly minted token and what is known of it without extra requests. */
export interface MintedToken extends AccessToken {
  /** Who the token acts as, when the answer says (an id_token email, the impersonated account). */
  readonly principal?: string | undefined;
  /** Scopes granted, when the answer lists them. */
  readonly scopes?: readonly string[] | undefined;
}

/** What every token source needs: where the services are, how hard to try, how to mask. */
export interface MintContext {
  readonly endpoints: Endpoints;
  readonly http: HttpPolicy;
  readonly mask: MaskRegistrar;
}

/** No Google access token lives longer than 12 hours; a larger expires_in is a broken answer. */
const MAX_LIFETIME_SECONDS = 43200;

/** RFC 6750's b64token: what can go into an Authorization header as it is. */
export function isBearerToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9\-._~+/]+=*$/.test(value);
}

/**
 * Reads `access_token` + `expires_in` of an OAuth token answer, and masks the
 * token before anything else can see it.
 */
export function readOAuthToken(body: unknown, service: string, mask: MaskRegistrar): MintedToken & { idToken?: string } {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const token = answer.access_token;
  if (!isBearerToken(token)) {
    throw new ActionError(`${service} answered without an access token.`, 'Check that the endpoints input points at the right service; if it does, re-run the job.');
  }
  mask(token);
  // Google answers whole seconds; less than one is as good as none.
  const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : Number(answer.expires_in ?? 3600);
  const idToken = typeof answer.id_token === 'string' ? answer.id_token : undefined;
  if (idToken) mask(idToken);
  return {
    accessToken: token,
    expiresAt: new Date(Date.now() + (Number.isFinite(lifetime) && lifetime >= 1 ? Math.min(lifetime, MAX_LIFETIME_SECONDS) : 3600) * 1000),
    scopes: typeof answer.scope === 'string' ? answer.scope.split(' ').filter(Boolean) : undefined,
    ...(idToken ? { idToken } : {}),
  };
}

/** A federated token does not outlive the subject token it came from (a GitHub OIDC token lives about five minutes). */
export function federatedExpiry(expiresAt: Date, subjectToken: string): Date {
  const { exp } = decodeJwtClaims(subjectToken);
  return typeof exp === 'number' && exp * 1000 < expiresAt.getTime() ? new Date(exp * 1000) : expiresAt;
}

/** `2026-11-23T10:00:00Z`: ISO 8601 UTC to the second. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The claims of a JWT, unverified: used only to name who a token belongs to. */
export function decodeJwtClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
