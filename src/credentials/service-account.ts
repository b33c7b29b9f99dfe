// service_account: a key file. The JWT-bearer grant: an assertion signed here
// with the key, one request.
import type { KeyObject } from 'node:crypto';
import { tokenUrl } from '../endpoints.ts';
import { ActionError } from '../errors.ts';
import { summarize, type GoogleError } from '../google/errors.ts';
import { tokenGrant } from '../google/protocol.ts';
import { nodeCrypto } from '../lazy-crypto.ts';
import { ACTION_CREDENTIALS, optionalProjectIds, optionalStrings, requireStrings, type CredentialsOrigin } from './json.ts';
import type { CredentialType } from './types.ts';

export interface ServiceAccountJson {
  readonly type: 'service_account';
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly project_id?: string;
  readonly quota_project_id?: string;
  readonly universe_domain?: string;
  readonly token_uri?: string;
  readonly [field: string]: unknown;
}

const SERVICE = 'The Google OAuth token endpoint';
const NEW_KEY = (email: string): string =>
  `Create a new key with \`gcloud iam service-accounts keys create key.json --iam-account=${email}\` and store it as the secret, or better, switch to workload_identity_provider and drop keys.`;

export const serviceAccount: CredentialType<ServiceAccountJson> = {
  type: 'service_account',
  secretFields: ['private_key'],

  validate(json, _registry, origin) {
    requireStrings(json, 'service_account', ['client_email', 'private_key'], origin);
    optionalStrings(json, 'service_account', ['private_key_id', 'universe_domain', 'token_uri'], origin);
    optionalProjectIds(json, 'service_account', ['project_id', 'quota_project_id'], origin);
    if (/-----BEGIN EC PRIVATE KEY-----/.test(json.private_key as string)) throw notRsa(json.client_email as string, 'an EC', origin);
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(json.private_key as string)) {
      throw new ActionError(`The field private_key of the service_account ${origin.name} is not a PEM private key.`, 'Create a new key (`gcloud iam service-accounts keys create key.json --iam-account=EMAIL`) and store the file unchanged.');
    }
    return json as ServiceAccountJson;
  },

  source(key, { scopes, origin = ACTION_CREDENTIALS }) {
    const privateKey = loadPrivateKey(key, origin);
    return {
      authType: 'service_account',
      description: `service_account key ${key.private_key_id ?? ''} of ${key.client_email}`.replace('  ', ' '),
      projectId: key.project_id || undefined,
      quotaProjectId: key.quota_project_id || undefined,
      async mint(context) {
        const url = tokenUrl(context.endpoints);
        const { idToken: _unused, ...token } = await tokenGrant(
          {
            service: SERVICE,
            url,
            form: () => ({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(key, privateKey, scopes, url) }),
            explain: (error) => explainKeyError(error, key.client_email),
          },
          context,
        );
        return { ...token, principal: key.client_email, scopes: token.scopes ?? scopes };
      },
      credentialsFile(settings) {
        const { quota_project_id: _quota, universe_domain: _universe, ...rest } = key;
        const token_uri = settings.endpoints.overridden.has('oauth2') ? tokenUrl(settings.endpoints) : (key.token_uri ?? tokenUrl(settings.endpoints));
        return { ...rest, token_uri };
      },
      cacheBinding: { secrets: [key.private_key], facts: { type: 'service_account', email: key.client_email, scopes } },
    };
  },
};

function loadPrivateKey(key: ServiceAccountJson, origin: CredentialsOrigin): KeyObject {
  let privateKey: KeyObject;
  try {
    privateKey = nodeCrypto().createPrivateKey(key.private_key);
  } catch {
    throw new ActionError(`The private_key of the service_account ${origin.name} cannot be read as an RSA private key.`, NEW_KEY(key.client_email));
  }
  // A PKCS#8 EC key reads fine, and Google would refuse its signature as if the key were deleted.
  if (privateKey.asymmetricKeyType !== 'rsa') throw notRsa(key.client_email, `an ${(privateKey.asymmetricKeyType ?? 'unknown').toUpperCase()}`, origin);
  return privateKey;
}

/** Google signs and checks service-account JWTs with RS256 only; other keys are for other systems (Distributed Cloud, say). */
function notRsa(email: string, kind: string, origin: CredentialsOrigin): ActionError {
  return new ActionError(
    `The private_key of the service_account ${origin.name} is ${kind} key, and Google service-account keys are RSA: Google would refuse its signature.`,
    `${NEW_KEY(email)} Keys that \`gcloud iam service-accounts keys create\` makes, or the console downloads, are RSA.`,
  );
}

function signAssertion(key: ServiceAccountJson, privateKey: KeyObject, scopes: readonly string[], audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) });
  const claims = encode({ iss: key.client_email, scope: scopes.join(' '), aud: audience, iat: now, exp: now + 3600 });
  const signature = nodeCrypto().sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function explainKeyError(error: GoogleError, email: string): ActionError {
  const said = summarize(error);
  if (error.oauthError === 'invalid_grant') {
    return new ActionError(`Google rejected the service-account key of ${email} (${said}): the key was deleted or disabled, the account was deleted or disabled, or the runner's clock is off.`, NEW_KEY(email));
  }
  if (error.oauthError === 'invalid_scope') {
    return new ActionError(`Google refused the scopes asked for ${email} (${said}).`, 'Check the input scopes: full URLs such as https://www.googleapis.com/auth/cloud-platform.');
  }
  return new ActionError(`${SERVICE} refused the service-account key of ${email} (${said}).`, NEW_KEY(email));
}
