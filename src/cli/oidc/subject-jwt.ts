// A subject token a CI left in a file or a variable: masked at once, and
// refused before any request unless it has the shape of a JWT.
import { ActionError } from '../../errors.ts';
import type { Log } from '../../log.ts';
import { decodeJwtClaims } from '../../token.ts';
import { untrusted } from '../../untrusted.ts';

/** Far above any OIDC token (GitHub's, GitLab's and CircleCI's are 1 to 2 KB). */
export const MAX_SUBJECT_TOKEN_BYTES = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** `text` as a subject token; `where` names it ("the file PATH"), `fix` says where a token comes from. */
export function subjectJwt(text: string, where: string, fix: string, log: Pick<Log, 'mask'>): string {
  const token = text.trim();
  if (token === '') throw new ActionError(`There is no OIDC token in ${where}: it is empty.`, fix);
  log.mask(token);
  if (token.length > MAX_SUBJECT_TOKEN_BYTES || !JWT_SHAPE.test(token)) {
    throw new ActionError(`What ${where} holds is not an OIDC token: a JWT is three base64url parts joined by dots (its content is not shown).`, fix);
  }
  return token;
}

/** The issuer a provider must trust for `token`, for the fix of a refusal: a claim, so text from outside. */
export function issuerOf(token: string): string {
  const { iss } = decodeJwtClaims(token);
  return typeof iss === 'string' ? untrusted(iss, 200) : 'the issuer of your CI\'s OIDC tokens';
}
