import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { HealthzServer, ListeningAddress, Logger } from '../../../src/healthz/index.js';

/** A test-owned socket to 127.0.0.1 that records everything it receives. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything received so far (latin1, so bytes map to chars). */
  received(): string;
  /**
   * Resolves once `text` has arrived, or `until(received)` holds (rejects when the socket
   * closes first).
   */
  waitFor(until: string | ((received: string) => boolean)): Promise<string>;
  /** Resolves with everything received once the server has closed the connection. */
  closed(): Promise<string>;
  write(text: string): void;
  destroy(): void;
}

/** Opens a raw TCP connection to 127.0.0.1:port. */
export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let buffer = '';
  let ended = false;
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (const wake of waiters) wake();
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      ended = true;
      for (const wake of waiters) wake();
      resolve(buffer);
    }),
  );
  await once(socket, 'connect');
  return {
    socket,
    received: () => buffer,
    waitFor(until) {
      const done = typeof until === 'string' ? (text: string) => text.includes(until) : until;
      return new Promise((resolve, reject) => {
        const check = () => {
          if (done(buffer)) {
            waiters.delete(check);
            resolve(buffer);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`connection closed early; got ${JSON.stringify(buffer)}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    closed: () => closed,
    write: (text) => socket.write(text, 'latin1'),
    destroy: () => socket.destroy(),
  };
}

/** Sends `request` on a fresh connection and resolves with the raw bytes once the server closes it. */
export async function exchange(port: number, request: string): Promise<string> {
  const client = await rawClient(port);
  client.write(request);
  return client.closed();
}

/** One HTTP/1.1 GET with `Connection: close`. */
export function closingGet(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
}

/** Splits a raw response into its status line, header pairs (in order) and body. */
export function parseRaw(raw: string): {
  statusLine: string;
  headers: Array<[string, string]>;
  body: string;
} {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).split('\r\n');
  const headers = head.slice(1).map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { statusLine: head[0] ?? '', headers, body: raw.slice(end + 4) };
}

/** Records log lines. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), error: (m) => lines.push(`error: ${m}`) };
}

/** A running `run()`: its address, the abort controller and the promise it returned. */
export interface Running {
  address: ListeningAddress;
  controller: AbortController;
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Calls `run()` on 127.0.0.1, port 0, and resolves once it listens. `onListening` must be
 * wired to `listening.resolve` by the caller's factory (see `startRun`).
 */
export async function startRun(
  make: (onListening: (address: ListeningAddress) => void) => HealthzServer,
): Promise<Running & { server: HealthzServer }> {
  let onListening!: (address: ListeningAddress) => void;
  const listening = new Promise<ListeningAddress>((resolve) => {
    onListening = resolve;
  });
  const server = make(onListening);
  const controller = new AbortController();
  const done = server.run(controller.signal, 0, '127.0.0.1');
  const address = await Promise.race([
    listening,
    done.then(() => Promise.reject(new Error('run() ended early'))),
  ]);
  return {
    server,
    address,
    controller,
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Mounts a listener in a plain node:http server on 127.0.0.1 and returns its base URL. */
export async function mount(
  listener: RequestListener,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
