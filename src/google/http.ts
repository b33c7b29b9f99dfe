import type { Agent } from 'node:http';
import { ActionError } from '../errors.ts';
import { untrusted } from '../untrusted.ts';
import { exchange, ExchangeError, type Reply } from './transport.ts';

/** How hard to try: shared by every request of one run so the whole run keeps one deadline. */
export interface HttpPolicy {
  /** Retries after the first attempt, for transient failures only. */
  readonly retries: number;
  readonly requestTimeoutMs: number;
  /** Epoch milliseconds after which no attempt starts and no backoff sleeps. */
  readonly deadline: number;
  readonly debug?: (line: string) => void;
}

/** The limits of the inputs retries, request_timeout and timeout, as the inputs and gemini-auth-token's state carry them. */
export interface HttpLimits {
  readonly retries: number;
  readonly requestTimeoutMs: number;
  readonly timeoutMs: number;
}

/** The policy for one run: its deadline starts now. */
export function httpPolicy(limits: HttpLimits, debug?: (line: string) => void): HttpPolicy {
  return { retries: limits.retries, requestTimeoutMs: limits.requestTimeoutMs, deadline: Date.now() + limits.timeoutMs, debug };
}

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly form?: Record<string, string>;
  readonly json?: unknown;
  /** A client certificate's agent, for STS over mutual TLS. */
  readonly agent?: Agent | undefined;
}

/** A definite answer: parsed JSON and its status (any status that is not transient). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Characters of the body as received, for callers that bound what several answers add up to. */
  readonly size?: number;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A failure worth another attempt, described without any request or response body. */
export class TransientFailure {
  readonly description: string;
  readonly retryAfterMs: number | undefined;
  constructor(description: string, retryAfterMs?: number) {
    this.description = description;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Runs `attempt` until it gives a definite result, retrying transient failures
 * with exponential backoff and full jitter (or the server's Retry-After),
 * within `policy.retries` and the deadline; no sleep follows the last attempt,
 * and none would end past the deadline. `service` names the endpoint in the error.
 */
export async function retrying<T>(service: string, policy: HttpPolicy, attempt: (timeoutMs: number) => Promise<T | TransientFailure>): Promise<T> {
  let attempts = 0;
  let last: TransientFailure | undefined;
  let stop: 'retries' | 'deadline' | 'server-wait' = 'retries';
  while (attempts <= policy.retries) {
    if (policy.deadline <= Date.now()) {
      stop = 'deadline';
      break;
    }
    attempts++;
    const outcome = await attempt(attemptTimeout(policy));
    if (!(outcome instanceof TransientFailure)) return outcome;
    last = outcome;
    if (attempts > policy.retries) break;
    const delay = outcome.retryAfterMs ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
    if (Date.now() + delay >= policy.deadline) {
      stop = outcome.retryAfterMs === undefined ? 'deadline' : 'server-wait';
      break;
    }
    policy.debug?.(`${service}: ${outcome.description}; retrying in ${Math.round(delay)} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const left = Math.max(0, Math.round((policy.deadline - Date.now()) / 1000));
  const why = { retries: `retries: ${policy.retries} allows no more`, deadline: 'the time the input timeout allows ran out', 'server-wait': `the server asked to wait longer than the input timeout leaves (${left} s)` }[stop];
  throw new ActionError(
    `${service} did not answer usefully in ${attempts} attempt${attempts === 1 ? '' : 's'}${last ? ` (last: ${last.description})` : ''}; ${why}.`,
    stop === 'server-wait'
      ? 'The service is busy or rate-limits this caller: re-run the job later, or raise the input timeout above the wait it asks for.'
      : 'This is usually a passing outage or a network problem on the runner: re-run the job (see https://status.cloud.google.com), or raise the inputs retries, request_timeout or timeout.',
  );
}

/** The time one attempt may take: request_timeout, cut to what is left before the deadline. */
function attemptTimeout(policy: HttpPolicy): number {
  return Math.max(1, Math.min(policy.requestTimeoutMs, policy.deadline - Date.now()));
}

/**
 * Sends a request and returns its answer, retrying transient failures (network
 * errors, timeouts, 408, 429, 5xx, a success whose body is not JSON). `build`
 * runs once per attempt so that an attempt can carry fresh material (a new OIDC
 * token); the attempt's timeout is set after it, since building can take time.
 */
export async function sendJson(service: string, build: () => HttpRequest | Promise<HttpRequest>, policy: HttpPolicy): Promise<HttpAnswer> {
  return retrying(service, policy, async () => {
    const request = await build();
    return attemptOnce(service, request, attemptTimeout(policy), policy.debug);
  });
}

async function attemptOnce(service: string, request: HttpRequest, timeoutMs: number, debug?: (line: string) => void): Promise<HttpAnswer | TransientFailure> {
  const started = Date.now();
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const where = `${request.method} ${request.url.replace(/\?.*$/, '')}`;
  let reply: Reply;
  try {
    reply = await exchange({ method: request.method, url: request.url, headers, body, timeoutMs, maxBodyBytes: MAX_BODY_BYTES, agent: request.agent });
  } catch (error) {
    const description = describeNetworkError(error, timeoutMs);
    debug?.(`${where} failed after ${Date.now() - started} ms: ${description}`);
    refuseUntrustedCertificate(service, error);
    refuseUnsendableHeader(service, error);
    return new TransientFailure(description);
  }
  debug?.(`${where} -> HTTP ${reply.status} in ${Date.now() - started} ms`);
  if (reply.status >= 300 && reply.status < 400) {
    throw new ActionError(`${service} answered with a redirect (HTTP ${reply.status}), which gemini-auth does not follow: credentials go only to the URL they are meant for.`, 'Check the endpoints input: give each service the final https:// URL.');
  }
  if (isTransientStatus(reply.status)) {
    const retryAfterMs = parseRetryAfter(header(reply, 'retry-after'));
    return new TransientFailure(`HTTP ${reply.status}${retryAfterMs === undefined ? '' : ` asking to retry after ${Math.round(retryAfterMs / 1000)} s`}`, retryAfterMs);
  }
  try {
    return { status: reply.status, body: JSON.parse(reply.text) as unknown, size: reply.text.length };
  } catch {
    // An error page (a proxy's 403, a wrong path's 404) is a definite answer; a success that is not JSON is a hiccup.
    if (reply.status >= 400) return { status: reply.status, body: undefined };
    const type = untrusted((header(reply, 'content-type') ?? 'no content type').split(';')[0] ?? '', 60);
    return new TransientFailure(`HTTP ${reply.status} with a body that is not JSON (${type})`);
  }
}

function header(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Seconds or an HTTP date, as milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** TLS certificate errors from OpenSSL and Node: another attempt would meet the same certificate. */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** An untrusted certificate is a definite answer: fail at once, with what to do. */
function refuseUntrustedCertificate(service: string, error: unknown): void {
  if (error instanceof ExchangeError && CERTIFICATE_ERROR.test(error.code)) {
    throw new ActionError(
      `${service} presented a TLS certificate that is not trusted (${error.code}).`,
      'If a proxy on the runner inspects TLS, give Node its CA certificate with the environment variable NODE_EXTRA_CA_CERTS; otherwise check the endpoints input.',
    );
  }
}

/** A header Node cannot send fails the same way on every attempt. */
function refuseUnsendableHeader(service: string, error: unknown): void {
  if (error instanceof ExchangeError && (error.code === 'ERR_INVALID_CHAR' || error.code === 'ERR_INVALID_HTTP_TOKEN')) {
    throw new ActionError(
      `${service} could not be asked: a request header would hold a character HTTP cannot carry (${error.code}).`,
      'Check the inputs that become headers, quota_project_id and project_id, for line breaks and characters beyond Latin-1.',
    );
  }
}

/** Names the network failure by its code: errors can quote URLs, never bodies. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = error instanceof ExchangeError ? error.code : 'ENETWORK';
  if (code === 'ETIMEDOUT') return `no answer within ${Math.round(timeoutMs / 100) / 10}s`;
  if (code === 'ETOOLARGE') return 'an answer larger than 8 MiB';
  return `network error ${code}`;
}
