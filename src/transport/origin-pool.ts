import { Client, type Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { IdleConnectionRule } from './client-rules.js';

/**
 * A request the pool can hold back until a connection is free: an undici dispatch handler that
 * also carries its options, tells when it was abandoned, and hands its slot back when done.
 *
 * @example
 * const request: PooledRequest = { options, abandoned: false, sent: false, slot: undefined, failUnsent() {}, onConnect() {}, onError() {} };
 */
export interface PooledRequest extends Dispatcher.DispatchHandler {
  /** What to send (method, path, headers). */
  readonly options: Dispatcher.DispatchOptions;
  /** True once nobody waits for the answer any more (e.g. aborted while queued). */
  readonly abandoned: boolean;
  /** True once undici has started writing it (its `onConnect` ran). */
  readonly sent: boolean;
  /** The slot the request was sent on; the request hands it back through {@link OriginPool.release}. */
  slot: Slot | undefined;
  /**
   * The pool will not send it: the keep-alive connection it would take was closed by the
   * server while idle (`idleConnections: 'no-retry'`). Settles the request as failed.
   */
  failUnsent(): void;
}

/**
 * One keep-alive connection: an undici `Client` (it reconnects by itself after a close), and
 * what the pool knows about the connection it holds now.
 *
 * @example
 * if (!slot.busy) slot.client.dispatch(options, handler);
 */
export interface Slot {
  readonly client: Client;
  busy: boolean;
  /** The request on it now (undefined while idle). */
  request: PooledRequest | undefined;
  /** Responses completed on its current connection: > 0 means the next request reuses it. */
  served: number;
  /** The server closed its kept-alive connection while idle, and no probe has met that yet. */
  deadIdle: boolean;
  /** When it was last handed back (the pool's clock), for fasthttp's idle-connection expiry. */
  idleSince: number;
  /** The error its last request failed with: the close that follows is not an idle close. */
  lastFailure: unknown;
}

/**
 * undici `Client` options for every connection of a pool.
 *
 * @example
 * const options: ConnectionOptions = { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 };
 */
export type ConnectionOptions = Client.Options;

/**
 * How a pool treats idle connections (see {@link IdleConnectionRule}).
 *
 * @example
 * const rules: PoolRules = { idleConnections: 'no-retry', idleTimeout: 10_000, clock: systemClock };
 */
export interface PoolRules {
  readonly idleConnections: IdleConnectionRule;
  /** fasthttp's `MaxIdleConnDuration`: a connection idle longer than this was dropped by the client itself. */
  readonly idleTimeout: number;
  readonly clock: Pick<Clock, 'now'>;
}

/** undici's code for closes it made itself (idle timeout, `Connection: close`, an aborted request). */
const OWN_CLOSE = 'UND_ERR_INFO';

function isOwnClose(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === OWN_CLOSE;
}

/**
 * At most `size` keep-alive connections to one origin, one request at a time on each, in the
 * order the requests came; an idle connection is taken most recently used first (LIFO), as
 * fasthttp's `acquireConn` and Go's `getIdleConn` do, and a new connection opens only when no
 * idle one is left.
 *
 * Why not undici's `Pool`: it hands a connection back only one event-loop turn after its
 * response ended (so it can notice a server that closes right after answering), and a request
 * started in between opens another connection. The checker's next probe on a stale tick starts
 * exactly then, and Dapr's fasthttp reuses the connection it just used. Here a slot is free as
 * soon as its request is done; undici's `Client` itself still waits that turn before writing
 * the next request on the same socket, so nothing is lost. It also spares the `Pool`'s
 * per-request bookkeeping (drain events, a search over every client).
 *
 * With `idleConnections: 'no-retry'` the pool also remembers a connection the server closed
 * while it sat idle: undici notices the FIN and would reconnect silently, fasthttp does not
 * read idle connections and writes the next request to the dead one. The probe that takes
 * such a slot fails unsent instead ({@link PooledRequest.failUnsent}).
 *
 * @example
 * const pool = new OriginPool('http://127.0.0.1:8080', 5, { pipelining: 1 }, rules);
 * pool.dispatch(request); // when undici is done with it: pool.release(request.slot)
 */
export class OriginPool {
  /**
   * When the pool was last given a request or handed a connection back, on the owner's clock
   * (for pruning idle pools; fasthttp counts a connection's idle time from its release).
   */
  lastUsed = 0;
  readonly #origin: string;
  readonly #size: number;
  readonly #options: ConnectionOptions;
  readonly #rules: PoolRules;
  readonly #markDeadIdle: boolean;
  readonly #slots: Slot[] = [];
  /** Free slots, the most recently released last; slots without a connection at the bottom. */
  readonly #idle: Slot[] = [];
  #queue: (PooledRequest | undefined)[] = [];
  #queueHead = 0;

  constructor(origin: string, size: number, options: ConnectionOptions, rules: PoolRules) {
    this.#origin = origin;
    this.#size = size;
    this.#options = options;
    this.#rules = rules;
    this.#markDeadIdle = rules.idleConnections === 'no-retry';
  }

  /** The origin (scheme, host, port) this pool connects to. */
  get origin(): string {
    return this.#origin;
  }

  /** Nothing in flight and nothing queued: dropping the pool now loses no request. */
  get idle(): boolean {
    return this.#queueHead === this.#queue.length && this.#idle.length === this.#slots.length;
  }

  /**
   * Sends `request` on the most recently used free connection, opening one if none is free and
   * fewer than `size` exist, else queues it. Under `'no-retry'`, a free connection the server
   * closed while idle fails the request unsent instead.
   */
  dispatch(request: PooledRequest): void {
    const slot = this.#takeIdle();
    if (slot === null) {
      request.failUnsent();
      return;
    }
    if (slot !== undefined) {
      this.#send(slot, request);
      return;
    }
    if (this.#slots.length < this.#size) {
      this.#send(this.#open(), request);
      return;
    }
    this.#queue.push(request);
  }

  /**
   * Called once undici is done with the request on `slot` (`failure` is the error it ended
   * with, if any): the next queued request goes there, or the slot waits on top of the idle stack.
   */
  release(slot: Slot, failure?: unknown): void {
    slot.busy = false;
    slot.request = undefined;
    slot.lastFailure = failure;
    if (failure === undefined) slot.served++;
    let next = this.#shift();
    while (next?.abandoned) next = this.#shift();
    if (next !== undefined) {
      this.#send(slot, next);
      return;
    }
    const now = this.#rules.clock.now;
    slot.idleSince = now;
    this.lastUsed = now;
    this.#idle.push(slot);
  }

  /** Destroys every connection; requests still queued get `onError(reason)`. */
  async destroy(reason: Error): Promise<void> {
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const request of queued) request?.onError?.(reason);
    this.#idle.length = 0;
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => slot.client.destroy(reason)));
  }

  /**
   * The most recently used free slot; undefined if none; null if the one to take was closed
   * by the server while idle (its mark is consumed, fasthttp fails the request on it).
   */
  #takeIdle(): Slot | undefined | null {
    const idle = this.#idle;
    for (;;) {
      const slot = idle.pop();
      if (slot === undefined || !slot.deadIdle) return slot;
      slot.deadIdle = false;
      // Its connection is gone: a new one opens on this slot only when no other idle one is left.
      idle.unshift(slot);
      // fasthttp's connsCleaner drops a connection idle longer than MaxIdleConnDuration
      // (strictly longer, from its last release), so that one is never written to.
      if (this.#rules.clock.now - slot.idleSince > this.#rules.idleTimeout) continue;
      return null;
    }
  }

  #open(): Slot {
    const client = new Client(this.#origin, this.#options);
    const slot: Slot = {
      client,
      busy: false,
      request: undefined,
      served: 0,
      deadIdle: false,
      idleSince: 0,
      lastFailure: undefined,
    };
    client.on('connect', () => {
      slot.served = 0;
    });
    client.on('disconnect', (_origin: unknown, _targets: unknown, error: unknown) =>
      this.#disconnected(slot, error),
    );
    this.#slots.push(slot);
    return slot;
  }

  /** A slot's connection closed: note what fasthttp would not have noticed, and reorder. */
  #disconnected(slot: Slot, error: unknown): void {
    const kept = slot.served > 0 && !isOwnClose(error);
    slot.served = 0;
    if (slot.busy) {
      // The server closed a kept-alive connection while our request waited to be written
      // (undici validates an idle socket for one turn first): undici would send it on a new
      // connection, fasthttp writes it to the closed one.
      const request = slot.request;
      if (this.#markDeadIdle && kept && request !== undefined && !request.sent) request.failUnsent();
      return;
    }
    if (this.#markDeadIdle && kept && error !== slot.lastFailure) {
      // Keeps its place in the stack: it is the connection fasthttp would take next.
      slot.deadIdle = true;
      return;
    }
    const index = this.#idle.indexOf(slot);
    if (index > 0) {
      this.#idle.splice(index, 1);
      this.#idle.unshift(slot);
    }
  }

  #shift(): PooledRequest | undefined {
    if (this.#queueHead === this.#queue.length) return undefined;
    const next = this.#queue[this.#queueHead];
    this.#queue[this.#queueHead++] = undefined;
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
    return next;
  }

  #send(slot: Slot, request: PooledRequest): void {
    slot.busy = true;
    slot.request = request;
    request.slot = slot;
    slot.client.dispatch(request.options, request);
  }
}
