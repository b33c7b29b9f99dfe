import type { GoogleContext } from '../google/protocol.ts';
import type { AuthType, MintedToken } from '../token.ts';
import type { FileSettings } from './adc-file.ts';
import type { CredentialsOrigin } from './json.ts';

/** What minting needs: the services, the retry policy and where secrets are masked. */
export type MintContext = GoogleContext;

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
  /** What a cached token of this source is bound to; the cache module builds its key from it. */
  readonly cacheBinding: CacheBinding;
}

export interface CacheBinding {
  /** Values that only holders of the credentials know (never a fork's pull request); none for keyless credentials. */
  readonly secrets: readonly string[];
  /** The public facts that decide which token the source mints. */
  readonly facts: Readonly<Record<string, unknown>>;
  /** The token follows from the job's own OIDC claims, so it must not serve another job. */
  readonly followsJobIdentity?: boolean;
}

/** A service account to impersonate on top of a source token. */
export interface ImpersonationTarget {
  readonly serviceAccount: string;
  readonly delegates: readonly string[];
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
}

/** What the token is for, as the inputs say. */
export interface SourceOptions {
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
  /** The user set the input scopes: it wins over scopes a credentials file names (else the file's win, then the default). */
  readonly scopesSet?: boolean;
  /** The user set access_token_lifetime: it wins over a lifetime a credentials file names. */
  readonly lifetimeSet?: boolean;
  /** Where a credentials JSON came from, for the words of its refusals; the Action's credentials_json when unset. */
  readonly origin?: CredentialsOrigin;
}

/** How a type reaches the others: an impersonated_service_account file holds another credential. */
export interface Registry {
  validate(json: Record<string, unknown>, nested: boolean, origin: CredentialsOrigin): CredentialsJson;
  /** A source of `json`, impersonating `target` on top of it when one is given. */
  source(json: CredentialsJson, options: SourceOptions, target?: ImpersonationTarget): TokenSource;
}

/** Any credentials JSON after validation: its `type` names the module that knows it. */
export interface CredentialsJson {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** One kind of credentials JSON, and everything gemini-auth knows of it. */
export interface CredentialType<J extends CredentialsJson> {
  /** The JSON's `type`. */
  readonly type: J['type'];
  /** Fields that hold a secret, masked before the JSON is parsed. */
  readonly secretFields: readonly string[];
  /** Checks the parsed JSON; an error names the field, where the JSON came from, and the fix. */
  validate(json: Record<string, unknown>, registry: Registry, origin: CredentialsOrigin): J;
  /** A source of tokens for `options.scopes` (cloud-platform alone when the token will only impersonate). */
  source(json: J, options: SourceOptions, registry: Registry): TokenSource;
  /**
   * For a type whose own ADC file can say whom to impersonate (external_account):
   * the source that impersonates `target` and writes it so. Without it, the
   * registry wraps `source` in an impersonated_service_account.
   */
  impersonating?(json: J, options: SourceOptions, target: ImpersonationTarget): TokenSource;
}
