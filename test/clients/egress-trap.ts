// A forward proxy on loopback that lets nothing through. Clients under test get
// it as HTTPS_PROXY / HTTP_PROXY (with the fake on NO_PROXY), so a request meant
// for a real Google host (or AWS, or a metadata server) ends here: it is recorded
// by host and refused at once, instead of leaving the machine or hanging on DNS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EgressTrap {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string;
  /** `host:port` of every CONNECT (https) and the absolute URL of every plain http request, in order. */
  readonly attempts: string[];
  close(): Promise<void>;
}

export async function startEgressTrap(): Promise<EgressTrap> {
  const attempts: string[] = [];
  const server: Server = createServer((request, response) => {
    attempts.push(request.url ?? '');
    response.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
    response.end('egress refused by the test harness: only loopback is allowed\n');
  });
  server.on('connect', (request, socket) => {
    attempts.push(request.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
