import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a handler learns about the request besides `node:http`'s objects. */
export interface RequestInfo {
  /** 1-based number of the connection it came on (in accept order). */
  readonly connection: number;
  /** 1-based number of this request on its connection: > 1 means a reused connection. */
  readonly onConnection: number;
}

export type EventHandler = (request: IncomingMessage, response: ServerResponse, info: RequestInfo) => void;

/**
 * A real node:http server on 127.0.0.1 that writes what it sees, in order, into a log the test
 * can share with its own events: `connect 1`, `GET /healthz on 1`, `close 1`. Tests judge the
 * order of those lines (causality), never the time between them.
 */
export interface EventServer {
  readonly port: number;
  url(path?: string): string;
  /** The shared, ordered event log (the test may push its own lines too). */
  readonly log: string[];
  /** Only the `GET …` lines. */
  requests(): string[];
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Resolves once `predicate()` holds, re-checked after every server event. */
  until(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export interface EventServerOptions {
  /**
   * `node:http`'s own keep-alive timeout, ms, announced as `Keep-Alive: timeout=<s>`. Node
   * 20.20 closes an idle connection 1 s after it (a fixed buffer), so the idle close of a fast
   * test uses `idleClose`. Default 60000.
   */
  readonly keepAliveTimeout?: number;
  /**
   * Closes a connection idle this long after its last response (Node's keep-alive close,
   * without the buffer; Node's own timeout and hint are then off).
   */
  readonly idleClose?: number;
  /** Default: 200 with an empty body. */
  readonly handler?: EventHandler;
  /** Where to log; pass one array to several servers to get one order across them. */
  readonly log?: string[];
  /** Prefix of this server's log lines, e.g. `b:` (default none). */
  readonly name?: string;
}

export async function startEventServer(options: EventServerOptions = {}): Promise<EventServer> {
  const log = options.log ?? [];
  const name = options.name ?? '';
  const handler =
    options.handler ?? ((_request, response) => response.writeHead(200, { 'content-length': 0 }).end());
  const changes = new EventEmitter();
  const sockets = new Set<Socket>();
  const ids = new WeakMap<Socket, { id: number; requests: number }>();
  let accepted = 0;
  const note = (line: string) => {
    log.push(`${name}${line}`);
    changes.emit('change');
  };

  const idleClose = options.idleClose;
  const server = createServer((request, response) => {
    const socket = ids.get(request.socket) ?? { id: -1, requests: 0 };
    socket.requests++;
    if (idleClose !== undefined) {
      request.socket.setTimeout(0);
      response.once('finish', () => request.socket.setTimeout(idleClose));
    }
    note(`${request.method} ${request.url} on ${socket.id}`);
    handler(request, response, { connection: socket.id, onConnection: socket.requests });
  });
  // Set after creation: the createServer() option is not read by every Node 20 release.
  server.keepAliveTimeout = idleClose === undefined ? (options.keepAliveTimeout ?? 60_000) : 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    const id = accepted;
    ids.set(socket, { id, requests: 0 });
    sockets.add(socket);
    socket.on('error', () => {});
    // Fires only while idle (armed after each response, disarmed by each request).
    if (idleClose !== undefined) socket.on('timeout', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      note(`close ${id}`);
    });
    note(`connect ${id}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: (path = '/healthz') => `http://127.0.0.1:${port}${path}`,
    log,
    requests: () => log.filter((line) => line.startsWith(`${name}GET `)),
    get accepted() {
      return accepted;
    },
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
    },
  };
}
