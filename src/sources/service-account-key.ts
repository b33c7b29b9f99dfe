import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from '../lazy-crypto.ts';
import type { ServiceAccountJson } from '../credentials-json.ts';
import { tokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { readGoogleError, summarize } from '../google-errors.ts';
import { sendJson } from '../http.ts';
import { readOAuthToken, type MintContext, type MintedToken } from '../token.ts';

const SERVICE = 'The Google OAuth token endpoint';
const NEW_KEY = (email: string): string =>
  `Create a new key with \`gcloud iam service-accounts keys create key.json --iam-account=${email}\` and store it as the secret, or better, switch to workload_identity_provider and drop keys.`;

export function loadPrivateKey(key: ServiceAccountJson): KeyObject {
  try {
    return nodeCrypto().createPrivateKey(key.private_key);
  } catch {
    throw new ActionError('The private_key of the service_account credentials_json cannot be read as an RSA private key.', NEW_KEY(key.client_email));
  }
}

/** The JWT-bearer grant: an assertion signed locally, one request. */
export async function serviceAccountKeyToken(key: ServiceAccountJson, privateKey: KeyObject, scopes: readonly string[], context: MintContext): Promise<MintedToken> {
  const url = tokenUrl(context.endpoints);
  const answer = await sendJson(
    SERVICE,
    () => ({ url, method: 'POST', form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(key, privateKey, scopes, url) } }),
    context.http,
  );
  if (answer.status !== 200) throw explainKeyError(answer.status, answer.body, key.client_email);
  const { idToken, ...token } = readOAuthToken(answer.body, SERVICE, context.mask);
  return { ...token, principal: key.client_email, scopes: token.scopes ?? scopes };
}

function signAssertion(key: ServiceAccountJson, privateKey: KeyObject, scopes: readonly string[], audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) });
  const claims = encode({ iss: key.client_email, scope: scopes.join(' '), aud: audience, iat: now, exp: now + 3600 });
  const signature = nodeCrypto().sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function explainKeyError(status: number, body: unknown, email: string): ActionError {
  const error = readGoogleError({ status, body });
  const said = summarize(error);
  if (error.oauthError === 'invalid_grant') {
    return new ActionError(`Google rejected the service-account key of ${email} (${said}): the key was deleted or disabled, the account was deleted or disabled, or the runner's clock is off.`, NEW_KEY(email));
  }
  if (error.oauthError === 'invalid_scope') {
    return new ActionError(`Google refused the scopes asked for ${email} (${said}).`, 'Check the input scopes: full URLs such as https://www.googleapis.com/auth/cloud-platform.');
  }
  return new ActionError(`${SERVICE} refused the service-account key of ${email} (${said}).`, NEW_KEY(email));
}
