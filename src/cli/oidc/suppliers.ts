// The supplier of each kind of subject token, built on the minting path only.
import { githubOidcSupplier } from '../../credentials/github-oidc.ts';
import type { SubjectTokenSupplier } from '../../credentials/subject-token.ts';
import type { Log } from '../../log.ts';
import { circleciSubjectTokens } from './circleci.ts';
import type { SubjectTokens } from './detect.ts';
import { fileSubjectTokens } from './file.ts';
import { gitlabSubjectTokens } from './gitlab.ts';
import { variableSubjectTokens } from './variable.ts';

/** `folder` gives the credentials file's folder, where a token held in a variable is copied for it. */
export function subjectTokenSupplier(tokens: SubjectTokens, env: NodeJS.ProcessEnv, log: Pick<Log, 'mask'>, folder: () => string): SubjectTokenSupplier {
  switch (tokens.kind) {
    case 'file':
      return fileSubjectTokens(tokens.path, tokens.via, log);
    case 'variable':
      return variableSubjectTokens(tokens.variable, env, log, folder, {
        name: `OIDC token in ${tokens.variable}`,
        fix: `Set ${tokens.variable} to your CI's OIDC token, or pass --oidc-token-file PATH.`,
      });
    case 'github':
      return githubOidcSupplier(env, log);
    case 'circleci':
      return circleciSubjectTokens(env, log, folder);
    case 'gitlab':
      return gitlabSubjectTokens(env, log, folder);
  }
}
