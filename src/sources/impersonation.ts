import { generateAccessTokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google-errors.ts';
import { sendJson } from '../http.ts';
import { isBearerToken, type MintContext, type MintedToken } from '../token.ts';

export interface ImpersonationTarget {
  readonly serviceAccount: string;
  readonly delegates: readonly string[];
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
}

const SERVICE = 'The IAM Credentials API (generateAccessToken)';

/** Trades a source token for a token of the target service account: one request. */
export async function impersonate(sourceToken: string, sourcePrincipal: string, target: ImpersonationTarget, context: MintContext): Promise<MintedToken> {
  const url = generateAccessTokenUrl(context.endpoints, target.serviceAccount);
  const answer = await sendJson(
    SERVICE,
    () => ({
      url,
      method: 'POST',
      headers: { authorization: `Bearer ${sourceToken}` },
      json: {
        scope: target.scopes,
        lifetime: `${target.lifetimeSeconds}s`,
        ...(target.delegates.length ? { delegates: target.delegates.map((email) => `projects/-/serviceAccounts/${email}`) } : {}),
      },
    }),
    context.http,
  );
  if (answer.status !== 200) throw explainImpersonationError(answer.status, answer.body, sourcePrincipal, target);
  const body = (answer.body ?? {}) as Record<string, unknown>;
  const expiresAt = typeof body.expireTime === 'string' ? new Date(body.expireTime) : new Date(NaN);
  if (!isBearerToken(body.accessToken) || Number.isNaN(expiresAt.getTime())) {
    throw new ActionError(`${SERVICE} answered without an access token and its expiry.`, 'Check that the endpoints input points at the IAM Credentials API; if it does, re-run the job.');
  }
  context.mask(body.accessToken);
  return { accessToken: body.accessToken, expiresAt, principal: target.serviceAccount, scopes: target.scopes };
}

function explainImpersonationError(status: number, body: unknown, sourcePrincipal: string, target: ImpersonationTarget): ActionError {
  const error = readGoogleError({ status, body });
  const said = summarize(error);
  const account = target.serviceAccount;
  if (status === 403) {
    const federated = sourcePrincipal.startsWith('principal');
    const role = federated ? 'roles/iam.workloadIdentityUser' : 'roles/iam.serviceAccountTokenCreator';
    const member = federated ? sourcePrincipal : `${sourcePrincipal.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${sourcePrincipal}`;
    const who = /^[A-Z_]+$/.test(sourcePrincipal) ? 'The source credentials' : sourcePrincipal;
    return new ActionError(
      `${who} may not impersonate ${account}: iam.serviceAccounts.getAccessToken was denied (${said}).`,
      `Grant it ${role} on the service account: \`gcloud iam service-accounts add-iam-policy-binding ${account} --role=${role} --member="${member}"\` (it can take a few minutes to apply). Check also that ${account} exists and is enabled.`,
    );
  }
  if (status === 400 && /lifetime/i.test(error.description ?? '')) {
    return new ActionError(
      `The access_token_lifetime ${target.lifetimeSeconds}s was refused (${said}).`,
      'Use at most 3600s, or allow longer tokens for this service account with the organization policy constraints/iam.allowServiceAccountCredentialLifetimeExtension.',
    );
  }
  if (status === 404) {
    return new ActionError(`The service account ${account} was not found (${said}).`, 'Check the input service_account: it is the full email, like name@project-id.iam.gserviceaccount.com.');
  }
  if (status === 401) {
    return new ActionError(`${SERVICE} did not accept the source token (${said}).`, 'Re-run the job; if it persists, check the endpoints input and that the source credentials are valid.');
  }
  return new ActionError(`${SERVICE} refused to mint a token for ${account} (${said}).`, 'Check the inputs service_account, delegates, scopes and access_token_lifetime.');
}
