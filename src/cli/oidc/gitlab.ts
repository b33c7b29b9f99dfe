// GitLab CI: an `id_tokens:` entry named GEMINI_AUTH_OIDC_TOKEN, the conventional
// name, whose `aud` the workload identity provider accepts. Any other CI can set
// the same variable.
import type { SubjectTokenSupplier } from '../../credentials/subject-token.ts';
import type { Log } from '../../log.ts';
import { GITLAB_VARIABLE } from './detect.ts';
import { variableSubjectTokens } from './variable.ts';

export function gitlabSubjectTokens(env: NodeJS.ProcessEnv, log: Pick<Log, 'mask'>, folder: () => string): SubjectTokenSupplier {
  return variableSubjectTokens(GITLAB_VARIABLE, env, log, folder, {
    name: env.GITLAB_CI ? 'GitLab OIDC token' : `OIDC token in ${GITLAB_VARIABLE}`,
    fix: `In GitLab CI, give the job \`id_tokens: { ${GITLAB_VARIABLE}: { aud: https://iam.googleapis.com/PROVIDER_NAME } }\`; elsewhere, set ${GITLAB_VARIABLE} to your CI's OIDC token.`,
  });
}
