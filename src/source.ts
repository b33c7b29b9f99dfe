import { authorizedUserFile, impersonatedFile, serviceAccountFile, type FileSettings } from './adc-file.ts';
import { parseCredentialsJson, secretValues, type CredentialsJson, type SourceCredentialsJson } from './credentials-json.ts';
import { generateAccessTokenUrl, impersonatedAccountOf } from './endpoints.ts';
import { ActionError } from './errors.ts';
import type { Inputs } from './inputs.ts';
import type { MaskRegistrar } from './secrets.ts';
import { refreshUserToken } from './sources/authorized-user.ts';
import { externalAccountToken, withEndpoints } from './sources/external-account.ts';
import { oidcRequestFromEnvironment } from './sources/github-oidc.ts';
import { impersonate, type ImpersonationTarget } from './sources/impersonation.ts';
import { loadPrivateKey, serviceAccountKeyToken } from './sources/service-account-key.ts';
import { defaultAudience, exchangeOidcToken, parseProvider, workloadIdentityFile, type FederationRequest } from './sources/workload-identity.ts';
import { decodeJwtClaims, type AuthType, type MintContext, type MintedToken } from './token.ts';

/** A credential ready to mint tokens, and to describe itself in an ADC file. */
export interface TokenSource {
  readonly authType: AuthType;
  /** Safe to log: the kind of credential and a public identifier. */
  readonly description: string;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
  mint(context: MintContext): Promise<MintedToken>;
  /** The ADC file content that lets later steps refresh by themselves. */
  credentialsFile(settings: FileSettings): Record<string, unknown>;
  readonly cacheBinding: CacheBinding;
}

/** What a cached token of a source is bound to. */
export interface CacheBinding {
  /** Values that only holders of the credentials know (never a fork's pull request); none for keyless credentials. */
  readonly secrets: readonly string[];
  /** The public facts that decide which token the source mints. */
  readonly facts: Readonly<Record<string, unknown>>;
}

const CLOUD_PLATFORM = ['https://www.googleapis.com/auth/cloud-platform'];
const EMAIL_PATTERN = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;

/**
 * Picks the token source from the inputs. The secrets of credentials_json were
 * masked before it was parsed (maskRawInput); the OIDC request token is masked here.
 */
export function resolveSource(inputs: Inputs, mask: MaskRegistrar, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): TokenSource {
  const hasJson = inputs.credentialsJson !== '';
  const hasProvider = inputs.workloadIdentityProvider !== '';
  if (hasJson === hasProvider) {
    throw new ActionError(
      hasJson ? 'Both credentials_json and workload_identity_provider are set; gemini-auth takes exactly one.' : 'Neither credentials_json nor workload_identity_provider is set (an empty secret looks like this too: check that the secret exists and is available to this workflow).',
      'Set credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }} (the file `gcloud auth application-default login` writes), or workload_identity_provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER with `permissions: id-token: write`.',
    );
  }
  const target = impersonationTarget(inputs);
  if (hasProvider) return workloadIdentitySource(inputs, target, mask, log, env);
  const credentials = parseCredentialsJson(inputs.credentialsJson);
  if (credentials.type === 'impersonated_service_account' && target) {
    throw new ActionError(
      `The credentials_json already impersonates ${impersonatedAccountOf(credentials.service_account_impersonation_url)}, and the input service_account asks to impersonate ${target.serviceAccount} on top of it.`,
      'Leave service_account unset to use the file as it is, or pass the file\'s source_credentials as credentials_json together with service_account and delegates.',
    );
  }
  return credentialsSource(credentials, inputs.scopes, inputs.accessTokenLifetimeSeconds, target);
}

/**
 * The token source of a credentials JSON: the input credentials_json, or the
 * ADC file read back by gemini-auth-token. An impersonated_service_account
 * file brings its own target; `target` impersonates on top of source credentials.
 */
export function credentialsSource(credentials: CredentialsJson, scopes: readonly string[], lifetimeSeconds: number, target?: ImpersonationTarget): TokenSource {
  if (credentials.type === 'impersonated_service_account') {
    const serviceAccount = impersonatedAccountOf(credentials.service_account_impersonation_url) ?? '';
    const delegates = (credentials.delegates ?? []).map((delegate) => delegate.replace(/^projects\/[^/]+\/serviceAccounts\//, ''));
    const source = credentialsSource(credentials.source_credentials, scopes, lifetimeSeconds, { serviceAccount, delegates, scopes, lifetimeSeconds });
    return { ...source, quotaProjectId: credentials.quota_project_id || source.quotaProjectId };
  }
  const source = jsonSource(credentials, target ? CLOUD_PLATFORM : scopes);
  return target ? withImpersonation(source, target) : source;
}

function impersonationTarget(inputs: Inputs): ImpersonationTarget | undefined {
  if (!inputs.serviceAccount) return undefined;
  for (const [input, email] of [['service_account', inputs.serviceAccount], ...inputs.delegates.map((d) => ['delegates', d])] as const) {
    if (!EMAIL_PATTERN.test(email)) {
      throw new ActionError(`The input ${input} must be a service account email, not "${email.slice(0, 80)}".`, 'Use the full email, like name@project-id.iam.gserviceaccount.com.');
    }
  }
  return { serviceAccount: inputs.serviceAccount, delegates: inputs.delegates, scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds };
}

/** `scopes`: what the token is for; a token that will only impersonate needs nothing but cloud-platform. */
function jsonSource(credentials: SourceCredentialsJson, scopes: readonly string[]): TokenSource {
  switch (credentials.type) {
    case 'authorized_user':
      return {
        authType: 'authorized_user',
        description: `authorized_user credentials of OAuth client ${credentials.client_id}`,
        projectId: credentials.quota_project_id || undefined,
        quotaProjectId: credentials.quota_project_id || undefined,
        mint: (context) => refreshUserToken(credentials, context),
        credentialsFile: (settings) => authorizedUserFile(credentials, settings),
        // The token carries the scopes of the consent, whatever is asked.
        cacheBinding: { secrets: secretValues(credentials), facts: { type: credentials.type, clientId: credentials.client_id } },
      };
    case 'service_account': {
      const privateKey = loadPrivateKey(credentials);
      return {
        authType: 'service_account',
        description: `service_account key ${credentials.private_key_id ?? ''} of ${credentials.client_email}`.replace('  ', ' '),
        projectId: credentials.project_id || undefined,
        quotaProjectId: credentials.quota_project_id || undefined,
        mint: (context) => serviceAccountKeyToken(credentials, privateKey, scopes, context),
        credentialsFile: (settings) => serviceAccountFile(credentials, settings),
        cacheBinding: { secrets: secretValues(credentials), facts: { type: credentials.type, email: credentials.client_email, scopes } },
      };
    }
    case 'external_account':
      return {
        authType: 'external_account',
        description: `external_account configuration for ${credentials.audience}`,
        projectId: undefined,
        quotaProjectId: credentials.quota_project_id || undefined,
        mint: (context) => externalAccountToken(credentials, scopes, context),
        credentialsFile: (settings) => withEndpoints(credentials, settings.endpoints),
        // Its header values need not be secret: the configuration is bound as a whole, keyed by cache_encryption_key alone.
        cacheBinding: { secrets: [], facts: { type: credentials.type, configuration: credentials, scopes } },
      };
  }
}

function withImpersonation(source: TokenSource, target: ImpersonationTarget): TokenSource {
  return {
    ...source,
    description: `${source.description}, impersonating ${target.serviceAccount}`,
    mint: async (context) => {
      const sourceToken = await source.mint(context);
      // Without an email in the answer, the fix names a placeholder the user fills in.
      const fallback = source.authType === 'authorized_user' ? 'YOUR_EMAIL' : 'SOURCE_PRINCIPAL';
      return impersonate(sourceToken.accessToken, sourceToken.principal ?? fallback, target, context);
    },
    credentialsFile: (settings) => impersonatedFile(source.credentialsFile(settings), target.serviceAccount, target.delegates, settings),
    cacheBinding: { secrets: source.cacheBinding.secrets, facts: { ...source.cacheBinding.facts, impersonate: target } },
  };
}

function workloadIdentitySource(inputs: Inputs, target: ImpersonationTarget | undefined, mask: MaskRegistrar, log: (line: string) => void, env: NodeJS.ProcessEnv): TokenSource {
  const provider = parseProvider(inputs.workloadIdentityProvider);
  const federation: FederationRequest = {
    provider,
    audience: inputs.audience || defaultAudience(provider, inputs.universe),
    universe: inputs.universe,
    oidc: oidcRequestFromEnvironment(env, mask),
    scopes: target ? CLOUD_PLATFORM : inputs.scopes,
    onClaims: (claims) => log(`GitHub OIDC token claims: ${claims}`),
  };
  return {
    authType: 'workload_identity',
    description: `workload identity provider ${provider.name}${target ? `, impersonating ${target.serviceAccount}` : ''}`,
    projectId: undefined,
    quotaProjectId: undefined,
    mint: async (context) => {
      const federated = await exchangeOidcToken(federation, context);
      const { sub, repository } = decodeJwtClaims(federated.subjectToken);
      if (!target) return { accessToken: federated.accessToken, expiresAt: federated.expiresAt, principal: typeof sub === 'string' ? sub : undefined, scopes: federated.scopes };
      // The member to name if impersonation is denied: the usual grant is to the repository's principal set.
      const member = typeof repository === 'string' ? `principalSet://iam.googleapis.com/${provider.pool}/attribute.repository/${repository}` : `principal://iam.googleapis.com/${provider.pool}/subject/${String(sub)}`;
      return impersonate(federated.accessToken, member, target, context);
    },
    credentialsFile: (settings) =>
      workloadIdentityFile(federation, settings.endpoints, target ? generateAccessTokenUrl(settings.endpoints, target.serviceAccount) : undefined, inputs.accessTokenLifetimeSeconds),
    // Nothing here is secret. The job's OIDC claims follow from repository, ref, workflow and event: a token
    // minted for one of them must not serve another that the provider's attribute condition may refuse.
    cacheBinding: {
      secrets: [],
      facts: {
        type: 'workload_identity',
        provider: provider.name,
        audience: federation.audience,
        scopes: federation.scopes,
        ...(target ? { impersonate: target } : {}),
        job: [env.GITHUB_REPOSITORY, env.GITHUB_REF, env.GITHUB_WORKFLOW_REF, env.GITHUB_EVENT_NAME],
      },
    },
  };
}
