import { ActionError } from '../errors.ts';
import { sendJson, type HttpAnswer, type HttpPolicy } from '../http.ts';
import type { MaskRegistrar } from '../secrets.ts';
import { decodeJwtClaims } from '../token.ts';

/** Where the runner hands out OIDC tokens; present only with `permissions: id-token: write`. */
export interface OidcRequest {
  readonly url: string;
  readonly bearer: string;
}

export function oidcRequestFromEnvironment(env: NodeJS.ProcessEnv, mask: MaskRegistrar): OidcRequest {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) {
    throw new ActionError(
      'This job cannot get a GitHub OIDC token, which workload_identity_provider needs: ACTIONS_ID_TOKEN_REQUEST_URL is not set.',
      'Add `permissions: { id-token: write, contents: read }` to the workflow or job. Pull requests from forks never get an OIDC token (nor secrets): skip this step for them with `if: github.event.pull_request.head.repo.full_name == github.repository`.',
    );
  }
  mask(bearer);
  return { url, bearer };
}

/** The claims users need to see when an attribute condition rejects them; none of them is secret. */
const SHOWN_CLAIMS = ['iss', 'sub', 'aud', 'repository', 'repository_owner', 'ref', 'job_workflow_ref', 'event_name', 'environment'];

export function describeClaims(token: string): string {
  const claims = decodeJwtClaims(token);
  return SHOWN_CLAIMS.filter((name) => claims[name] !== undefined)
    .map((name) => `${name}=${String(claims[name])}`)
    .join(', ');
}

/** One fresh OIDC token for `audience`, masked before it is returned. */
export async function fetchOidcToken(request: OidcRequest, audience: string, http: HttpPolicy, mask: MaskRegistrar): Promise<string> {
  const url = `${request.url}${request.url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  const answer = await sendJson('The GitHub OIDC token endpoint', () => ({ url, method: 'GET', headers: { authorization: `Bearer ${request.bearer}` } }), http);
  const value = (answer.body as Record<string, unknown> | null)?.value;
  if (answer.status !== 200 || typeof value !== 'string' || value === '') {
    throw new ActionError(
      `GitHub did not issue an OIDC token (${answer.status === 200 ? 'answer without a token' : describeGitHubError(answer)}).`,
      'Check that the job has `permissions: id-token: write`; if it has, re-run the job.',
    );
  }
  mask(value);
  return value;
}

/** GitHub answers errors as `{"message": "..."}`. */
function describeGitHubError(answer: HttpAnswer): string {
  const message = (answer.body as Record<string, unknown> | null)?.message;
  return `HTTP ${answer.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
}
