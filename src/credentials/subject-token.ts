import { decodeJwtClaims } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import type { MintContext } from './types.ts';

/**
 * Where a workload identity federation gets its subject token: the CI
 * system's OIDC token. Each shell brings the suppliers of the CI systems it
 * knows (the Action: GitHub's; the CLI: files, variables, detected CIs).
 */
export interface SubjectTokenSupplier {
  /** Names the token in the log: "GitHub OIDC token". */
  readonly name: string;
  /** The issuer a provider must trust for it, for the fix of a refusal. */
  readonly issuer: string;
  /** A fresh token for `audience`, masked before it is returned. */
  fetch(audience: string, context: MintContext): Promise<string>;
  /** The credential_source of an external_account ADC file that fetches such a token again, for later steps. */
  credentialSource(audience: string): Record<string, unknown>;
}

/**
 * The claims users need to see when an attribute condition rejects them; none
 * of them is secret. GitHub's, then those GitLab's and CircleCI's tokens add
 * that conditions test (GitHub's tokens have none of these).
 */
const SHOWN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'repository',
  'repository_owner',
  'ref',
  'job_workflow_ref',
  'event_name',
  'environment',
  'project_path',
  'namespace_path',
  'pipeline_source',
  'ref_path',
  'oidc.circleci.com/project-id',
  'oidc.circleci.com/context-ids',
  'oidc.circleci.com/vcs-origin',
  'oidc.circleci.com/vcs-ref',
];

/** The shown claims as `name=value, ...`; each value is whatever the token's issuer put there (a branch name, say), read through `untrusted`. */
export function describeClaims(token: string): string {
  const claims = decodeJwtClaims(token);
  return SHOWN_CLAIMS.filter((name) => claims[name] !== undefined)
    .map((name) => `${name}=${untrusted(String(claims[name]), 200)}`)
    .join(', ');
}
