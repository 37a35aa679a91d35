import { channel } from 'node:diagnostics_channel';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../../time/clock.js';
import { type ParseFailure, ResponseParser } from './response-parser.js';

/**
 * One probe as a connection sees it: the bytes to write and where the answer goes. Implemented
 * by the transport's probe object, so a probe costs no closures.
 *
 * @example
 * const request: RawRequest = probe; // pool.dispatch(request)
 */
export interface RawRequest {
  /** The whole request, encoded once per URL. */
  readonly bytes: Buffer;
  /** Decode `Location` (redirects are followed). */
  readonly wantLocation: boolean;
  /** True once nobody waits for the answer (aborted while queued): the pool skips it. */
  readonly abandoned: boolean;
  /** Set by the pool when it is written: the connection it is on (undefined again when done). */
  connection: RawConnection | undefined;
  /** The connection had answered before (Go's `pc.isReused()`). */
  reused: boolean;
  onHead(status: number, location: string | undefined): void;
  /** Returns false to drop the connection (the body is over the cap). */
  onBody(bytes: number): boolean;
  /** The response is complete (the connection is already handed back). */
  onEnd(): void;
  /** The connection was dropped on the request's own word ({@link RawRequest.onBody} said stop). */
  onDropped(): void;
  /** The request failed: a socket error, a close before the answer ended, or unparsable bytes. */
  onFail(error: Error): void;
  /** Never written: the idle connection it would take was closed by the server (`'no-retry'`). */
  failUnsent(): void;
}

/**
 * Where and how a pool connects.
 *
 * @example
 * const endpoint: RawEndpoint = { host: '127.0.0.1', port: 8080, tls: undefined };
 */
export interface RawEndpoint {
  readonly host: string;
  readonly port: number;
  /** `tls.connect` options for an https:// origin; undefined for plain HTTP. */
  readonly tls: tls.ConnectionOptions | undefined;
}

/**
 * How a pool treats idle connections (the same rules as the undici engine's pool).
 *
 * @example
 * const rules: RawPoolRules = { deadIdleFails: true, idleTimeout: 10_000, clock: systemClock };
 */
export interface RawPoolRules {
  /** `idleConnections: 'no-retry'`: a connection the server closed while idle fails the next probe. */
  readonly deadIdleFails: boolean;
  readonly idleTimeout: number;
  readonly clock: Pick<Clock, 'now'>;
}

/** Every plain socket reads into this; safe to share because each read is parsed before the next. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

// Tests (and anyone curious) count connections and requests here, as undici's own channels do.
const connectChannel = channel('probekit:raw:connect');
const requestChannel = channel('probekit:raw:request');

/**
 * The socket closed before the response was complete. The code is the one probekit uses for
 * `closed` (there is no socket error behind it: the stream simply ended).
 */
function closedError(started: boolean): Error {
  return Object.assign(
    new Error(started ? 'the server closed the connection mid-response' : 'the server closed the connection'),
    { code: 'ECONNCLOSED' },
  );
}

/**
 * One keep-alive connection: a `net.Socket` (or TLS socket) and the parser of its answers.
 * It carries one request at a time and is handed back to its pool when the answer ends.
 *
 * @example
 * const connection = new RawConnection(pool, endpoint);
 * connection.send(request);
 */
export class RawConnection extends ResponseParser {
  readonly socket: Socket;
  request: RawRequest | undefined = undefined;
  /** Responses completed on it: > 0 means the next request reuses it. */
  served = 0;
  /** When it was last handed back (the pool's clock). */
  idleSince = 0;
  /** Closed (by either side); its pool accounting is done by whoever noticed first. */
  closed = false;
  /** Closed by the server while idle after it had answered (`'no-retry'` fails the next probe). */
  deadIdle = false;
  readonly #pool: RawPool;

  constructor(pool: RawPool, endpoint: RawEndpoint) {
    super();
    this.#pool = pool;
    let socket: Socket;
    if (endpoint.tls === undefined) {
      // Reads land in one shared buffer and are parsed at once: no Buffer per read and no
      // readable-stream machinery (the parser copies the rare head split across reads).
      const onread = {
        buffer: READ_BUFFER,
        callback: (length: number, buffer: Uint8Array): boolean => {
          this.#data((buffer as Buffer).subarray(0, length));
          return true;
        },
      };
      socket = net.connect({ host: endpoint.host, port: endpoint.port, noDelay: true, onread });
    } else {
      socket = tls.connect({ ...endpoint.tls, host: endpoint.host, port: endpoint.port });
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => this.#data(chunk));
    }
    this.socket = socket;
    socket.on('end', () => this.#gone(undefined));
    socket.on('error', (error: Error) => this.#gone(error));
    socket.on('close', () => this.#gone(undefined));
    if (connectChannel.hasSubscribers) connectChannel.publish({ endpoint });
  }

  /** Writes `request` (the connection is free). */
  send(request: RawRequest): void {
    this.request = request;
    request.connection = this;
    request.reused = this.served > 0;
    this.startResponse(request.wantLocation);
    this.socket.ref();
    this.socket.write(request.bytes);
    if (requestChannel.hasSubscribers) requestChannel.publish({ bytes: request.bytes });
  }

  /** Drops the connection on our own account (abort, cap, expiry); its request is forgotten. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.request = undefined;
    this.socket.destroy();
  }

  /** Its request was abandoned (aborted): the connection goes too, the pool opens another. */
  abort(): void {
    if (this.closed) return;
    this.destroy();
    this.#pool.lost(this);
  }

  protected onResponseHead(status: number, location: string | undefined): void {
    this.request?.onHead(status, location);
  }

  protected onResponseBody(bytes: number): boolean {
    const request = this.request;
    if (request === undefined || request.onBody(bytes)) return true;
    // The rest of the body is still on the wire: this connection cannot carry another request.
    this.destroy();
    this.#pool.lost(this);
    request.onDropped();
    return false;
  }

  protected onResponseEnd(keepAlive: boolean): void {
    const request = this.request;
    this.request = undefined;
    if (request === undefined) return;
    request.connection = undefined;
    this.served++;
    if (keepAlive && this.#pool.reuse) {
      this.#pool.release(this);
    } else {
      this.destroy();
      this.#pool.lost(this);
    }
    request.onEnd();
  }

  #data(chunk: Buffer): void {
    if (this.closed) return;
    if (this.request === undefined) {
      // Bytes nobody asked for: whatever the server meant, the connection is not usable.
      this.destroy();
      this.#pool.closedWhileIdle(this);
      return;
    }
    const fault = this.parse(chunk);
    if (fault !== undefined) this.#fail(parseError(fault));
  }

  /** The first of `end`, `error`, `close` from the socket (later ones find it closed). */
  #gone(error: Error | undefined): void {
    if (this.closed) return;
    const request = this.request;
    if (request !== undefined && error === undefined && this.parseEnd()) return;
    if (request === undefined) {
      this.closed = true;
      this.socket.destroy();
      this.#pool.closedWhileIdle(this);
      return;
    }
    this.#fail(error ?? closedError(this.responseStarted));
  }

  #fail(error: Error): void {
    const request = this.request;
    this.destroy();
    this.#pool.lost(this);
    if (request !== undefined) {
      request.connection = undefined;
      request.onFail(error);
    }
  }
}

function parseError(fault: ParseFailure): Error {
  return Object.assign(new Error(fault.detail), { code: fault.code });
}

/**
 * At most `size` connections to one origin, one request at a time on each, in the order the
 * requests came; an idle connection is taken most recently used first (LIFO), as fasthttp's
 * `acquireConn` does, and a new one opens only when none is idle. The same rules as the undici
 * engine's `OriginPool`, without its bookkeeping for undici's reconnecting clients.
 *
 * Idle connections expire lazily: one idle longer than `idleTimeout` is closed when the pool
 * next looks at it (fasthttp's cleaner would have closed it), so the pool sets no timer.
 *
 * @example
 * const pool = new RawPool('http://127.0.0.1:8080', endpoint, 5, true, rules);
 * pool.dispatch(request);
 */
export class RawPool {
  /** When the pool was last given a request or handed a connection back (the owner's clock). */
  lastUsed = 0;
  readonly origin: string;
  /** Whether connections are kept for the next request (`reuseConnections`). */
  readonly reuse: boolean;
  readonly #endpoint: RawEndpoint;
  readonly #size: number;
  readonly #rules: RawPoolRules;
  readonly #all = new Set<RawConnection>();
  /** Free connections, the most recently released last (dead ones keep their place). */
  readonly #idle: RawConnection[] = [];
  #queue: (RawRequest | undefined)[] = [];
  #queueHead = 0;

  constructor(origin: string, endpoint: RawEndpoint, size: number, reuse: boolean, rules: RawPoolRules) {
    this.origin = origin;
    this.#endpoint = endpoint;
    this.#size = size;
    this.reuse = reuse;
    this.#rules = rules;
  }

  /** Nothing in flight and nothing queued: dropping the pool now loses no request. */
  get idle(): boolean {
    return this.#queueHead === this.#queue.length && this.#idle.length === this.#all.size;
  }

  /**
   * Writes `request` on the most recently used free connection, opening one if none is free
   * and fewer than `size` exist, else queues it. Under `'no-retry'`, a free connection the
   * server closed while idle fails the request unsent instead (and is forgotten).
   */
  dispatch(request: RawRequest): void {
    const idle = this.#idle;
    const now = this.#rules.clock.now;
    for (;;) {
      const connection = idle.pop();
      if (connection === undefined) break;
      // fasthttp's cleaner drops a connection idle longer than MaxIdleConnDuration (strictly).
      const expired = now - connection.idleSince > this.#rules.idleTimeout;
      if (connection.closed) {
        this.#all.delete(connection);
        if (connection.deadIdle && !expired) {
          request.failUnsent();
          return;
        }
        continue;
      }
      if (expired) {
        connection.destroy();
        this.#all.delete(connection);
        continue;
      }
      connection.send(request);
      return;
    }
    if (this.#all.size < this.#size) {
      this.#open().send(request);
      return;
    }
    this.#queue.push(request);
  }

  /** A connection finished its request and may carry another. */
  release(connection: RawConnection): void {
    const next = this.#next();
    if (next !== undefined) {
      connection.send(next);
      return;
    }
    const now = this.#rules.clock.now;
    connection.idleSince = now;
    this.lastUsed = now;
    // An idle keep-alive socket must not keep the process alive (undici unrefs them too).
    connection.socket.unref();
    this.#idle.push(connection);
  }

  /** A busy connection is gone (failed, aborted, or not reusable): the next request gets a new one. */
  lost(connection: RawConnection): void {
    this.#all.delete(connection);
    const next = this.#next();
    if (next !== undefined) this.#open().send(next);
  }

  /** The server closed an idle connection (or sent bytes nobody asked for). */
  closedWhileIdle(connection: RawConnection): void {
    if (this.#rules.deadIdleFails && connection.served > 0) {
      // fasthttp does not watch idle connections: it would write the next request to this one.
      connection.deadIdle = true;
      return;
    }
    const index = this.#idle.indexOf(connection);
    if (index >= 0) this.#idle.splice(index, 1);
    this.#all.delete(connection);
  }

  /** Destroys every connection; their requests and the queued ones fail with `reason`. */
  async destroy(reason: Error): Promise<void> {
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    this.#idle.length = 0;
    const closing: Promise<void>[] = [];
    for (const connection of this.#all) {
      const request = connection.request;
      const socket = connection.socket;
      if (!socket.closed) closing.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
      connection.destroy();
      if (request !== undefined) {
        request.connection = undefined;
        request.onFail(reason);
      }
    }
    this.#all.clear();
    for (const request of queued) request?.onFail(reason);
    await Promise.all(closing);
  }

  #open(): RawConnection {
    const connection = new RawConnection(this, this.#endpoint);
    this.#all.add(connection);
    return connection;
  }

  #next(): RawRequest | undefined {
    for (;;) {
      if (this.#queueHead === this.#queue.length) return undefined;
      const next = this.#queue[this.#queueHead];
      this.#queue[this.#queueHead++] = undefined;
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
      }
      if (next !== undefined && !next.abandoned) return next;
    }
  }
}
