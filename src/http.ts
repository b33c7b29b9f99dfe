import { ActionError } from './errors.ts';

/** How hard to try: shared by every request of one run so the whole run keeps one deadline. */
export interface HttpPolicy {
  /** Retries after the first attempt, for transient failures only. */
  readonly retries: number;
  readonly requestTimeoutMs: number;
  /** Epoch milliseconds after which no attempt starts and no backoff sleeps. */
  readonly deadline: number;
  readonly debug?: (line: string) => void;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly form?: Record<string, string>;
  readonly json?: unknown;
}

/** A definite answer: parsed JSON and its status (any status that is not transient). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
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
 * within `policy.retries` and the deadline; no sleep follows the last attempt.
 * `service` names the endpoint in the error.
 */
export async function retrying<T>(service: string, policy: HttpPolicy, attempt: (timeoutMs: number) => Promise<T | TransientFailure>): Promise<T> {
  const attempts = policy.retries + 1;
  let last: TransientFailure | undefined;
  for (let number = 1; number <= attempts; number++) {
    const remaining = policy.deadline - Date.now();
    if (remaining <= 0) break;
    const outcome = await attempt(Math.min(policy.requestTimeoutMs, remaining));
    if (!(outcome instanceof TransientFailure)) return outcome;
    last = outcome;
    if (number === attempts) break;
    const delay = outcome.retryAfterMs ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (number - 1));
    if (Date.now() + delay >= policy.deadline) break;
    policy.debug?.(`${service}: ${outcome.description}; retrying in ${Math.round(delay)} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new ActionError(
    `${service} did not answer usefully${last ? ` (last attempt: ${last.description})` : ''} within the limits of retries (${policy.retries}) and timeout.`,
    'This is usually a passing outage or a network problem on the runner: re-run the job (see https://status.cloud.google.com), or raise the inputs retries, request_timeout or timeout.',
  );
}

/**
 * Sends a request and returns its JSON answer, retrying transient failures
 * (network errors, timeouts, 408, 429, 5xx, unreadable bodies). `build` runs
 * once per attempt so that an attempt can carry fresh material (a new OIDC token).
 */
export async function sendJson(service: string, build: () => HttpRequest | Promise<HttpRequest>, policy: HttpPolicy): Promise<HttpAnswer> {
  return retrying(service, policy, async (timeoutMs) => attemptOnce(await build(), timeoutMs, policy.debug));
}

async function attemptOnce(request: HttpRequest, timeoutMs: number, debug?: (line: string) => void): Promise<HttpAnswer | TransientFailure> {
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
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, { method: request.method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    text = await readLimited(response);
  } catch (error) {
    const description = describeNetworkError(error, timeoutMs);
    debug?.(`${where} failed after ${Date.now() - started} ms: ${description}`);
    return new TransientFailure(description);
  }
  debug?.(`${where} -> HTTP ${response.status} in ${Date.now() - started} ms`);
  if (isTransientStatus(response.status)) {
    return new TransientFailure(`HTTP ${response.status}`, parseRetryAfter(response.headers.get('retry-after')));
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    const type = (response.headers.get('content-type') ?? 'no content type').split(';')[0];
    return new TransientFailure(`HTTP ${response.status} with a body that is not JSON (${type})`);
  }
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new Error('response too large');
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength > MAX_BODY_BYTES) throw new Error('response too large');
  return new TextDecoder().decode(buffer);
}

/** Seconds or an HTTP date, as milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Names the network failure (code only: fetch errors can quote URLs but never bodies). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 100) / 10}s`;
    if (error.message === 'response too large') return 'an answer larger than 8 MiB';
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
    if (cause && typeof cause.message === 'string') return `network error (${cause.message.slice(0, 80)})`;
    return `network error (${error.message.slice(0, 80)})`;
  }
  return 'network error';
}
