import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface SeenRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly userAgent: string | undefined;
  readonly connection: number;
}

/**
 * A real node:http server on 127.0.0.1 that counts what it sees: connections accepted,
 * connections closed, requests (with the connection each came on). `until()` waits on
 * those counters event by event (no polling, no sleeps).
 */
export interface ProbeServer {
  readonly port: number;
  url(path?: string): string;
  /** Replaces the behaviour for the next requests. Default: 200 with an empty body. */
  handle(handler: Handler): void;
  readonly requests: readonly SeenRequest[];
  readonly stats: { accepted: number; closed: number; inFlight: number; maxInFlight: number };
  /** Resolves once `predicate()` holds, re-checking after every connection or request event. */
  until(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startProbeServer(handler: Handler = ok(200)): Promise<ProbeServer> {
  let current = handler;
  const changes = new EventEmitter();
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  const requests: SeenRequest[] = [];
  const stats = { accepted: 0, closed: 0, inFlight: 0, maxInFlight: 0 };
  const changed = () => changes.emit('change');

  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      stats.inFlight--;
      changed();
    };
    response.on('finish', done);
    response.on('close', done);
    requests.push({
      method: request.method,
      url: request.url,
      userAgent: request.headers['user-agent'],
      connection: connectionIds.get(request.socket) ?? -1,
    });
    current(request, response);
    changed();
  });
  server.on('connection', (socket: Socket) => {
    stats.accepted++;
    connectionIds.set(socket, stats.accepted);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stats.closed++;
      changed();
    });
    changed();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: (path = '/healthz') => `http://127.0.0.1:${port}${path}`,
    handle(next) {
      current = next;
    },
    requests,
    stats,
    until(predicate) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (!predicate()) return;
          changes.off('change', check);
          resolve();
        };
        changes.on('change', check);
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      if (server.listening) await once(server, 'close');
      await new Promise<void>((resolve) => {
        if (sockets.size === 0) resolve();
        else changes.on('change', () => sockets.size === 0 && resolve());
      });
    },
  };
}

/** Answers `status` with an empty body (and `Location` for 3xx, like the Dapr traces' endpoint). */
export function ok(status: number): Handler {
  return (_request, response) => {
    const headers: Record<string, string | number> = { 'content-length': 0 };
    if (status >= 300 && status < 400) headers.location = '/target';
    response.writeHead(status, headers).end();
  };
}

/** A port that was just listening on 127.0.0.1 and now refuses connections. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
