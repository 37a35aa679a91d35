import { Client, type Dispatcher } from 'undici';

/**
 * A request the pool can hold back until a connection is free: an undici dispatch handler that
 * also carries its options, tells when it was abandoned, and hands its slot back when done.
 *
 * @example
 * const request: PooledRequest = { options, abandoned: false, slot: undefined, onConnect() {}, onError() {} };
 */
export interface PooledRequest extends Dispatcher.DispatchHandler {
  /** What to send (method, path, headers). */
  readonly options: Dispatcher.DispatchOptions;
  /** True once nobody waits for the answer any more (e.g. aborted while queued). */
  readonly abandoned: boolean;
  /** The slot the request was sent on; the request hands it back through {@link OriginPool.release}. */
  slot: Slot | undefined;
}

/**
 * One keep-alive connection: an undici `Client` (it reconnects by itself after a close).
 *
 * @example
 * if (!slot.busy) slot.client.dispatch(options, handler);
 */
export interface Slot {
  readonly client: Client;
  busy: boolean;
}

/**
 * undici `Client` options for every connection of a pool.
 *
 * @example
 * const options: ConnectionOptions = { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 };
 */
export type ConnectionOptions = Client.Options;

/**
 * At most `size` keep-alive connections to one origin, one request at a time on each, in the
 * order the requests came.
 *
 * Why not undici's `Pool`: it hands a connection back only one event-loop turn after its
 * response ended (so it can notice a server that closes right after answering), and a request
 * started in between opens another connection. The checker's next probe on a stale tick starts
 * exactly then, and Dapr's fasthttp reuses the connection it just used. Here a slot is free as
 * soon as its request is done; undici's `Client` itself still waits that turn before writing
 * the next request on the same socket, so nothing is lost. It also spares the `Pool`'s
 * per-request bookkeeping (drain events, a search over every client).
 *
 * @example
 * const pool = new OriginPool('http://127.0.0.1:8080', 5, { pipelining: 1 });
 * pool.dispatch(request); // when undici is done with it: pool.release(request.slot)
 */
export class OriginPool {
  /** When the pool was last given a request, on the owner's clock (for pruning idle pools). */
  lastUsed = 0;
  readonly #origin: string;
  readonly #size: number;
  readonly #options: ConnectionOptions;
  readonly #slots: Slot[] = [];
  #queue: (PooledRequest | undefined)[] = [];
  #queueHead = 0;

  constructor(origin: string, size: number, options: ConnectionOptions) {
    this.#origin = origin;
    this.#size = size;
    this.#options = options;
  }

  /** The origin (scheme, host, port) this pool connects to. */
  get origin(): string {
    return this.#origin;
  }

  /** Nothing in flight and nothing queued: dropping the pool now loses no request. */
  get idle(): boolean {
    if (this.#queueHead !== this.#queue.length) return false;
    for (const slot of this.#slots) if (slot.busy) return false;
    return true;
  }

  /** Sends `request` on a free connection, opening one if fewer than `size` exist, else queues it. */
  dispatch(request: PooledRequest): void {
    const slots = this.#slots;
    for (let index = 0; index < slots.length; index++) {
      const slot = slots[index] as Slot;
      if (!slot.busy) {
        this.#send(slot, request);
        return;
      }
    }
    if (slots.length < this.#size) {
      const slot: Slot = { client: new Client(this.#origin, this.#options), busy: false };
      slots.push(slot);
      this.#send(slot, request);
      return;
    }
    this.#queue.push(request);
  }

  /** Called once undici is done with the request on `slot`: the next queued request goes there. */
  release(slot: Slot): void {
    slot.busy = false;
    let next = this.#shift();
    while (next?.abandoned) next = this.#shift();
    if (next !== undefined) this.#send(slot, next);
  }

  /** Destroys every connection; requests still queued get `onError(reason)`. */
  async destroy(reason: Error): Promise<void> {
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const request of queued) request?.onError?.(reason);
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => slot.client.destroy(reason)));
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
    request.slot = slot;
    slot.client.dispatch(request.options, request);
  }
}
