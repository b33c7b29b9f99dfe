// A subject token in an environment variable (--oidc-token-env NAME, CircleCI's
// CIRCLE_OIDC_TOKEN_V2, GitLab's id_tokens). The CI sets it when the job starts
// and it keeps its value to the end, so re-reading it gains nothing: the
// credentials file of `login` points at a copy (0600, beside the file), which
// serves client libraries exactly as long as the variable would, until the
// token expires (GitLab: the job's timeout; CircleCI: one hour). An executable
// credential_source that printed the variable would do no better and needs
// GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 in every process that reads the file.
import { join } from 'node:path';
import type { SubjectTokenSupplier } from '../../credentials/subject-token.ts';
import { ownedName } from '../../files/owned-names.ts';
import { writeSecretFile } from '../../files/secret-file.ts';
import type { Log } from '../../log.ts';
import { issuerOf, subjectJwt } from './subject-jwt.ts';

export interface VariableTokens {
  /** Names the token in the log: "GitLab OIDC token". */
  readonly name: string;
  /** Where such a token comes from, for the error when there is none. */
  readonly fix: string;
}

/** `folder` gives the credentials file's folder, for the copy; it is called only when that file is written. */
export function variableSubjectTokens(variable: string, env: NodeJS.ProcessEnv, log: Pick<Log, 'mask'>, folder: () => string, tokens: VariableTokens): SubjectTokenSupplier {
  const token = subjectJwt(env[variable] ?? '', `the variable ${variable}`, tokens.fix, log);
  let copy: string | undefined;
  return {
    name: tokens.name,
    issuer: issuerOf(token),
    fetch: async () => token,
    credentialSource() {
      if (!copy) {
        copy = join(folder(), ownedName());
        writeSecretFile(copy, token);
      }
      return { file: copy };
    },
  };
}
