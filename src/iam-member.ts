/**
 * The IAM policy member that names a principal in a grant (`--member=`):
 * `principal://…` and `principalSet://…` as they are, a service account's email
 * as `serviceAccount:EMAIL`, any other name as `user:NAME`.
 */
export function iamMember(principal: string): string {
  if (principal.startsWith('principal')) return principal;
  return `${principal.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${principal}`;
}
