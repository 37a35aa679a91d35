import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A real upstream service on 127.0.0.1 for the proxy tests, with a few behaviours by path. */
export interface TestUpstream {
  readonly origin: string;
  readonly server: Server;
  /** Open connections to it right now. */
  readonly sockets: Set<Socket>;
  /** Requests it received, in order (method and path). */
  readonly received: string[];
  /** Sends the second chunk of `/stream` (the first goes out at once). */
  releaseStream(): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const streams: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      switch (req.url) {
        case '/ok':
        case '/healthz':
          res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
          res.end('upstream ok');
          return;
        case '/echo':
          res.writeHead(201, { 'content-type': 'text/plain' });
          res.end(
            `${req.method} ${req.headers.host} ${req.headers['x-forwarded-host']} ${Buffer.concat(chunks)}`,
          );
          return;
        case '/stream':
          // No content-length: chunked, the first chunk now, the second when the test says.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first chunk;');
          streams.push(res);
          return;
        case '/hang':
          return;
        case '/reset':
          req.socket.resetAndDestroy();
          return;
        case '/cut':
          // A head and half a body (content-length promises more), then a TCP reset.
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
          res.write('half a body', () => req.socket.resetAndDestroy());
          return;
        default:
          res.writeHead(404);
          res.end('no such path upstream');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    sockets,
    received,
    releaseStream: () => {
      for (const res of streams.splice(0)) res.end('second chunk');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on: bound, read, closed again. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
