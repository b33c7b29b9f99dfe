/**
 * A faithful in-memory fake of the GitHub Actions cache service v2 (the Twirp
 * "results" API that `@actions/cache` >= 4 speaks when ACTIONS_CACHE_SERVICE_V2
 * is set) together with the signed-URL blob storage behind it.
 *
 * Wire format (matched against @actions/cache 6.3.0, lib/internal/shared/
 * cacheTwirpClient.js and lib/generated/results/api/v1/cache.js):
 *
 *   POST /twirp/github.actions.results.api.v1.CacheService/<Method>
 *   Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>
 *   Content-Type: application/json, body = proto3 JSON with proto field names
 *   (snake_case), int64 as strings, default values omitted.
 *
 *   CreateCacheEntry          {key, version}                 -> {ok, signed_upload_url, message}
 *   FinalizeCacheEntryUpload  {key, version, size_bytes}     -> {ok, entry_id, message}
 *   GetCacheEntryDownloadURL  {key, restore_keys?, version}  -> {ok, signed_download_url, matched_key}
 *
 *   Twirp errors: HTTP status per Twirp code, body {code, msg}.
 *
 * Blob storage: the client uploads with the Azure SDK (BlockBlobClient.uploadFile,
 * a single `PUT` with `x-ms-blob-type: BlockBlob` for archives < 128 MiB) and,
 * because the host is not *.blob.core.windows.net, downloads with a plain GET.
 *
 * Service semantics modelled (see GitHub's "Cache key matching" docs):
 *  - entries are immutable: CreateCacheEntry for a key+version that already
 *    exists (finalized or still being uploaded) is a Twirp `already_exists` (409)
 *    "cache entry with the same key, version, and scope already exists";
 *  - lookup only sees finalized entries of the *same version*, and tries, in
 *    order: the exact key; the key as a prefix; then each restore key as a
 *    prefix. Among several prefix matches the most recently created wins.
 *    Branch scopes are not modelled (everything is one scope).
 *  - a read-only runtime token makes CreateCacheEntry answer HTTP 200
 *    {ok:false, message:"cache write denied: ..."} (not a Twirp error), which is
 *    what makes @actions/cache raise CacheWriteDeniedError internally.
 *  - a token without read scopes makes GetCacheEntryDownloadURL a Twirp
 *    `permission_denied` (403) whose msg starts with "cache read denied:".
 */
import { createHmac, randomBytes, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Fault } from './fake-google.ts';

export const TWIRP_SERVICE = 'github.actions.results.api.v1.CacheService';

export type TwirpMethod = 'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL';

const TWIRP_METHODS: readonly TwirpMethod[] = ['CreateCacheEntry', 'FinalizeCacheEntryUpload', 'GetCacheEntryDownloadURL'];

/** Twirp error code -> HTTP status (https://twitchtv.github.io/twirp/docs/spec_v7.html). */
const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  bad_route: 404,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type TwirpCode = keyof typeof TWIRP_STATUS;

/** Messages the real service uses (observed in the wild / pinned by @actions/cache). */
export const ALREADY_EXISTS_MESSAGE = 'cache entry with the same key, version, and scope already exists';
export const WRITE_DENIED_MESSAGE = 'cache write denied: token has no writable scopes';
export const READ_DENIED_MESSAGE = 'cache read denied: token has no readable scopes';

/** How `down` mode fails requests. */
export type DownMode =
  /** destroy the socket without answering: the client sees ECONNRESET and does NOT retry (fast). */
  | 'reset'
  /** answer 503 Twirp `unavailable`: the Twirp client retries 5 times with 3 s+ backoff (slow, ~25 s). */
  | '503';

/**
 * A fault of one request, the same kinds as fake-google's (so one fault matrix
 * covers both): an HTTP status (here a Twirp error), a reset or hung connection,
 * a body cut short, a body that is not JSON or JSON of the wrong shape, or an
 * answer that comes late.
 */
export type CacheFault = Fault;

/** Where a fault applies: a Twirp method, or the blob storage. */
export type CacheFaultTarget = TwirpMethod | 'blob';

export interface FakeCacheOptions {
  /** bearer token the fake accepts; default: random. */
  token?: string;
  readOnly?: boolean;
  readDenied?: boolean;
  down?: boolean;
  downMode?: DownMode;
}

export interface FakeEntry {
  /** entry id, also the blob id; returned as `entry_id` by FinalizeCacheEntryUpload. */
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** size recorded at finalize: the number of bytes the blob actually received. */
  size: number;
  /** the `size_bytes` the client claimed at finalize. */
  claimedSize: number;
  /** finalize time; lookups prefer the newest. */
  createdAt: Date;
  /** the stored archive (tar, zstd- or gzip-compressed). */
  data: Buffer;
}

export interface PendingEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** undefined until the blob PUT arrived. */
  data: Buffer | undefined;
  readonly reservedAt: Date;
}

export interface FakeRequest {
  method: string;
  /** pathname only (no query string, so no signatures). */
  path: string;
  /** Twirp method name for Twirp calls, undefined for blob and other requests. */
  twirp: TwirpMethod | undefined;
  /** parsed JSON body for Twirp calls; `{ bytes }` for blob PUTs; undefined otherwise. */
  body: unknown;
  /** status the fake answered with; 0 when the socket was destroyed. */
  status: number;
}

export interface FakeCacheEnv {
  ACTIONS_CACHE_SERVICE_V2: string;
  ACTIONS_RESULTS_URL: string;
  ACTIONS_RUNTIME_TOKEN: string;
  [name: string]: string;
}

export interface FakeCache {
  /** http://127.0.0.1:<port> (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** env vars a step needs to talk to this fake (@actions/cache v2 needs no ACTIONS_CACHE_URL). */
  readonly env: FakeCacheEnv;
  /** CreateCacheEntry answers {ok:false, message:"cache write denied: ..."} like for a read-only token. */
  readOnly: boolean;
  /** GetCacheEntryDownloadURL answers Twirp permission_denied "cache read denied: ...". */
  readDenied: boolean;
  /** every request (Twirp and blob) fails according to `downMode`. */
  down: boolean;
  downMode: DownMode;
  /** finalized entries, oldest first. Mutable for tests (e.g. push pre-made entries via addEntry). */
  readonly entries: FakeEntry[];
  /** reservations whose upload is not finalized yet. */
  readonly pending: PendingEntry[];
  readonly requests: FakeRequest[];
  /** requests that were Twirp calls of the given method (all Twirp calls without argument). */
  twirpCalls(method?: TwirpMethod): FakeRequest[];
  /** replace the stored archive of the newest entry with `key` (and `version`, if given). */
  tamper(key: string, fn: (data: Buffer) => Buffer, version?: string): FakeEntry;
  /** insert a finalized entry directly (e.g. to seed the cache). */
  addEntry(entry: { key: string; version: string; data: Buffer; createdAt?: Date }): FakeEntry;
  /** the next `times` requests to `target` meet `fault`. */
  inject(target: CacheFaultTarget, fault: CacheFault, times?: number): void;
  /** forget entries, reservations, requests and faults; clear the modes. */
  reset(): void;
  /** stop listening and destroy open sockets. */
  close(): Promise<void>;
}

/**
 * The `version` @actions/cache sends (lib/internal/cacheUtils.js getCacheVersion):
 * sha256 of `[...paths, compressionMethod, ('windows-only' on win32 unless
 * enableCrossOsArchive), '1.0'].join('|')`, hex. compressionMethod is 'gzip' when
 * no `zstd` is on PATH, else 'zstd-without-long' (6.x never picks 'zstd').
 */
export function computeCacheVersion(
  paths: readonly string[],
  compressionMethod: 'gzip' | 'zstd-without-long' | 'zstd',
  enableCrossOsArchive = false,
): string {
  const components = [...paths, compressionMethod];
  if (process.platform === 'win32' && !enableCrossOsArchive) components.push('windows-only');
  components.push('1.0');
  return createHash('sha256').update(components.join('|')).digest('hex');
}

class TwirpError extends Error {
  readonly code: TwirpCode;
  constructor(code: TwirpCode, msg: string) {
    super(msg);
    this.code = code;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(body: Record<string, unknown>, name: string, required: boolean): string {
  const value = body[name];
  if (value === undefined) {
    if (required) throw new TwirpError('invalid_argument', `${name} is required`);
    return '';
  }
  if (typeof value !== 'string') throw new TwirpError('malformed', `${name} must be a string`);
  if (required && value === '') throw new TwirpError('invalid_argument', `${name} is required`);
  return value;
}

function azureError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml =
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code>` +
    `<Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
  res.end(xml);
}

class FakeCacheServer implements FakeCache {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly env: FakeCacheEnv;
  readOnly: boolean;
  readDenied: boolean;
  down: boolean;
  downMode: DownMode;
  readonly entries: FakeEntry[] = [];
  readonly pending: PendingEntry[] = [];
  readonly requests: FakeRequest[] = [];

  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #secret = randomBytes(32);
  readonly #faults = new Map<CacheFaultTarget, CacheFault[]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #nextId = 1;

  constructor(server: Server, port: number, options: FakeCacheOptions) {
    this.#server = server;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.token = options.token ?? randomBytes(24).toString('base64url');
    this.readOnly = options.readOnly ?? false;
    this.readDenied = options.readDenied ?? false;
    this.down = options.down ?? false;
    this.downMode = options.downMode ?? 'reset';
    this.env = {
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.token,
    };
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'internal', msg: String(error) }));
        } else {
          res.destroy();
        }
      });
    });
  }

  twirpCalls(method?: TwirpMethod): FakeRequest[] {
    return this.requests.filter((r) => r.twirp !== undefined && (method === undefined || r.twirp === method));
  }

  tamper(key: string, fn: (data: Buffer) => Buffer, version?: string): FakeEntry {
    const entry = this.#newestFirst().find((e) => e.key === key && (version === undefined || e.version === version));
    if (!entry) throw new Error(`fake cache: no entry with key ${JSON.stringify(key)} to tamper with`);
    entry.data = fn(Buffer.from(entry.data));
    return entry;
  }

  addEntry(init: { key: string; version: string; data: Buffer; createdAt?: Date }): FakeEntry {
    const entry: FakeEntry = {
      id: this.#nextId++,
      key: init.key,
      version: init.version,
      size: init.data.length,
      claimedSize: init.data.length,
      createdAt: init.createdAt ?? new Date(),
      data: init.data,
    };
    this.entries.push(entry);
    return entry;
  }

  inject(target: CacheFaultTarget, fault: CacheFault, times = 1): void {
    const queue = this.#faults.get(target) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.#faults.set(target, queue);
  }

  reset(): void {
    this.#faults.clear();
    this.entries.length = 0;
    this.pending.length = 0;
    this.requests.length = 0;
    this.readOnly = false;
    this.readDenied = false;
    this.down = false;
  }

  close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  /** newest first; ids break ties between entries created in the same millisecond. */
  #newestFirst(): FakeEntry[] {
    return [...this.entries].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
  }

  #sig(op: 'r' | 'w', id: number): string {
    return createHmac('sha256', this.#secret).update(`${op}:${id}`).digest('base64url');
  }

  #blobUrl(op: 'r' | 'w', id: number): string {
    const expires = new Date(Date.now() + 10 * 60_000).toISOString();
    const sp = op === 'w' ? 'cw' : 'r';
    return `${this.url}/blob/${id}?sv=2024-11-04&sr=b&sp=${sp}&se=${encodeURIComponent(expires)}&sig=${this.#sig(op, id)}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const record: FakeRequest = { method: req.method ?? '', path: url.pathname, twirp: undefined, body: undefined, status: 0 };
    this.requests.push(record);
    const twirpPrefix = `/twirp/${TWIRP_SERVICE}/`;
    if (url.pathname.startsWith(twirpPrefix)) {
      const name = url.pathname.slice(twirpPrefix.length);
      record.twirp = (TWIRP_METHODS as readonly string[]).includes(name) ? (name as TwirpMethod) : undefined;
    }
    const body = await readBody(req);

    const target: CacheFaultTarget | undefined = url.pathname.startsWith('/blob/') ? 'blob' : record.twirp;
    const fault = target === undefined ? undefined : this.#faults.get(target)?.shift();
    if (fault !== undefined) {
      if (typeof fault === 'object' && 'delayMs' in fault) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            resolve();
          }, fault.delayMs);
          this.#timers.add(timer);
        });
        if (res.destroyed) return;
      } else {
        this.#fail(req, res, record, fault);
        return;
      }
    }

    if (this.down) {
      if (this.downMode === 'reset') {
        req.socket.destroy();
        return;
      }
      if (url.pathname.startsWith('/twirp/')) {
        this.#twirpError(res, record, new TwirpError('unavailable', 'the cache service is temporarily unavailable'));
      } else {
        record.status = 503;
        azureError(res, 503, 'ServerBusy', 'The server is currently unable to receive requests.');
      }
      return;
    }

    if (url.pathname.startsWith('/blob/')) {
      this.#handleBlob(req, res, url, body, record);
      return;
    }
    if (url.pathname.startsWith('/twirp/')) {
      this.#handleTwirp(req, res, url, body, record);
      return;
    }
    record.status = 404;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  /** Answers (or does not answer) a request with an injected fault. */
  #fail(req: IncomingMessage, res: ServerResponse, record: FakeRequest, fault: Exclude<CacheFault, { delayMs: number }>): void {
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') return; // the socket stays open until close() destroys it
    if (fault === 'non-json') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><title>Sign in</title>');
      return;
    }
    if (fault === 'wrong-shape') {
      this.#twirpOk(res, record, { unexpected: true });
      return;
    }
    if (fault === 'truncated') {
      const body = Buffer.from(JSON.stringify({ ok: true, signed_download_url: '', matched_key: '' }));
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    const code = (Object.keys(TWIRP_STATUS) as TwirpCode[]).find((name) => TWIRP_STATUS[name] === fault.status) ?? 'internal';
    record.status = fault.status;
    const retryAfter = 'retryAfter' in fault ? fault.retryAfter : undefined;
    res.writeHead(fault.status, { 'content-type': 'application/json', ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }) });
    res.end(JSON.stringify({ code, msg: `injected fault: HTTP ${fault.status}` }));
  }

  #twirpError(res: ServerResponse, record: FakeRequest, error: TwirpError): void {
    record.status = TWIRP_STATUS[error.code];
    res.writeHead(record.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: error.code, msg: error.message }));
  }

  #twirpOk(res: ServerResponse, record: FakeRequest, payload: Record<string, unknown>): void {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  #handleTwirp(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, record: FakeRequest): void {
    try {
      if (req.method !== 'POST' || record.twirp === undefined) {
        throw new TwirpError('bad_route', `no handler for path ${JSON.stringify(url.pathname)}`);
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        throw new TwirpError('unauthenticated', 'invalid or missing bearer token');
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
      if (contentType !== 'application/json') {
        throw new TwirpError('bad_route', `unexpected Content-Type: ${JSON.stringify(contentType)}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new TwirpError('malformed', 'the json request could not be decoded');
      }
      record.body = body;
      if (!isRecord(body)) throw new TwirpError('malformed', 'the json request could not be decoded');
      switch (record.twirp) {
        case 'CreateCacheEntry':
          this.#twirpOk(res, record, this.#createCacheEntry(body));
          return;
        case 'FinalizeCacheEntryUpload':
          this.#twirpOk(res, record, this.#finalizeCacheEntryUpload(body));
          return;
        case 'GetCacheEntryDownloadURL':
          this.#twirpOk(res, record, this.#getCacheEntryDownloadURL(body));
          return;
      }
    } catch (error) {
      if (error instanceof TwirpError) {
        this.#twirpError(res, record, error);
        return;
      }
      throw error;
    }
  }

  #createCacheEntry(body: Record<string, unknown>): Record<string, unknown> {
    const key = stringField(body, 'key', true);
    const version = stringField(body, 'version', true);
    if (this.readOnly) {
      // The service denies a read-only token with a 200 ok=false response, not a Twirp error.
      return { ok: false, signed_upload_url: '', message: WRITE_DENIED_MESSAGE };
    }
    const exists =
      this.entries.some((e) => e.key === key && e.version === version) ||
      this.pending.some((p) => p.key === key && p.version === version);
    if (exists) throw new TwirpError('already_exists', ALREADY_EXISTS_MESSAGE);
    const entry: PendingEntry = { id: this.#nextId++, key, version, data: undefined, reservedAt: new Date() };
    this.pending.push(entry);
    return { ok: true, signed_upload_url: this.#blobUrl('w', entry.id) };
  }

  #finalizeCacheEntryUpload(body: Record<string, unknown>): Record<string, unknown> {
    const key = stringField(body, 'key', true);
    const version = stringField(body, 'version', true);
    const sizeText = stringField(body, 'size_bytes', false) || '0';
    if (!/^\d+$/.test(sizeText)) throw new TwirpError('malformed', 'size_bytes must be an int64 string');
    const index = this.pending.findIndex((p) => p.key === key && p.version === version);
    const pending = this.pending[index];
    if (!pending) throw new TwirpError('not_found', 'cache entry not found');
    if (pending.data === undefined) throw new TwirpError('failed_precondition', 'cache entry has not been uploaded');
    this.pending.splice(index, 1);
    this.entries.push({
      id: pending.id,
      key,
      version,
      size: pending.data.length,
      claimedSize: Number(sizeText),
      createdAt: new Date(),
      data: pending.data,
    });
    return { ok: true, entry_id: String(pending.id) };
  }

  #getCacheEntryDownloadURL(body: Record<string, unknown>): Record<string, unknown> {
    const key = stringField(body, 'key', true);
    const version = stringField(body, 'version', true);
    const restoreKeysRaw = body['restore_keys'] ?? [];
    if (!Array.isArray(restoreKeysRaw) || !restoreKeysRaw.every((k): k is string => typeof k === 'string')) {
      throw new TwirpError('malformed', 'restore_keys must be a list of strings');
    }
    if (this.readDenied) throw new TwirpError('permission_denied', READ_DENIED_MESSAGE);
    const candidates = this.#newestFirst().filter((e) => e.version === version);
    const match =
      candidates.find((e) => e.key === key) ??
      candidates.find((e) => e.key.startsWith(key)) ??
      restoreKeysRaw.map((prefix) => candidates.find((e) => e.key.startsWith(prefix))).find((e) => e !== undefined);
    if (!match) return { ok: false, signed_download_url: '', matched_key: '' };
    return { ok: true, signed_download_url: this.#blobUrl('r', match.id), matched_key: match.key };
  }

  #handleBlob(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, record: FakeRequest): void {
    const idText = url.pathname.slice('/blob/'.length);
    const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
    const sig = url.searchParams.get('sig');
    if (req.method === 'PUT') {
      record.body = { bytes: body.length };
      if (sig === null || sig !== this.#sig('w', id)) {
        record.status = 403;
        azureError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
        return;
      }
      const pending = this.pending.find((p) => p.id === id);
      if (!pending) {
        // Finalized entries are immutable; the write SAS is no longer honoured.
        record.status = 403;
        azureError(res, 403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation.');
        return;
      }
      const blobType = req.headers['x-ms-blob-type'];
      if (blobType !== 'BlockBlob') {
        record.status = 400;
        azureError(res, 400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified: x-ms-blob-type.');
        return;
      }
      pending.data = body;
      record.status = 201;
      res.writeHead(201, {
        etag: `"0x${pending.id.toString(16).toUpperCase()}"`,
        'last-modified': new Date().toUTCString(),
        'content-md5': createHash('md5').update(body).digest('base64'),
        'x-ms-request-client-encrypted': 'false',
        'x-ms-version': '2024-11-04',
      });
      res.end();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (sig === null || sig !== this.#sig('r', id)) {
        record.status = 403;
        azureError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
        return;
      }
      const entry = this.entries.find((e) => e.id === id);
      if (!entry) {
        record.status = 404;
        azureError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
        return;
      }
      record.status = 200;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(entry.data.length),
        'x-ms-blob-type': 'BlockBlob',
      });
      res.end(req.method === 'HEAD' ? undefined : entry.data);
      return;
    }
    record.status = 405;
    azureError(res, 405, 'UnsupportedHttpVerb', 'The resource doesn\'t support the specified HTTP verb.');
  }
}

/** Start the fake on 127.0.0.1 with an OS-assigned port. Always `await fake.close()`. */
export async function startFakeCache(options: FakeCacheOptions = {}): Promise<FakeCache> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return new FakeCacheServer(server, port, options);
}

/**
 * Run `fn` with `vars` applied to process.env (undefined deletes a variable),
 * restoring the previous values afterwards, even on throw.
 */
export async function withEnv<T>(vars: Readonly<Record<string, string | undefined>>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(vars)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export interface CapturedOutput {
  /** everything captured from process.stdout (@actions/core logs, relayed tar/zstd output), raw. */
  stdout: string;
  /** `::warning::` messages (command properties stripped, data unescaped). */
  warnings: string[];
  /** `::error::` messages. */
  errors: string[];
  /** `::debug::` messages. */
  debug: string[];
  /** plain lines that are not workflow commands (core.info, `[command]...` echoes, tool output). */
  info: string[];
  /** everything written to process.stderr. */
  stderr: string;
}

export type Captured<T> =
  | { threw: false; result: T; error: undefined; output: CapturedOutput }
  | { threw: true; result: undefined; error: unknown; output: CapturedOutput };

function unescapeCommandData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function parseOutput(text: string, stderr: string): CapturedOutput {
  const output: CapturedOutput = { stdout: text, warnings: [], errors: [], debug: [], info: [], stderr };
  for (const line of text.split(/\r?\n/)) {
    const command = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (command) {
      const [, name, data = ''] = command;
      if (name === 'warning') output.warnings.push(unescapeCommandData(data));
      else if (name === 'error') output.errors.push(unescapeCommandData(data));
      else if (name === 'debug') output.debug.push(unescapeCommandData(data));
    } else if (line !== '') {
      output.info.push(line);
    }
  }
  return output;
}

/**
 * Run `fn` while capturing what it writes to process.stdout (how @actions/core
 * emits info/warning/error/debug, and where @actions/exec relays the output of
 * tar/zstd) and to process.stderr, and report whether it threw.
 *
 * Binary stdout chunks that start with the V8 serialization header (0xFF) are
 * the node:test runner's own events (a test file's child process reports to
 * the runner over stdout) and pass through untouched.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const { stdout, stderr } = process;
  const originalOut = stdout.write;
  const originalErr = stderr.write;
  let outText = '';
  let errText = '';
  const ack = (rest: unknown[]): true => {
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (callback) process.nextTick(callback);
    return true;
  };
  const patchedOut = function (chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string') {
      outText += chunk;
      return ack(rest);
    }
    if (chunk instanceof Uint8Array && chunk[0] !== 0xff) {
      outText += Buffer.from(chunk).toString('utf8');
      return ack(rest);
    }
    return (originalOut as (...args: unknown[]) => boolean).call(stdout, chunk, ...rest);
  };
  const patchedErr = function (chunk: unknown, ...rest: unknown[]): boolean {
    errText += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    return ack(rest);
  };
  stdout.write = patchedOut as typeof stdout.write;
  stderr.write = patchedErr as typeof stderr.write;
  const restore = (): void => {
    stdout.write = originalOut;
    stderr.write = originalErr;
  };
  try {
    const result = await fn();
    return { threw: false, result, error: undefined, output: parseOutput(outText, errText) };
  } catch (error) {
    return { threw: true, result: undefined, error, output: parseOutput(outText, errText) };
  } finally {
    restore();
  }
}
