// Where workload identity gets its subject token: --oidc-token-file, else
// --oidc-token-env, else the first CI that offers one: GitHub Actions (the
// runner's OIDC request URL), CircleCI (CIRCLE_OIDC_TOKEN_V2), GitLab
// (GEMINI_AUTH_OIDC_TOKEN). Choosing reads no token and loads no supplier.
import { ActionError } from '../../errors.ts';
import { variableOf, type CommandLine } from '../options.ts';
import { fileTokenText } from './file.ts';

/** Where CircleCI puts the OIDC token of a job that runs with a context. */
export const CIRCLECI_VARIABLE = 'CIRCLE_OIDC_TOKEN_V2';
/** The conventional name of a GitLab `id_tokens:` entry for gemini-auth; any CI can set it. */
export const GITLAB_VARIABLE = 'GEMINI_AUTH_OIDC_TOKEN';

export type SubjectTokens =
  | { readonly kind: 'file'; readonly path: string; readonly via: string }
  | { readonly kind: 'variable'; readonly variable: string }
  | { readonly kind: 'github' }
  | { readonly kind: 'circleci' }
  | { readonly kind: 'gitlab' };

export function detectSubjectTokens(line: CommandLine, env: NodeJS.ProcessEnv): SubjectTokens {
  const file = line.setting('oidc-token-file');
  if (file.value.trim()) return { kind: 'file', path: file.value.trim(), via: file.from === 'variable' ? variableOf('oidc-token-file') : '--oidc-token-file' };
  const variable = line.text('oidc-token-env');
  if (variable) return { kind: 'variable', variable };
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL) return { kind: 'github' };
  if (env[CIRCLECI_VARIABLE]?.trim()) return { kind: 'circleci' };
  if (env[GITLAB_VARIABLE]?.trim()) return { kind: 'gitlab' };
  throw new ActionError(
    `Workload identity needs an OIDC token from your CI, and none was found: neither --oidc-token-file nor --oidc-token-env is set, and neither GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL), CircleCI (${CIRCLECI_VARIABLE}) nor GitLab (${GITLAB_VARIABLE}) offers one.`,
    `In GitLab CI, give the job \`id_tokens: { ${GITLAB_VARIABLE}: { aud: https://iam.googleapis.com/PROVIDER_NAME } }\`; in CircleCI, run the job with a context; in GitHub Actions, add \`permissions: { id-token: write }\`; elsewhere pass --oidc-token-file PATH or --oidc-token-env NAME.`,
  );
}

/**
 * What tokens of this source follow from, for the token cache's key: the
 * subject token itself, or for GitHub the job's own OIDC request token. A
 * new job, or a new token, never meets the federated token of another.
 */
export function subjectTokenMaterial(tokens: SubjectTokens, env: NodeJS.ProcessEnv): string {
  switch (tokens.kind) {
    case 'file':
      return fileTokenText(tokens.path);
    case 'variable':
      return env[tokens.variable] ?? '';
    case 'github':
      return env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '';
    case 'circleci':
      return env[CIRCLECI_VARIABLE] ?? '';
    case 'gitlab':
      return env[GITLAB_VARIABLE] ?? '';
  }
}
