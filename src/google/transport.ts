/**
 * One HTTP exchange over node:http/node:https. Not fetch: Node builds fetch on
 * undici, which loads lazily on the first call and costs about 40 ms, more
 * than the whole rest of the action. The client module is taken with
 * process.getBuiltinModule on first use: node:https alone (with tls) costs
 * 6 ms, and an ES import of node:http builds a namespace of all its exports,
 * whose lazy WebSocket getters load undici after all (about 20 ms).
 */
import type { Agent, ClientRequest, IncomingHttpHeaders } from 'node:http';

export interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** An agent of the caller's: a client certificate's (mTLS), used instead of the proxy's. */
  readonly agent?: Agent | undefined;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** A failure of the exchange itself, named by code only: never a URL query or a body. */
export class ExchangeError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.name = 'ExchangeError';
    this.code = code;
  }
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
const proxyAgents = new Map<string, Agent>();

/**
 * The agent that sends requests through the proxy of HTTPS_PROXY / HTTP_PROXY
 * (honouring NO_PROXY), as self-hosted runners behind a proxy need; undefined,
 * the default agent, where none is set.
 */
function proxyAgent(protocol: string): Agent | undefined {
  if (!PROXY_VARIABLES.some((name) => process.env[name])) return undefined;
  let agent = proxyAgents.get(protocol);
  if (!agent) {
    const { Agent: ProtocolAgent } = protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    agent = new ProtocolAgent({ proxyEnv: process.env });
    proxyAgents.set(protocol, agent);
  }
  return agent;
}

export function exchange(spec: Exchange): Promise<Reply> {
  const url = new URL(spec.url);
  const { request: send } = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const agent = spec.agent ?? proxyAgent(url.protocol);
  return new Promise((resolve, reject) => {
    const headers = { ...spec.headers, ...(spec.body !== undefined ? { 'content-length': String(Buffer.byteLength(spec.body)) } : {}) };
    let request: ClientRequest;
    try {
      // Node refuses a header value it cannot send (a line break, a character beyond latin1) before anything is sent.
      request = send(url, { method: spec.method, headers, timeout: spec.timeoutMs, ...(agent ? { agent } : {}) }, (response) => {
        const declared = Number(response.headers['content-length'] ?? '0');
        if (declared > spec.maxBodyBytes) return fail('ETOOLARGE');
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > spec.maxBodyBytes) fail('ETOOLARGE');
          else chunks.push(chunk);
        });
        response.on('error', () => fail('ECONNRESET'));
        response.on('aborted', () => fail('ECONNRESET'));
        response.on('end', () => {
          // A body cut short of its declared length is a broken answer, not a short one.
          if (!response.complete || (declared > 0 && size < declared)) return fail('ECONNRESET');
          clearTimeout(deadline);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
    } catch (error) {
      reject(new ExchangeError((error as NodeJS.ErrnoException).code ?? 'ENETWORK'));
      return;
    }
    // The socket `timeout` fires on idle sockets only; this bounds the whole exchange. Set once the request
    // exists, so that no timer outlives a request that never started.
    const deadline = setTimeout(() => fail('ETIMEDOUT'), spec.timeoutMs);
    function fail(code: string): void {
      clearTimeout(deadline);
      request.destroy();
      reject(new ExchangeError(code));
    }
    request.on('timeout', () => fail('ETIMEDOUT'));
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      reject(error instanceof ExchangeError ? error : new ExchangeError(error.code ?? 'ENETWORK'));
    });
    request.end(spec.body);
  });
}
