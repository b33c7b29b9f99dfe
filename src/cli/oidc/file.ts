// --oidc-token-file: a subject token the CI (or a script) writes to a file. The
// file is read again for each exchange, and the credentials file of `login`
// names it too, so client libraries refresh from whatever the CI writes there.
import { resolve } from 'node:path';
import type { SubjectTokenSupplier } from '../../credentials/subject-token.ts';
import { ActionError } from '../../errors.ts';
import { readAtMost } from '../../files/bounded-read.ts';
import type { Log } from '../../log.ts';
import { issuerOf, MAX_SUBJECT_TOKEN_BYTES, subjectJwt } from './subject-jwt.ts';

const FIX = 'Pass --oidc-token-file the file your CI writes its OIDC ID token to, whole and unchanged.';

/** `via` names the setting that gave the path: --oidc-token-file or its variable. */
export function fileSubjectTokens(path: string, via: string, log: Pick<Log, 'mask'>): SubjectTokenSupplier {
  const absolute = resolve(path);
  const read = (): string => subjectJwt(readTokenFile(absolute, via), `the file ${absolute}`, FIX, log);
  const first = read();
  return {
    name: `OIDC token of ${absolute}`,
    issuer: issuerOf(first),
    fetch: async () => read(),
    credentialSource: () => ({ file: absolute }),
  };
}

/** The file's text, or '' where it cannot be read: for the token cache's key, which must not fail. */
export function fileTokenText(path: string): string {
  try {
    return readAtMost(resolve(path), MAX_SUBJECT_TOKEN_BYTES);
  } catch {
    return '';
  }
}

function readTokenFile(path: string, via: string): string {
  try {
    return readAtMost(path, MAX_SUBJECT_TOKEN_BYTES);
  } catch (error) {
    throw new ActionError(`Cannot read the OIDC token file ${path}, which ${via} names (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, FIX);
  }
}
