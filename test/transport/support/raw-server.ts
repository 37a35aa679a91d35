import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

/**
 * A raw TCP server on 127.0.0.1 that answers each HTTP request (once its head has arrived)
 * with exactly the bytes `answer(n)` returns for the n-th request (0-based), then leaves the
 * connection open unless `end` is set. For responses `node:http` refuses to write.
 */
export interface RawServer {
  readonly port: number;
  url(path?: string): string;
  /** Requests whose head arrived, across all connections. */
  readonly requests: number;
  /** Connections accepted. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startRawServer(
  answer: (request: number) => string | Buffer,
  { end = false }: { end?: boolean } = {},
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      // GET requests have no body: each blank line ends one request.
      let boundary = head.indexOf('\r\n\r\n');
      while (boundary !== -1) {
        head = head.slice(boundary + 4);
        const bytes = answer(requests++);
        if (end) socket.end(bytes);
        else socket.write(bytes);
        boundary = head.indexOf('\r\n\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: (path = '/healthz') => `http://127.0.0.1:${port}${path}`,
    get requests() {
      return requests;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      if (server.listening) await once(server, 'close');
    },
  };
}
