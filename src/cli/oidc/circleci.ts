// CircleCI: jobs that run with a context get their OIDC token in CIRCLE_OIDC_TOKEN_V2
// (issuer https://oidc.circleci.com/org/ORG_ID, audience the organization's ID).
import type { SubjectTokenSupplier } from '../../credentials/subject-token.ts';
import type { Log } from '../../log.ts';
import { CIRCLECI_VARIABLE } from './detect.ts';
import { variableSubjectTokens } from './variable.ts';

export function circleciSubjectTokens(env: NodeJS.ProcessEnv, log: Pick<Log, 'mask'>, folder: () => string): SubjectTokenSupplier {
  return variableSubjectTokens(CIRCLECI_VARIABLE, env, log, folder, {
    name: 'CircleCI OIDC token',
    fix: 'Run the job with a context (`context: [NAME]` in the workflow), which makes CircleCI set CIRCLE_OIDC_TOKEN_V2.',
  });
}
