/**
 * The output's `auth_type`: the name of the credential type that minted the
 * token (its module's `authType`), also with impersonation on top.
 */
export type AuthType = string;

export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
}

/** A freshly minted token and what is known of it without extra requests. */
export interface MintedToken extends AccessToken {
  /** Who the token acts as, when the answer says (an id_token email, the impersonated account). */
  readonly principal?: string | undefined;
  /** The IAM member to grant roles to, where `principal` is not one (a federated token's subject). */
  readonly member?: string | undefined;
  /** Scopes granted, when the answer lists them. */
  readonly scopes?: readonly string[] | undefined;
}

/** No Google access token lives longer than 12 hours; a later expiry is a broken answer. */
export const MAX_LIFETIME_SECONDS = 43200;

/** RFC 6750's b64token: what can go into an Authorization header as it is. */
export function isBearerToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9\-._~+/]+=*$/.test(value);
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
