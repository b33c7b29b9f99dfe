// A loopback fake of Google's OAuth 2.0 / STS / IAM Credentials / Generative Language /
// Vertex AI endpoints and of GitHub's OIDC token endpoint, for the action's tests.
//
// It aims at faithful answers: the same status codes, the same JSON shapes
// (`{"error","error_description"}` for OAuth-style endpoints, `{"error":{code,message,status,details}}`
// for Google APIs) and, where known, the same texts. Everything it is asked is recorded
// so tests can count requests (the action must make no more than the protocol's minimum).

import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

// ---------------------------------------------------------------------------
// Public types

export type Endpoint =
  | 'token'
  | 'tokeninfo'
  | 'sts'
  | 'introspect'
  | 'iamcredentials'
  | 'models'
  /** Gemini API `POST /v1beta/models/MODEL:countTokens`. */
  | 'countTokens'
  /** Vertex AI `GET /v1/publishers/PUBLISHER/models/MODEL` (publishers.models.get). */
  | 'publisherModel'
  /** Vertex AI `POST /v1/projects/P/locations/L/publishers/PUBLISHER/models/MODEL:countTokens`. */
  | 'vertexCountTokens'
  | 'oidc'
  | 'metadata'
  | 'jwks'
  | 'unknown';

export interface RecordedRequest {
  endpoint: Endpoint;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Fault =
  | { status: 500 | 503 | 408 }
  | { status: 429; retryAfter?: number }
  | 'reset'
  | 'hang'
  | 'truncated'
  | 'non-json'
  | 'wrong-shape'
  | { delayMs: number };

export type TokenKind = 'user' | 'service_account' | 'federated';

export interface IssuedToken {
  token: string;
  kind: TokenKind;
  /** User email, service-account email, or `principal://…/subject/SUB`. */
  principal: string;
  scopes: string[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** OAuth client (users) or numeric unique id (service accounts). */
  clientId?: string;
  /** Federated tokens: the OIDC claims and the pool they came through. */
  claims?: Record<string, unknown>;
  pool?: string;
}

export interface FakeUser {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  email: string;
  scopes: string[];
  /** Set for OAuth apps in "Testing" publishing status: Google answers refresh_token_expires_in. */
  refreshTokenExpiresIn?: number;
  /** An `authorized_user` JSON like `gcloud auth application-default login` writes. */
  json: Record<string, string>;
}

export interface AddUserOptions {
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  email?: string;
  scopes?: string[];
  quotaProjectId?: string;
  refreshTokenExpiresIn?: number;
}

/** A workforce identity federation user, as `gcloud auth application-default login --login-config=…` leaves one. */
export interface FakeWorkforceUser {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** `locations/global/workforcePools/POOL` */
  pool: string;
  subject: string;
  /** An `external_account_authorized_user` JSON whose URLs point at this fake. */
  json: Record<string, string>;
}

export interface AddWorkforceUserOptions {
  pool?: string;
  subject?: string;
  /** Default: gcloud's own OAuth client, which gcloud puts in every file it writes and sends whatever a file says. */
  clientId?: string;
  clientSecret?: string;
}

export interface ServiceAccountKey {
  email: string;
  projectId: string;
  privateKeyId: string;
  privateKeyPem: string;
  /** A complete `service_account` key JSON. */
  json: Record<string, string>;
}

export interface FakeProvider {
  /** `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV` */
  name: string;
  /** `projects/NUM/locations/global/workloadIdentityPools/POOL` */
  pool: string;
  projectNumber: string;
  /** The STS `audience` parameter: `//iam.googleapis.com/` + name. */
  stsAudience: string;
  allowedAudiences: string[];
  issuer: string;
  condition?: (claims: Record<string, unknown>) => boolean;
  disabled: boolean;
}

export interface AddProviderOptions {
  name?: string;
  allowedAudiences?: string[];
  condition?: (claims: Record<string, unknown>) => boolean;
  issuer?: string;
}

export interface FakeGoogleOptions {
  /** Initial model list (names like `models/gemini-2.5-flash`). */
  models?: string[];
  /** Vertex AI publisher models of `google` (ids like `gemini-2.5-flash`) and the locations that serve each. */
  vertexModels?: Record<string, readonly string[]>;
  allowLongLifetime?: boolean;
  /** expires_in of tokens minted by /oauth2/token and STS (default 3599). */
  tokenLifetimeSeconds?: number;
  /** The loopback port to listen on (default: any free port). */
  port?: number;
}

/** Rewrites a JSON answer (`body`, sent with `status`) to `request`; returns the body to send. */
export type AnswerChange = (body: unknown, status: number, request: Omit<RecordedRequest, 'at'>) => unknown;

/** `value` with each string in it (at any depth, keys excepted) replaced by `change(text, key)`. */
export function withEveryString(value: unknown, change: (text: string, key: string) => string, key = ''): unknown {
  if (typeof value === 'string') return change(value, key);
  if (Array.isArray(value)) return value.map((item) => withEveryString(item, change, key));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, withEveryString(item, change, name)]));
  return value;
}

// ---------------------------------------------------------------------------
// Constants and small helpers

export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
export const GENERATIVE_LANGUAGE_RETRIEVER = 'https://www.googleapis.com/auth/generative-language.retriever';
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const DEFAULT_USER_SCOPES = [CLOUD_PLATFORM, GENERATIVE_LANGUAGE_RETRIEVER, USERINFO_EMAIL, 'openid'];
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const DEFAULT_PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions';
export const DEFAULT_MODELS = [
  'models/embedding-001',
  'models/text-embedding-004',
  'models/gemini-2.0-flash',
  'models/gemini-2.5-flash',
  'models/gemini-2.5-pro',
  'models/gemini-2.5-flash-lite',
  'models/aqa',
];

/** Made-up availability: one model only in `global` (as previews often are), one not in `global`. */
export const DEFAULT_VERTEX_MODELS: Readonly<Record<string, readonly string[]>> = {
  'gemini-2.5-flash': ['global', 'us-central1', 'europe-west4', 'asia-northeast1'],
  'gemini-2.5-pro': ['global', 'us-central1', 'europe-west4'],
  'gemini-2.5-flash-lite': ['global', 'us-central1'],
  'gemini-2.0-flash': ['us-central1', 'europe-west4'],
  'gemini-3-pro-preview': ['global'],
};

const GRANT_REFRESH = 'refresh_token';
const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TOKEN_TYPE_ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
const TOKEN_TYPE_ID = 'urn:ietf:params:oauth:token-type:id_token';
/** The project of gcloud's own OAuth client: the "consumer" Google names for ADC user tokens. */
const GCLOUD_CLIENT_PROJECT = '764086051850';
/** gcloud's OAuth client (public, in its source): it authenticates STS refresh and introspection calls. */
export const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';
export const GCLOUD_CLIENT_SECRET = 'ZmssLNjJy2998hD4CTg2ejr2';
/** A Google API as its error bodies name it. */
interface GoogleApi {
  service: string;
  title: string;
}
const GENERATIVE_LANGUAGE: GoogleApi = { service: 'generativelanguage.googleapis.com', title: 'Generative Language API' };
const VERTEX_AI: GoogleApi = { service: 'aiplatform.googleapis.com', title: 'Vertex AI API' };
const REAL_TOKEN_URLS = ['https://oauth2.googleapis.com/token', 'https://www.googleapis.com/oauth2/v4/token'];
const PROVIDER_RE = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

const JSON_TYPE = 'application/json; charset=utf-8';

function randomToken(prefix: string, bytes = 128): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A stable numeric id (like Google's `sub` / service-account unique id) derived from a name. */
function numericId(seed: string, digits = 21): string {
  const hex = crypto.createHash('sha256').update(seed).digest('hex');
  return ('1' + BigInt('0x' + hex).toString().slice(0, digits - 1)).padEnd(digits, '0');
}

/** RFC 3339 without fractional seconds, like Google's `expireTime`. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function scopeAllowsGenerativeLanguage(scopes: string[]): boolean {
  return scopes.some(
    (s) => s === CLOUD_PLATFORM || s.startsWith('https://www.googleapis.com/auth/generative-language'),
  );
}

// RSA keys are slow to generate (~100 ms each): keep a small pool per process.
// Index 0 signs GitHub OIDC tokens (and the fake Google id_tokens); 1..4 back service-account keys.
const keyPool: crypto.KeyPairKeyObjectResult[] = [];
function pooledKeyPair(index: number): crypto.KeyPairKeyObjectResult {
  while (keyPool.length <= index) keyPool.push(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  return keyPool[index]!;
}

// ---------------------------------------------------------------------------
// JWT helpers (exported for tests that craft their own assertions)

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function signJwt(
  payload: Record<string, unknown>,
  privateKey: crypto.KeyObject | string,
  header: Record<string, unknown> = {},
): string {
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header })).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url');
  return `${h}.${p}.${signature}`;
}

export function decodeJwt(jwt: string): DecodedJwt | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(payload)) return undefined;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

function verifyRs256(jwt: DecodedJwt, publicKey: crypto.KeyObject): boolean {
  if (jwt.header['alg'] !== 'RS256') return false;
  return crypto.verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Replies

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

type Incoming = Omit<RecordedRequest, 'at'>;

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value, null, 2) };
}

/** OAuth 2.0 endpoints (oauth2, sts) answer RFC 6749 errors. */
function oauthError(status: number, error: string, description: string): Reply {
  return json(status, { error, error_description: description }, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
}

/** Google APIs answer google.rpc.Status errors. */
function apiError(code: number, status: string, message: string, details?: unknown[]): Reply {
  const error: Record<string, unknown> = { code, message, status };
  if (details) error['details'] = details;
  return json(code, { error });
}

function errorInfo(reason: string, domain: string, metadata: Record<string, string>): Record<string, unknown> {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

function html(status: number, title: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=UTF-8' },
    body: `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>${title}</title>\n  <p><b>${status}.</b> <ins>That’s an error.</ins>\n  <p>${title}  <ins>That’s all we know.</ins>\n</html>\n`,
  };
}

function statusFault(status: number, retryAfter?: number): Reply {
  const known: Record<number, [string, string]> = {
    408: ['DEADLINE_EXCEEDED', 'Request timed out.'],
    429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
    500: ['INTERNAL', 'Internal error encountered.'],
    503: ['UNAVAILABLE', 'The service is currently unavailable.'],
  };
  const [name, message] = known[status] ?? ['UNKNOWN', 'Unknown error.'];
  const reply = apiError(status, name, message);
  if (retryAfter !== undefined) reply.headers = { ...reply.headers, 'retry-after': String(retryAfter) };
  return reply;
}

function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

/** Form-encoded or JSON body (STS and the token endpoint accept both), flattened to strings. */
function parseFormOrJson(incoming: Incoming): Record<string, string> {
  const type = incoming.headers['content-type'] ?? '';
  if (type.includes('json')) {
    try {
      const value: unknown = JSON.parse(incoming.body);
      if (!isRecord(value)) return {};
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || v === null) continue;
        out[k] = Array.isArray(v) ? v.join(' ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      return out;
    } catch {
      return {};
    }
  }
  return parseForm(incoming.body);
}

function bearer(incoming: Incoming): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(incoming.headers['authorization'] ?? '');
  return m?.[1]?.trim();
}

// ---------------------------------------------------------------------------
// Model metadata, shaped like v1beta ListModels entries

function modelEntry(name: string): Record<string, unknown> {
  const id = name.replace(/^models\//, '');
  const gemini = (displayName: string, version: string, outputTokenLimit: number, topK: number, thinking: boolean) => ({
    name,
    version,
    displayName,
    description: `${displayName} model.`,
    inputTokenLimit: 1048576,
    outputTokenLimit,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    temperature: 1,
    topP: 0.95,
    topK,
    maxTemperature: 2,
    ...(thinking ? { thinking: true } : {}),
  });
  const embedding = (displayName: string, version: string) => ({
    name,
    version,
    displayName,
    description: 'Obtain a distributed representation of a text.',
    inputTokenLimit: 2048,
    outputTokenLimit: 1,
    supportedGenerationMethods: ['embedContent'],
  });
  switch (id) {
    case 'gemini-2.5-flash':
      return gemini('Gemini 2.5 Flash', '001', 65536, 64, true);
    case 'gemini-2.5-pro':
      return gemini('Gemini 2.5 Pro', '2.5', 65536, 64, true);
    case 'gemini-2.5-flash-lite':
      return gemini('Gemini 2.5 Flash-Lite', '001', 65536, 64, true);
    case 'gemini-2.0-flash':
      return gemini('Gemini 2.0 Flash', '2.0', 8192, 40, false);
    case 'text-embedding-004':
      return embedding('Text Embedding 004', '004');
    case 'embedding-001':
      return embedding('Embedding 001', '001');
    case 'aqa':
      return {
        name,
        version: '001',
        displayName: 'Model that performs Attributed Question Answering.',
        description: 'Model trained to return answers to questions that are grounded in provided sources, along with estimating answerable probability.',
        inputTokenLimit: 7168,
        outputTokenLimit: 1024,
        supportedGenerationMethods: ['generateAnswer'],
        temperature: 0.2,
        topP: 1,
        topK: 40,
      };
    default:
      return {
        name,
        version: '001',
        displayName: id,
        inputTokenLimit: 32768,
        outputTokenLimit: 8192,
        supportedGenerationMethods: ['generateContent', 'countTokens'],
      };
  }
}

// Page tokens are opaque to clients; ours encode the offset.
function encodePageToken(offset: number): string {
  return Buffer.from(`fake-page:${offset}`).toString('base64url');
}
function decodePageToken(token: string): number | undefined {
  const m = /^fake-page:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------
// The fake

interface SaKeyRecord extends ServiceAccountKey {
  publicKey: crypto.KeyObject;
  disabled: boolean;
}

export class FakeGoogle {
  url = '';
  requests: RecordedRequest[] = [];
  issuedTokens = new Map<string, IssuedToken>();
  /** Mutable list of model names served by ListModels. */
  models: string[];
  /** Quota projects whose Generative Language API is "disabled". */
  disabledApiProjects = new Set<string>();
  /** Quota projects the caller may not use (no serviceusage.services.use): 403 USER_PROJECT_DENIED. */
  userProjectDenied = new Set<string>();
  /** Principals (emails or `principal://…`) whose Gemini API countTokens is refused with 403 while listing works. */
  countTokensDenied = new Set<string>();
  /** Vertex AI: model id → the locations that serve it. `reset()` restores the defaults. */
  vertexModels: Map<string, Set<string>>;
  /** Projects (ids or numbers, as the requests name them) whose Vertex AI API is "disabled". */
  vertexDisabledProjects = new Set<string>();
  allowLongLifetime: boolean;
  tokenLifetimeSeconds: number;
  private readonly defaultTokenLifetimeSeconds: number;
  /** The server's cap on pageSize (1000 at Google); lower it to make a test page through the models. */
  maxPageSize = 1000;
  /** Overrides of the claims of the GitHub OIDC tokens (a key set to undefined is removed). */
  oidcClaims: Record<string, unknown> = {};
  oidcRequestToken = randomToken('', 32);
  /** Every GitHub OIDC token minted, in order. */
  issuedOidcTokens: string[] = [];
  /** More URLs of this fake's token endpoint (through a proxy in front of it) that JWT assertions may name as their audience. */
  tokenUrlAliases: string[] = [];
  readonly githubKid: string;

  private server: http.Server;
  private sockets = new Set<Socket>();
  private timers = new Set<NodeJS.Timeout>();
  private faults = new Map<Endpoint, Fault[]>();
  private alterations = new Map<Endpoint, AnswerChange>();
  private users = new Map<string, FakeUser>(); // by refresh token
  private clients = new Map<string, string>(); // client id → secret
  private workforceUsers = new Map<string, FakeWorkforceUser>(); // by refresh token
  private revokedRefreshTokens = new Set<string>();
  private reauthRefreshTokens = new Set<string>();
  private saKeys = new Map<string, SaKeyRecord>(); // by private_key_id
  private providers = new Map<string, FakeProvider>();
  private grants = new Map<string, Set<string>>(); // SA email → principals
  private vertexUsers = new Map<string, Set<string>>(); // project → principals with aiplatform.endpoints.predict
  private readonly initialVertexModels: Readonly<Record<string, readonly string[]>>;
  private githubKey = pooledKeyPair(0);

  constructor(options: FakeGoogleOptions = {}) {
    this.models = [...(options.models ?? DEFAULT_MODELS)];
    this.initialVertexModels = options.vertexModels ?? DEFAULT_VERTEX_MODELS;
    this.vertexModels = vertexModelMap(this.initialVertexModels);
    this.allowLongLifetime = options.allowLongLifetime ?? false;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
    this.defaultTokenLifetimeSeconds = this.tokenLifetimeSeconds;
    this.githubKid = crypto
      .createHash('sha256')
      .update(this.githubKey.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 40)
      .toUpperCase();
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `host:port`, for GCE_METADATA_HOST / GCE_METADATA_IP. */
  get hostPort(): string {
    return this.url.replace(/^http:\/\//, '');
  }

  get tokenUrl(): string {
    return `${this.url}/oauth2/token`;
  }

  /** The value of the action's `endpoints` input. */
  get endpointsInput(): string {
    return [
      `oauth2=${this.url}/oauth2`,
      `sts=${this.url}/sts`,
      `iamcredentials=${this.url}/iamcredentials`,
      `generativelanguage=${this.url}/generativelanguage`,
      // One base for every Vertex AI location: the location is in the path.
      `aiplatform=${this.url}/aiplatform`,
    ].join('\n');
  }

  /** ACTIONS_ID_TOKEN_REQUEST_URL: the toolkit appends `&audience=…`. */
  get oidcRequestUrl(): string {
    return `${this.url}/github/oidc?api-version=2.0`;
  }

  /** Environment for a step with `permissions: id-token: write`. */
  get oidcEnv(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: this.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.oidcRequestToken };
  }

  count(endpoint: Endpoint): number {
    return this.requests.filter((r) => r.endpoint === endpoint).length;
  }

  // --- registration ---------------------------------------------------------

  addUser(options: AddUserOptions = {}): FakeUser {
    const n = this.users.size + 1;
    const clientId = options.clientId ?? `${numericId(`client${n}${this.url}`, 12)}-${crypto.randomBytes(16).toString('hex')}.apps.googleusercontent.com`;
    const clientSecret = options.clientSecret ?? randomToken('GOCSPX-', 21);
    const refreshToken = options.refreshToken ?? randomToken('1//0g', 72);
    const email = options.email ?? `octocat${n}@example.com`;
    const json: Record<string, string> = {
      account: '',
      client_id: clientId,
      client_secret: clientSecret,
      refresh_token: refreshToken,
      type: 'authorized_user',
      universe_domain: 'googleapis.com',
    };
    if (options.quotaProjectId) json['quota_project_id'] = options.quotaProjectId;
    const user: FakeUser = {
      clientId,
      clientSecret,
      refreshToken,
      email,
      scopes: options.scopes ?? [...DEFAULT_USER_SCOPES],
      json,
    };
    if (options.refreshTokenExpiresIn !== undefined) user.refreshTokenExpiresIn = options.refreshTokenExpiresIn;
    this.users.set(refreshToken, user);
    this.clients.set(clientId, clientSecret);
    return user;
  }

  addWorkforceUser(options: AddWorkforceUserOptions = {}): FakeWorkforceUser {
    const n = this.workforceUsers.size + 1;
    const pool = options.pool ?? 'locations/global/workforcePools/gemini-workforce';
    const user: FakeWorkforceUser = {
      refreshToken: randomToken('wf-refresh-', 48),
      clientId: options.clientId ?? GCLOUD_CLIENT_ID,
      clientSecret: options.clientSecret ?? GCLOUD_CLIENT_SECRET,
      pool,
      subject: options.subject ?? `workforce${n}@example.com`,
      json: {},
    };
    user.json = {
      type: 'external_account_authorized_user',
      audience: `//iam.googleapis.com/${pool}/providers/gemini-oidc`,
      client_id: user.clientId,
      client_secret: user.clientSecret,
      refresh_token: user.refreshToken,
      token_url: `${this.url}/sts/v1/oauthtoken`,
      token_info_url: `${this.url}/sts/v1/introspect`,
      universe_domain: 'googleapis.com',
    };
    this.workforceUsers.set(user.refreshToken, user);
    return user;
  }

  addServiceAccountKey(options: { email?: string; projectId?: string } = {}): ServiceAccountKey {
    const projectId = options.projectId ?? 'gemini-auth-test';
    const email = options.email ?? `gemini-ci-${this.saKeys.size + 1}@${projectId}.iam.gserviceaccount.com`;
    const pair = pooledKeyPair(1 + (this.saKeys.size % 4));
    const privateKeyId = crypto.randomBytes(20).toString('hex');
    const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const json: Record<string, string> = {
      type: 'service_account',
      project_id: projectId,
      private_key_id: privateKeyId,
      private_key: privateKeyPem,
      client_email: email,
      client_id: numericId(email),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUrl,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
    const key: SaKeyRecord = { email, projectId, privateKeyId, privateKeyPem, json, publicKey: pair.publicKey, disabled: false };
    this.saKeys.set(privateKeyId, key);
    return { email, projectId, privateKeyId, privateKeyPem, json };
  }

  disableKey(privateKeyId: string): void {
    const key = this.saKeys.get(privateKeyId);
    if (!key) throw new Error(`no such key ${privateKeyId}`);
    key.disabled = true;
  }

  addProvider(options: AddProviderOptions = {}): FakeProvider {
    const name = options.name ?? DEFAULT_PROVIDER;
    const m = PROVIDER_RE.exec(name);
    if (!m) throw new Error(`provider name must be projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV: ${name}`);
    const provider: FakeProvider = {
      name,
      pool: name.replace(/\/providers\/[^/]+$/, ''),
      projectNumber: m[1]!,
      stsAudience: `//iam.googleapis.com/${name}`,
      allowedAudiences: options.allowedAudiences ?? [`https://iam.googleapis.com/${name}`],
      issuer: options.issuer ?? GITHUB_ISSUER,
      disabled: false,
    };
    if (options.condition) provider.condition = options.condition;
    this.providers.set(name, provider);
    return provider;
  }

  /**
   * Grant roles/iam.serviceAccountTokenCreator on `serviceAccountEmail` to `principal`: a user or
   * service-account email (optionally `user:`/`serviceAccount:` prefixed), a `principal://…` or a
   * `principalSet://…/attribute.NAME/VALUE` (or `…/POOL/*`).
   */
  grantTokenCreator(serviceAccountEmail: string, principal: string): void {
    const set = this.grants.get(serviceAccountEmail) ?? new Set<string>();
    set.add(principal.replace(/^(user|serviceAccount):/, ''));
    this.grants.set(serviceAccountEmail, set);
  }

  /**
   * Grant aiplatform.endpoints.predict (as roles/aiplatform.user does) on `project` to
   * `principal`, written as for grantTokenCreator.
   */
  grantVertexUser(project: string, principal: string): void {
    const set = this.vertexUsers.get(project) ?? new Set<string>();
    set.add(principal.replace(/^(user|serviceAccount):/, ''));
    this.vertexUsers.set(project, set);
  }

  /** `principalSet://…/attribute.repository/OWNER/REPO` for a provider's pool. */
  principalSetForRepository(provider: FakeProvider, repository: string): string {
    return `principalSet://iam.googleapis.com/${provider.pool}/attribute.repository/${repository}`;
  }

  expireToken(token: string): void {
    const issued = this.issuedTokens.get(token);
    if (!issued) throw new Error('not a token this fake issued');
    issued.expiresAt = Date.now() - 1000;
  }

  revokeRefreshToken(refreshToken: string): void {
    this.revokedRefreshTokens.add(refreshToken);
  }

  /** The user's Workspace admin requires re-authentication (Google Cloud session control): refreshes fail with invalid_rapt. */
  requireReauth(refreshToken: string): void {
    this.reauthRefreshTokens.add(refreshToken);
  }

  /** Mint a GitHub OIDC token directly (as the /github/oidc endpoint would), with claim overrides. */
  mintOidcToken(overrides: Record<string, unknown> = {}, audience?: string): string {
    const iat = nowSeconds();
    const sha = 'ffac537e6cbbf934b08745a378932722df287a53';
    const claims: Record<string, unknown> = {
      jti: crypto.randomUUID(),
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      aud: undefined,
      ref: 'refs/heads/main',
      sha,
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      repository_owner_id: '1234567',
      repository_id: '7654321',
      repository_visibility: 'private',
      run_id: '1658821493',
      run_number: '42',
      run_attempt: '1',
      actor: 'octocat',
      actor_id: '583231',
      workflow: 'CI',
      workflow_ref: `octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main`,
      workflow_sha: sha,
      job_workflow_ref: `octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main`,
      job_workflow_sha: sha,
      head_ref: '',
      base_ref: '',
      event_name: 'push',
      ref_type: 'branch',
      ref_protected: 'false',
      runner_environment: 'github-hosted',
      iss: GITHUB_ISSUER,
      // GitHub's nbf lies well before iat; exp is iat + 5 minutes.
      nbf: iat - 600,
      exp: iat + 300,
      iat,
      ...this.oidcClaims,
      ...overrides,
    };
    if (claims['aud'] === undefined) claims['aud'] = audience ?? `https://github.com/${String(claims['repository_owner'])}`;
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    const token = signJwt(claims, this.githubKey.privateKey, { kid: this.githubKid, x5t: this.githubKid });
    this.issuedOidcTokens.push(token);
    return token;
  }

  /**
   * Every secret value this fake knows of: users' client secrets and refresh
   * tokens, service-account private keys, every token it issued, the OIDC
   * tokens and the OIDC request token. The leak scan looks for all of them.
   */
  secrets(): string[] {
    return [
      ...[...this.users.values()].flatMap((user) => [user.clientSecret, user.refreshToken]),
      ...[...this.workforceUsers.values()].flatMap((user) => [user.clientSecret, user.refreshToken]),
      ...[...this.saKeys.values()].map((key) => key.privateKeyPem),
      ...this.issuedTokens.keys(),
      ...this.issuedOidcTokens,
      this.oidcRequestToken,
    ];
  }

  // --- fault injection ------------------------------------------------------

  inject(endpoint: Endpoint, fault: Fault, times = 1): void {
    const queue = this.faults.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(endpoint, queue);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * A hostile (or broken) server: every JSON answer of `endpoint` from now on,
   * success or error, is sent as `change` returns it. `withEveryString` makes
   * any string field of it hostile.
   */
  alterAnswers(endpoint: Endpoint, change: AnswerChange): void {
    this.alterations.set(endpoint, change);
  }

  /**
   * Between tests of one file: forgets the requests and faults and restores the
   * settings tests tune, keeping users, keys, providers and grants (Vertex AI ones too).
   */
  reset(): void {
    this.requests.length = 0;
    this.clearFaults();
    this.alterations.clear();
    this.maxPageSize = 1000;
    this.tokenLifetimeSeconds = this.defaultTokenLifetimeSeconds;
    this.oidcClaims = {};
    this.countTokensDenied.clear();
    this.vertexModels = vertexModelMap(this.initialVertexModels);
    this.vertexDisabledProjects.clear();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  // --- request plumbing -----------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const incoming: Incoming = {
      endpoint: classify(url.pathname, headers),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    };
    this.requests.push({ ...incoming, at: Date.now() });

    const fault = this.faults.get(incoming.endpoint)?.shift();
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') return; // the socket stays open until close() destroys it
    if (fault === 'non-json') return send(res, html(200, 'Sign in - Google Accounts'));
    if (fault === 'wrong-shape') return send(res, json(200, { unexpected: true }));
    if (typeof fault === 'object' && 'status' in fault) {
      return send(res, statusFault(fault.status, 'retryAfter' in fault ? fault.retryAfter : undefined));
    }
    if (typeof fault === 'object' && 'delayMs' in fault) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send(res, this.answer(incoming));
      }, fault.delayMs);
      this.timers.add(timer);
      return;
    }
    const reply = this.answer(incoming);
    if (fault === 'truncated') {
      // Headers promise the whole body, half of it arrives, then the connection drops.
      const bytes = Buffer.from(reply.body);
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => req.socket.destroy());
      return;
    }
    send(res, reply);
  }

  /** The endpoint's reply, through the test's alteration of its JSON answers, if any. */
  private answer(incoming: Incoming): Reply {
    const reply = this.route(incoming);
    const change = this.alterations.get(incoming.endpoint);
    if (!change || !(reply.headers?.['content-type'] ?? '').includes('json')) return reply;
    return { ...reply, body: JSON.stringify(change(JSON.parse(reply.body) as unknown, reply.status, incoming)) };
  }

  private route(incoming: Incoming): Reply {
    switch (incoming.endpoint) {
      case 'token':
        return incoming.method === 'POST' ? this.token(incoming) : oauthError(405, 'invalid_request', 'Invalid request method.');
      case 'tokeninfo':
        return this.tokeninfo(incoming);
      case 'sts':
        return incoming.method === 'POST' ? this.sts(incoming) : apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
      case 'introspect':
        return incoming.method === 'POST' ? this.introspect(incoming) : apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
      case 'iamcredentials':
        return this.generateAccessToken(incoming);
      case 'models':
        return this.modelsRoute(incoming);
      case 'countTokens':
        return this.countTokens(incoming);
      case 'publisherModel':
        return this.publisherModel(incoming);
      case 'vertexCountTokens':
        return this.vertexCountTokens(incoming);
      case 'oidc':
        return this.oidc(incoming);
      case 'jwks':
        return this.jwks();
      case 'metadata':
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
      case 'unknown':
        return html(404, `The requested URL <code>${incoming.path}</code> was not found on this server.`);
    }
  }

  private issue(token: Omit<IssuedToken, 'expiresAt'>, lifetimeSeconds: number): IssuedToken {
    const issued: IssuedToken = { ...token, expiresAt: Date.now() + lifetimeSeconds * 1000 };
    this.issuedTokens.set(token.token, issued);
    return issued;
  }

  /** A token this fake issued, or why it cannot be used. */
  private lookupBearer(incoming: Incoming): IssuedToken | 'missing' | 'unknown' | 'expired' {
    const token = bearer(incoming);
    if (!token) return 'missing';
    const issued = this.issuedTokens.get(token);
    if (!issued) return 'unknown';
    if (issued.expiresAt <= Date.now()) return 'expired';
    return issued;
  }

  // --- /oauth2/token ----------------------------------------------------------

  private token(incoming: Incoming): Reply {
    const form = parseFormOrJson(incoming);
    const grantType = form['grant_type'];
    if (grantType === GRANT_REFRESH) return this.refreshGrant(incoming, form);
    if (grantType === GRANT_JWT_BEARER) return this.jwtBearerGrant(form);
    if (!grantType) return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  private refreshGrant(incoming: Incoming, form: Record<string, string>): Reply {
    // Client credentials may come in the body or as HTTP Basic auth.
    let clientId = form['client_id'];
    let clientSecret = form['client_secret'];
    const basic = /^Basic\s+(.+)$/i.exec(incoming.headers['authorization'] ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      clientId ??= decodeURIComponent(decoded.slice(0, i));
      clientSecret ??= decodeURIComponent(decoded.slice(i + 1));
    }
    if (!clientId) return oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const expectedSecret = this.clients.get(clientId);
    if (expectedSecret === undefined) return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    // Google words a wrong secret for a known client differently from an unknown client.
    if (clientSecret !== expectedSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
    const refreshToken = form['refresh_token'];
    if (!refreshToken) return oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const user = this.users.get(refreshToken);
    if (!user || this.revokedRefreshTokens.has(refreshToken)) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    if (this.reauthRefreshTokens.has(refreshToken)) {
      // Google's answer when session control asks for a new sign-in.
      return json(400, { error: 'invalid_grant', error_description: 'reauth related error (invalid_rapt)', error_uri: 'https://support.google.com/a/answer/9368756', error_subtype: 'invalid_rapt' });
    }
    // A refresh token only works with the client it was issued to.
    if (user.clientId !== clientId) return oauthError(400, 'unauthorized_client', 'Unauthorized');

    // Google ignores a `scope` parameter on refresh: the token carries the scopes of the consent.
    const lifetime = this.tokenLifetimeSeconds;
    const issued = this.issue(
      { token: randomToken('ya29.a0'), kind: 'user', principal: user.email, scopes: [...user.scopes], clientId },
      lifetime,
    );
    const answer: Record<string, unknown> = {
      access_token: issued.token,
      expires_in: lifetime,
      scope: user.scopes.join(' '),
      token_type: 'Bearer',
    };
    if (user.refreshTokenExpiresIn !== undefined) answer['refresh_token_expires_in'] = user.refreshTokenExpiresIn;
    if (user.scopes.includes('openid')) answer['id_token'] = this.googleIdToken(user);
    return json(200, answer, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
  }

  private googleIdToken(user: FakeUser): string {
    const iat = nowSeconds();
    return signJwt(
      {
        iss: 'https://accounts.google.com',
        azp: user.clientId,
        aud: user.clientId,
        sub: numericId(user.email),
        email: user.email,
        email_verified: true,
        iat,
        exp: iat + 3600,
      },
      this.githubKey.privateKey,
      { kid: 'fake-google-id-token-key' },
    );
  }

  private jwtBearerGrant(form: Record<string, string>): Reply {
    const invalidSignature = oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const assertion = form['assertion'];
    if (!assertion) return oauthError(400, 'invalid_request', 'Missing required parameter: assertion');
    const jwt = decodeJwt(assertion);
    if (!jwt) return invalidSignature;
    const iss = jwt.payload['iss'];
    const kid = jwt.header['kid'];
    // Without a kid Google tries every key of the issuer.
    const candidates = typeof kid === 'string'
      ? [this.saKeys.get(kid)].filter((k) => k !== undefined)
      : [...this.saKeys.values()].filter((k) => k.email === iss);
    const key = candidates.find((k) => k.email === iss && verifyRs256(jwt, k.publicKey));
    if (!key) return invalidSignature;
    if (key.disabled) return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');

    // The audience is the token endpoint; accept the fake's own URL and the real one.
    const aud = jwt.payload['aud'];
    if (typeof aud !== 'string' || ![this.tokenUrl, ...this.tokenUrlAliases, ...REAL_TOKEN_URLS].includes(aud)) {
      return oauthError(400, 'invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${this.tokenUrl}`);
    }
    const iat = jwt.payload['iat'];
    const exp = jwt.payload['exp'];
    const now = nowSeconds();
    if (
      typeof iat !== 'number' || typeof exp !== 'number' ||
      exp <= iat || exp - iat > 3600 || exp <= now || iat > now + 300
    ) {
      return oauthError(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scope = jwt.payload['scope'];
    if (typeof scope !== 'string' || scope.trim() === '') {
      return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const lifetime = this.tokenLifetimeSeconds;
    const issued = this.issue(
      {
        token: randomToken('ya29.c.'),
        kind: 'service_account',
        principal: key.email,
        scopes: scope.split(/\s+/).filter(Boolean),
        clientId: numericId(key.email),
      },
      lifetime,
    );
    return json(200, { access_token: issued.token, expires_in: lifetime, token_type: 'Bearer' });
  }

  // --- /oauth2/tokeninfo ------------------------------------------------------

  private tokeninfo(incoming: Incoming): Reply {
    const params = { ...incoming.query, ...(incoming.method === 'POST' ? parseFormOrJson(incoming) : {}) };
    const invalid = oauthError(400, 'invalid_token', 'Invalid Value');
    const issued = params['access_token'] ? this.issuedTokens.get(params['access_token']) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) return invalid;
    const expiresIn = Math.max(0, Math.floor((issued.expiresAt - Date.now()) / 1000));
    const info: Record<string, string> = {};
    if (issued.kind !== 'federated') {
      info['azp'] = issued.clientId ?? '';
      info['aud'] = issued.clientId ?? '';
      info['sub'] = numericId(issued.principal);
    }
    info['scope'] = issued.scopes.join(' ');
    info['exp'] = String(Math.floor(issued.expiresAt / 1000));
    info['expires_in'] = String(expiresIn);
    // Google only reveals the email when the token has an email scope.
    if (issued.kind !== 'federated' && issued.scopes.some((s) => s === USERINFO_EMAIL || s === 'email')) {
      info['email'] = issued.principal;
      info['email_verified'] = 'true';
    }
    info['access_type'] = issued.kind === 'user' ? 'offline' : 'online';
    return json(200, info);
  }

  // --- /sts/v1/token -------------------------------------------------------------

  private sts(incoming: Incoming): Reply {
    const form = parseFormOrJson(incoming);
    if (incoming.path === '/sts/v1/oauthtoken') return this.workforceRefreshGrant(incoming, form);
    const grantType = form['grant_type'];
    if (grantType !== GRANT_TOKEN_EXCHANGE) {
      return oauthError(400, 'unsupported_grant_type', `Invalid value for "grant_type": ${grantType ?? ''}`);
    }
    if (form['requested_token_type'] !== TOKEN_TYPE_ACCESS) {
      return oauthError(400, 'invalid_request', `Invalid value for "requested_token_type": ${form['requested_token_type'] ?? ''}`);
    }
    const subjectTokenType = form['subject_token_type'];
    if (subjectTokenType !== TOKEN_TYPE_JWT && subjectTokenType !== TOKEN_TYPE_ID) {
      return oauthError(400, 'invalid_request', `Invalid value for "subject_token_type": ${subjectTokenType ?? ''}`);
    }
    if (!form['subject_token']) return oauthError(400, 'invalid_request', 'Invalid value for "subject_token": ');
    const audience = form['audience'] ?? '';
    const provider = audience.startsWith('//iam.googleapis.com/')
      ? this.providers.get(audience.slice('//iam.googleapis.com/'.length))
      : undefined;
    if (!provider || provider.disabled) {
      return oauthError(
        400,
        'invalid_target',
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
      );
    }
    const jwt = decodeJwt(form['subject_token']);
    if (!jwt) return oauthError(400, 'invalid_grant', 'The given credential is rejected: unable to parse the ID token.');
    if (jwt.header['kid'] !== this.githubKid || !verifyRs256(jwt, this.githubKey.publicKey)) {
      return oauthError(400, 'invalid_grant', 'The given credential is rejected: the ID token signature cannot be verified with the keys of the issuer.');
    }
    const claims = jwt.payload;
    if (claims['iss'] !== provider.issuer) {
      return oauthError(400, 'invalid_grant', `The given credential is rejected: the issuer in ID Token ${String(claims['iss'])} does not match the expected one ${provider.issuer}.`);
    }
    const auds = Array.isArray(claims['aud']) ? claims['aud'].map(String) : [String(claims['aud'])];
    if (!auds.some((a) => provider.allowedAudiences.includes(a))) {
      return oauthError(400, 'invalid_grant', `The audience in ID Token [${auds.join(', ')}] does not match the expected audience.`);
    }
    const now = nowSeconds();
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= now) {
      return oauthError(400, 'invalid_grant', `ID Token issued at ${String(claims['iat'])} is stale to sign-in.`);
    }
    if (typeof claims['nbf'] === 'number' && claims['nbf'] > now + 300) {
      return oauthError(400, 'invalid_grant', `ID Token issued at ${String(claims['iat'])} is not yet valid.`);
    }
    if (provider.condition && !provider.condition(claims)) {
      return oauthError(400, 'unauthorized_client', 'The given credential is rejected by the attribute condition.');
    }
    const lifetime = this.tokenLifetimeSeconds;
    const issued = this.issue(
      {
        token: randomToken('ya29.d.'),
        kind: 'federated',
        principal: `principal://iam.googleapis.com/${provider.pool}/subject/${String(claims['sub'])}`,
        scopes: (form['scope'] ?? '').split(/\s+/).filter(Boolean),
        claims,
        pool: provider.pool,
      },
      lifetime,
    );
    return json(200, {
      access_token: issued.token,
      issued_token_type: TOKEN_TYPE_ACCESS,
      token_type: 'Bearer',
      expires_in: lifetime,
    });
  }

  /** external_account_authorized_user: a refresh-token grant with the client in HTTP Basic auth. */
  private workforceRefreshGrant(incoming: Incoming, form: Record<string, string>): Reply {
    if (form['grant_type'] !== GRANT_REFRESH) {
      return oauthError(400, 'unsupported_grant_type', `Invalid value for "grant_type": ${form['grant_type'] ?? ''}`);
    }
    const basic = /^Basic\s+(.+)$/i.exec(incoming.headers['authorization'] ?? '');
    const decoded = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = this.workforceUsers.get(form['refresh_token'] ?? '');
    if (colon < 0 || !user || decodeURIComponent(decoded.slice(0, colon)) !== user.clientId || decodeURIComponent(decoded.slice(colon + 1)) !== user.clientSecret) {
      return oauthError(401, 'invalid_client', 'The OAuth client was not found or the client credentials are invalid.');
    }
    if (this.revokedRefreshTokens.has(user.refreshToken)) return oauthError(400, 'invalid_grant', 'The refresh token has expired or been revoked.');
    const lifetime = this.tokenLifetimeSeconds;
    const issued = this.issue(
      {
        token: randomToken('ya29.d.'),
        kind: 'federated',
        principal: `principal://iam.googleapis.com/${user.pool}/subject/${user.subject}`,
        scopes: [CLOUD_PLATFORM],
        pool: user.pool,
      },
      lifetime,
    );
    return json(200, { access_token: issued.token, token_type: 'Bearer', expires_in: lifetime });
  }

  // --- /sts/v1/introspect (RFC 7662) ----------------------------------------------

  /** gcloud asks this of a federated token, for the account name it caches the token under. */
  private introspect(incoming: Incoming): Reply {
    const token = parseFormOrJson(incoming)['token'];
    const issued = token ? this.issuedTokens.get(token) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) return json(200, { active: false });
    return json(200, {
      active: true,
      iss: 'https://sts.googleapis.com',
      scope: issued.scopes.join(' '),
      exp: Math.floor(issued.expiresAt / 1000),
      username: issued.principal,
    });
  }

  // --- iamcredentials generateAccessToken --------------------------------------

  private generateAccessToken(incoming: Incoming): Reply {
    const m = /^\/iamcredentials\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(incoming.path);
    if (!m) return apiError(404, 'NOT_FOUND', `Method not found: ${incoming.path}`);
    if (incoming.method !== 'POST') return apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    const target = decodeURIComponent(m[1]!);
    const service = 'iamcredentials.googleapis.com';
    const method = 'google.iam.credentials.v1.IAMCredentials.GenerateAccessToken';

    const caller = this.lookupBearer(incoming);
    if (typeof caller === 'string') return this.unauthenticated(caller, service, method);
    if (!caller.scopes.some((s) => s === CLOUD_PLATFORM || s === 'https://www.googleapis.com/auth/iam')) {
      return insufficientScopes(service, method);
    }

    let request: unknown;
    try {
      request = JSON.parse(incoming.body || '{}');
    } catch {
      return apiError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unexpected token.\n${incoming.body.slice(0, 40)}\n^`);
    }
    if (!isRecord(request)) return apiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    const scopes = Array.isArray(request['scope']) ? request['scope'].map(String).filter(Boolean) : [];
    if (scopes.length === 0) return apiError(400, 'INVALID_ARGUMENT', 'Scope required.');

    // Delegation chain: caller → delegates[0] → … → target, each hop needs the grant.
    const delegates = Array.isArray(request['delegates'])
      ? request['delegates'].map((d) => String(d).replace(/^projects\/[^/]+\/serviceAccounts\//, ''))
      : [];
    let actor: IssuedToken | string = caller;
    for (const next of [...delegates, target]) {
      if (!this.mayImpersonate(actor, next)) return permissionDenied();
      actor = next;
    }

    const lifetimeText = request['lifetime'] === undefined ? '3600s' : String(request['lifetime']);
    const lm = /^(\d+)(?:\.\d+)?s$/.exec(lifetimeText);
    if (!lm) {
      return apiError(400, 'INVALID_ARGUMENT', `Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), "${lifetimeText}"`);
    }
    const lifetime = Number(lm[1]);
    if (lifetime > 43200 || (lifetime > 3600 && !this.allowLongLifetime)) {
      return apiError(
        400,
        'INVALID_ARGUMENT',
        `The lifetime of the access token (${lifetime}s) exceeds the maximum allowed value of 3600s. To allow lifetimes of up to 12 hours, enable the constraints/iam.allowServiceAccountCredentialLifetimeExtension organization policy for this service account.`,
      );
    }
    if (lifetime < 1) return apiError(400, 'INVALID_ARGUMENT', 'The lifetime of the access token must be positive.');
    const issued = this.issue(
      { token: randomToken('ya29.c.'), kind: 'service_account', principal: target, scopes, clientId: numericId(target) },
      lifetime,
    );
    return json(200, { accessToken: issued.token, expireTime: rfc3339(issued.expiresAt) });
  }

  private mayImpersonate(actor: IssuedToken | string, target: string): boolean {
    const granted = this.grants.get(target);
    if (!granted) return false;
    return typeof actor === 'string' ? granted.has(actor) : isGrantedTo(granted, actor);
  }

  private unauthenticated(why: 'missing' | 'unknown' | 'expired', service: string, method: string): Reply {
    if (why === 'missing' && service === 'generativelanguage.googleapis.com') {
      // The Gemini API answers an anonymous call with 403, not 401.
      return apiError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (why === 'missing') {
      return apiError(
        401,
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        [errorInfo('CREDENTIALS_MISSING', 'googleapis.com', { service, method })],
      );
    }
    const reason = why === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED';
    return apiError(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, [errorInfo(reason, 'googleapis.com', { service, method })]);
  }

  // --- generativelanguage models --------------------------------------------------

  private modelsRoute(incoming: Incoming): Reply {
    const service = 'generativelanguage.googleapis.com';
    const single = /^\/generativelanguage\/v1beta\/models\/([^/:]+)$/.exec(incoming.path);
    const method = single
      ? 'google.ai.generativelanguage.v1beta.ModelService.GetModel'
      : 'google.ai.generativelanguage.v1beta.ModelService.ListModels';
    if (!single && incoming.path !== '/generativelanguage/v1beta/models') {
      return html(404, `The requested URL <code>${incoming.path}</code> was not found on this server.`);
    }
    if (incoming.method !== 'GET') return apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');

    const caller = this.lookupBearer(incoming);
    if (typeof caller === 'string') return this.unauthenticated(caller, service, method);
    if (!scopeAllowsGenerativeLanguage(caller.scopes)) return insufficientScopes(service, method);
    const quota = this.checkConsumer(incoming, caller, GENERATIVE_LANGUAGE, this.disabledApiProjects);
    if (quota) return quota;

    if (single) {
      const name = `models/${single[1]!}`;
      if (!this.models.includes(name)) {
        return apiError(404, 'NOT_FOUND', `${name} is not found for API version v1beta, or is not supported for GetModel. Call ListModels to see the list of available models and their supported methods.`);
      }
      return json(200, modelEntry(name));
    }

    const sizeText = incoming.query['pageSize'];
    let pageSize = 50;
    if (sizeText !== undefined && sizeText !== '') {
      if (!/^-?\d+$/.test(sizeText)) {
        return apiError(400, 'INVALID_ARGUMENT', `Invalid value at 'page_size' (TYPE_INT32), "${sizeText}"`);
      }
      const n = Number(sizeText);
      if (n < 0) return apiError(400, 'INVALID_ARGUMENT', 'page_size must be non-negative.');
      if (n > 0) pageSize = Math.min(n, this.maxPageSize);
    }
    let offset = 0;
    const pageToken = incoming.query['pageToken'];
    if (pageToken) {
      const decoded = decodePageToken(pageToken);
      if (decoded === undefined || decoded >= this.models.length) {
        return apiError(400, 'INVALID_ARGUMENT', 'Invalid page token.', [
          { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'page_token', description: 'Invalid page token.' }] },
        ]);
      }
      offset = decoded;
    }
    const page = this.models.slice(offset, offset + pageSize).map(modelEntry);
    const answer: Record<string, unknown> = { models: page };
    if (offset + pageSize < this.models.length) answer['nextPageToken'] = encodePageToken(offset + pageSize);
    return json(200, answer);
  }

  /**
   * The project that pays for the call (the consumer) and whether it may: x-goog-user-project,
   * else for methods on a resource (`resourceProject`) that resource's project, else the
   * credential's own project. User credentials name none of their own: their calls bill gcloud's
   * OAuth client project, where no API is enabled.
   */
  private checkConsumer(
    incoming: Incoming,
    caller: IssuedToken,
    api: GoogleApi,
    disabledProjects: ReadonlySet<string>,
    resourceProject?: string,
  ): Reply | undefined {
    let project = incoming.headers['x-goog-user-project'];
    if (project) {
      if (this.userProjectDenied.has(project)) {
        return apiError(
          403,
          'PERMISSION_DENIED',
          `Caller does not have required permission to use project ${project}. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=${project} and then retry. Propagation of the new permission may take a few minutes.`,
          [errorInfo('USER_PROJECT_DENIED', 'googleapis.com', { consumer: `projects/${project}`, service: api.service })],
        );
      }
    } else if (resourceProject) {
      project = resourceProject;
    } else if (caller.kind === 'user') {
      return apiError(
        403,
        'PERMISSION_DENIED',
        `Your application is authenticating by using local Application Default Credentials. The ${api.service} API requires a quota project, which is not set by default. To learn how to set your quota project, see https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds .`,
        [errorInfo('SERVICE_DISABLED', 'googleapis.com', { consumer: `projects/${GCLOUD_CLIENT_PROJECT}`, service: api.service })],
      );
    } else if (caller.kind === 'service_account') {
      project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(caller.principal)?.[1];
    } else {
      project = /^principal:\/\/iam\.googleapis\.com\/projects\/(\d+)\//.exec(caller.principal)?.[1];
    }
    // The resource's own project must have the API enabled too.
    const disabled = [project, resourceProject].find((p) => p !== undefined && disabledProjects.has(p));
    return disabled === undefined ? undefined : serviceDisabled(api, disabled);
  }

  // --- generativelanguage countTokens ------------------------------------------------

  private countTokens(incoming: Incoming): Reply {
    const service = GENERATIVE_LANGUAGE.service;
    const method = 'google.ai.generativelanguage.v1beta.GenerativeService.CountTokens';
    const m = /^\/generativelanguage\/v1beta\/models\/([^/:]+):countTokens$/.exec(incoming.path);
    if (!m) return html(404, `The requested URL <code>${incoming.path}</code> was not found on this server.`);
    if (incoming.method !== 'POST') return apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');

    const caller = this.lookupBearer(incoming);
    if (typeof caller === 'string') return this.unauthenticated(caller, service, method);
    if (!scopeAllowsGenerativeLanguage(caller.scopes)) return insufficientScopes(service, method);
    const quota = this.checkConsumer(incoming, caller, GENERATIVE_LANGUAGE, this.disabledApiProjects);
    if (quota) return quota;
    // What the Gemini API answers for a model the caller may list but not use.
    if (this.countTokensDenied.has(caller.principal)) return apiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    const text = promptText(incoming.body);
    if (text === undefined) return apiError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    const name = `models/${m[1]!}`;
    const supported = modelEntry(name)['supportedGenerationMethods'];
    if (!this.models.includes(name) || !Array.isArray(supported) || !supported.includes('countTokens')) {
      return apiError(404, 'NOT_FOUND', `${name} is not found for API version v1beta, or is not supported for countTokens. Call ListModels to see the list of available models and their supported methods.`);
    }
    const tokens = tokenCount(text);
    return json(200, { totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] });
  }

  // --- aiplatform (Vertex AI) ----------------------------------------------------------

  /** publishers.models.get: a Model Garden model, with no project or location in the path. */
  private publisherModel(incoming: Incoming): Reply {
    const service = VERTEX_AI.service;
    const m = /^\/aiplatform\/(v1|v1beta1)\/publishers\/([^/:]+)\/models\/([^/:]+)$/.exec(incoming.path);
    if (!m) return html(404, `The requested URL <code>${incoming.path}</code> was not found on this server.`);
    if (incoming.method !== 'GET') return apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    const [version, publisher, id] = [m[1]!, m[2]!, m[3]!];
    const method = `google.cloud.aiplatform.${version}.ModelGardenService.GetPublisherModel`;

    const caller = this.lookupBearer(incoming);
    if (typeof caller === 'string') return this.unauthenticated(caller, service, method);
    if (!caller.scopes.includes(CLOUD_PLATFORM)) return insufficientScopes(service, method);
    const quota = this.checkConsumer(incoming, caller, VERTEX_AI, this.vertexDisabledProjects);
    if (quota) return quota;
    const name = `publishers/${publisher}/models/${id}`;
    if (publisher !== 'google' || !this.vertexModels.has(id)) {
      return apiError(404, 'NOT_FOUND', `Publisher Model \`${name}\` is not found.`);
    }
    return json(200, {
      name,
      versionId: 'default',
      openSourceCategory: 'PROPRIETARY',
      launchStage: id.includes('preview') ? 'PUBLIC_PREVIEW' : 'GA',
    });
  }

  /** countTokens on a publisher model in one location: needs aiplatform.endpoints.predict, like generating content. */
  private vertexCountTokens(incoming: Incoming): Reply {
    const service = VERTEX_AI.service;
    const m = /^\/aiplatform\/(v1|v1beta1)\/(projects\/([^/:]+)\/locations\/([^/:]+)\/publishers\/([^/:]+)\/models\/([^/:]+)):countTokens$/.exec(incoming.path);
    if (!m) return html(404, `The requested URL <code>${incoming.path}</code> was not found on this server.`);
    if (incoming.method !== 'POST') return apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    const [version, resource, project, location, publisher, id] = [m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!];
    const method = `google.cloud.aiplatform.${version}.PredictionService.CountTokens`;

    const caller = this.lookupBearer(incoming);
    if (typeof caller === 'string') return this.unauthenticated(caller, service, method);
    if (!caller.scopes.includes(CLOUD_PLATFORM)) return insufficientScopes(service, method);
    const quota = this.checkConsumer(incoming, caller, VERTEX_AI, this.vertexDisabledProjects, project);
    if (quota) return quota;
    if (!isGrantedTo(this.vertexUsers.get(project) ?? new Set(), caller)) {
      const permission = 'aiplatform.endpoints.predict';
      return apiError(
        403,
        'PERMISSION_DENIED',
        `Permission '${permission}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
        [errorInfo('IAM_PERMISSION_DENIED', 'aiplatform.googleapis.com', { permission, resource })],
      );
    }
    const text = promptText(incoming.body);
    if (text === undefined) return apiError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    if (publisher !== 'google' || !this.vertexModels.get(id)?.has(location)) {
      return apiError(
        404,
        'NOT_FOUND',
        `Publisher Model \`${resource}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`,
      );
    }
    const tokens = tokenCount(text);
    return json(200, {
      totalTokens: tokens,
      totalBillableCharacters: text.replace(/\s/g, '').length,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }],
    });
  }

  // --- GitHub OIDC --------------------------------------------------------------

  private oidc(incoming: Incoming): Reply {
    if (bearer(incoming) !== this.oidcRequestToken) {
      return json(403, { message: 'Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable or token is invalid' });
    }
    return json(200, { value: this.mintOidcToken({}, incoming.query['audience'] || undefined) });
  }

  private jwks(): Reply {
    const jwk = this.githubKey.publicKey.export({ format: 'jwk' });
    return json(200, { keys: [{ ...jwk, kid: this.githubKid, x5t: this.githubKid, alg: 'RS256', use: 'sig' }] });
  }
}

/** A grant names the caller: by its email or `principal://…`, or by a `principalSet://` of its pool (all of it, or one attribute value). */
function isGrantedTo(granted: ReadonlySet<string>, actor: IssuedToken): boolean {
  if (granted.has(actor.principal)) return true;
  if (actor.kind !== 'federated' || !actor.pool) return false;
  const prefix = `principalSet://iam.googleapis.com/${actor.pool}/`;
  for (const grant of granted) {
    if (!grant.startsWith(prefix)) continue;
    const rest = grant.slice(prefix.length);
    if (rest === '*') return true;
    const am = /^attribute\.([^/]+)\/(.+)$/.exec(rest);
    if (am && actor.claims && String(actor.claims[am[1]!]) === am[2]) return true;
  }
  return false;
}

function serviceDisabled(api: GoogleApi, project: string): Reply {
  const activationUrl = `https://console.developers.google.com/apis/api/${api.service}/overview?project=${project}`;
  const message = `${api.title} has not been used in project ${project} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return apiError(403, 'PERMISSION_DENIED', message, [
    errorInfo('SERVICE_DISABLED', 'googleapis.com', {
      consumer: `projects/${project}`,
      service: api.service,
      activationUrl,
      serviceTitle: api.title,
      containerInfo: project,
    }),
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Google developers console API activation', url: activationUrl }] },
  ]);
}

/** The text of a countTokens body `{"contents": [{"role"?, "parts": [{"text"}, …]}, …]}`, or undefined when it has none. */
function promptText(body: string): string | undefined {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return undefined;
  }
  const contents = isRecord(request) ? request['contents'] : undefined;
  if (!Array.isArray(contents) || contents.length === 0) return undefined;
  const texts: string[] = [];
  for (const content of contents) {
    const parts = isRecord(content) ? content['parts'] : undefined;
    if (!Array.isArray(parts) || parts.length === 0) return undefined;
    for (const part of parts) {
      if (!isRecord(part) || typeof part['text'] !== 'string') return undefined;
      texts.push(part['text']);
    }
  }
  return texts.join('\n');
}

/** Made up, but in Google's ballpark: about four characters a token, at least one. */
function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function vertexModelMap(models: Readonly<Record<string, readonly string[]>>): Map<string, Set<string>> {
  return new Map(Object.entries(models).map(([id, locations]) => [id, new Set(locations)]));
}

function insufficientScopes(service: string, method: string): Reply {
  return apiError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
    errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', { service, method }),
  ]);
}

function permissionDenied(): Reply {
  return apiError(
    403,
    'PERMISSION_DENIED',
    "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    [errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission: 'iam.serviceAccounts.getAccessToken' })],
  );
}

function classify(path: string, headers: Record<string, string>): Endpoint {
  // Anything that looks like a metadata-server probe counts as one, wherever it goes.
  if (path.startsWith('/computeMetadata') || headers['metadata-flavor'] !== undefined) return 'metadata';
  if (path === '/oauth2/token') return 'token';
  if (path === '/oauth2/tokeninfo') return 'tokeninfo';
  if (path === '/sts/v1/token' || path === '/sts/v1/oauthtoken') return 'sts';
  if (path === '/sts/v1/introspect') return 'introspect';
  if (path.startsWith('/iamcredentials/')) return 'iamcredentials';
  if (path.startsWith('/generativelanguage/')) return path.endsWith(':countTokens') ? 'countTokens' : 'models';
  if (path.startsWith('/aiplatform/')) return path.endsWith(':countTokens') ? 'vertexCountTokens' : 'publisherModel';
  if (path === '/github/oidc') return 'oidc';
  if (path === '/github/.well-known/jwks') return 'jwks';
  return 'unknown';
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const fake = new FakeGoogle(options);
  await fake.listen(options.port);
  return fake;
}
