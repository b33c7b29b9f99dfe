// The network between a runner and Google, played on loopback: each service on a
// host (port) of its own, every request a round trip of `requestMs`, every new
// connection a handshake of `connectionMs` more before it carries anything.
//
// Why a forwarding layer in front of the fake rather than a delay option inside it:
// the fake serves every service on one port under path prefixes, so a client with a
// keep-alive agent would carry all its requests over one connection, which no runner
// can do (oauth2, sts, iamcredentials and generativelanguage are different hosts).
// The delays belong to the network, not to Google: the same layer puts any process,
// the action or a bare `node` making the same requests, behind the same costs, and
// connection reuse is whatever the client really does (a request over a kept-alive
// connection pays only `requestMs`). What it does not model: TLS (the CPU of the
// handshake and loading node:https), DNS, bandwidth.

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FakeGoogle } from './fake-google.ts';

export interface LatencyModel {
  /** Added to every request: one round trip. */
  readonly requestMs: number;
  /** Added once per new connection, before its first byte is read: the TCP and TLS handshakes. */
  readonly connectionMs: number;
}

/** A GitHub-hosted runner talking to Google (issue 10's model). */
export const RUNNER_LATENCY: LatencyModel = { requestMs: 40, connectionMs: 80 };
export const NO_LATENCY: LatencyModel = { requestMs: 0, connectionMs: 0 };

/** The hosts a run talks to, each with the fake's path prefix it forwards to. tokeninfo lives on oauth2, as at Google. */
export const HOSTS = {
  oauth2: '/oauth2',
  sts: '/sts',
  iamcredentials: '/iamcredentials',
  generativelanguage: '/generativelanguage',
  github: '/github',
} as const;
export type Host = keyof typeof HOSTS;

/** Request headers that belong to one hop, not to the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection', 'host', 'content-length']);

function endToEnd(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export class LatencyLayer {
  readonly model: LatencyModel;
  /** Base URL of each host, e.g. `http://127.0.0.1:PORT` for oauth2 (its `/token` is the fake's `/oauth2/token`). */
  readonly urls = {} as Record<Host, string>;
  /** Connections accepted and requests forwarded so far, over all hosts. */
  connections = 0;
  requests = 0;

  private readonly fake: FakeGoogle;
  private readonly fronts: net.Server[] = [];
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  // Keep-alive towards the fake: that hop is not part of the model.
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(fake: FakeGoogle, model: LatencyModel) {
    this.fake = fake;
    this.model = model;
  }

  /** The action's `endpoints` input for these hosts. */
  get endpointsInput(): string {
    return (['oauth2', 'sts', 'iamcredentials', 'generativelanguage'] as const).map((host) => `${host}=${this.urls[host]}`).join('\n');
  }

  /** ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN for a step whose OIDC requests go through this layer. */
  get oidcEnv(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: `${this.urls.github}/oidc?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.fake.oidcRequestToken };
  }

  /** The URL, through its host, of a path of the fake such as `/sts/v1/token`. */
  urlOf(fakePath: string): string {
    for (const [host, prefix] of Object.entries(HOSTS) as [Host, string][]) {
      if (fakePath.startsWith(`${prefix}/`)) return `${this.urls[host]}${fakePath.slice(prefix.length)}`;
    }
    throw new Error(`no host serves ${fakePath}`);
  }

  /** Listens on a port per host: consecutive ports from `firstPort`, or any free ones when it is 0. */
  async listen(firstPort = 0): Promise<void> {
    for (const [index, host] of (Object.keys(HOSTS) as Host[]).entries()) {
      this.urls[host] = await this.listenHost(HOSTS[host], firstPort === 0 ? 0 : firstPort + index);
    }
    // The fake checks a JWT assertion's audience against its token URL: this host's is one too.
    this.fake.tokenUrlAliases.push(`${this.urls.oauth2}/token`);
  }

  private async listenHost(prefix: string, port: number): Promise<string> {
    const server = http.createServer((request, response) => void this.forward(prefix, request, response));
    // The handshake: the socket is not read until `connectionMs` after it was accepted, so a
    // client that opens it early (before it has a request to send) gets the overlap it earned.
    const front = net.createServer({ pauseOnConnect: true }, (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.after(this.model.connectionMs, () => {
        server.emit('connection', socket);
        socket.resume();
      });
    });
    this.servers.push(server);
    this.fronts.push(front);
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  }

  private async forward(prefix: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.requests++;
    try {
      const body = await readAll(request);
      await new Promise<void>((resolve) => this.after(this.model.requestMs, resolve));
      const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const upstream = http.request(`${this.fake.url}${prefix}${request.url ?? '/'}`, { method: request.method, headers: endToEnd(request.headers), agent: this.agent }, resolve);
        upstream.on('error', reject);
        upstream.end(body);
      });
      const answerBody = await readAll(answer);
      response.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), 'content-length': String(answerBody.length) });
      response.end(answerBody);
    } catch {
      // The fake dropped the connection (an injected fault): so does this host.
      request.socket.destroy();
    }
  }

  private after(ms: number, run: () => void): void {
    if (ms <= 0) return run();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    for (const server of this.servers) server.closeAllConnections();
    await Promise.all(this.fronts.map((front) => new Promise<void>((resolve) => front.close(() => resolve()))));
    this.agent.destroy();
  }
}

/** A latency layer in front of `fake`, listening. */
export async function startLatencyLayer(fake: FakeGoogle, model: LatencyModel, firstPort = 0): Promise<LatencyLayer> {
  const layer = new LatencyLayer(fake, model);
  await layer.listen(firstPort);
  return layer;
}
