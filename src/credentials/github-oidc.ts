// The GitHub Actions OIDC token as a subject token, asked of the runner's token
// service. Not core.getIDToken: it retries 5xx ten times of its own, has no
// timeout (three minutes a socket) and cannot tell a body that is not JSON from
// one without a token, so neither the retries nor the timeout inputs would hold.
import { ActionError } from '../errors.ts';
import { sendJson, type HttpAnswer } from '../google/http.ts';
import type { Log } from '../log.ts';
import { untrusted } from '../untrusted.ts';
import type { SubjectTokenSupplier } from './subject-token.ts';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** The job's OIDC tokens; the request token is masked at once. Present only with `permissions: id-token: write`. */
export function githubOidcSupplier(env: NodeJS.ProcessEnv, log: Pick<Log, 'mask'>): SubjectTokenSupplier {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) {
    throw new ActionError(
      'This job cannot get a GitHub OIDC token, which workload_identity_provider needs: ACTIONS_ID_TOKEN_REQUEST_URL is not set.',
      'Add `permissions: { id-token: write, contents: read }` to the workflow or job. Pull requests from forks never get an OIDC token (nor secrets): skip this step for them with `if: github.event.pull_request.head.repo.full_name == github.repository`.',
    );
  }
  log.mask(bearer);
  const urlFor = (audience: string): string => `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  return {
    name: 'GitHub OIDC token',
    issuer: GITHUB_ISSUER,
    async fetch(audience, context) {
      const answer = await sendJson('The GitHub OIDC token endpoint', () => ({ url: urlFor(audience), method: 'GET', headers: { authorization: `Bearer ${bearer}` } }), context.http);
      const value = (answer.body as Record<string, unknown> | null)?.value;
      if (answer.status !== 200 || typeof value !== 'string' || value === '') {
        throw new ActionError(
          `GitHub did not issue an OIDC token (${answer.status === 200 ? 'answer without a token' : describeGitHubError(answer)}).`,
          'Check that the job has `permissions: id-token: write`; if it has, re-run the job.',
        );
      }
      context.log.mask(value);
      return value;
    },
    // Client libraries in later steps ask the runner for fresh tokens by themselves.
    credentialSource: (audience) => ({ url: urlFor(audience), headers: { Authorization: `Bearer ${bearer}` }, format: { type: 'json', subject_token_field_name: 'value' } }),
  };
}

/** GitHub answers errors as `{"message": "..."}`. */
function describeGitHubError(answer: HttpAnswer): string {
  const message = (answer.body as Record<string, unknown> | null)?.message;
  return `HTTP ${answer.status}${typeof message === 'string' ? `: ${untrusted(message, 200)}` : ''}`;
}
