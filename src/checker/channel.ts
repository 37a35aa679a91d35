/**
 * A Go `chan T` with a buffer of one, read as an async iterator.
 *
 * `send` resolves once the value is in the buffer (or handed to a waiting reader); when the
 * buffer is full it waits for a read — this is the back-pressure that blocks Dapr's loop.
 * After `close()`, readers still get the value already buffered, then `done` (a closed Go
 * channel); a sender still blocked is released and its value discarded.
 */
export class BufferedChannel<T> {
  #buffer: { value: T } | undefined;
  #blockedSender: { value: T; release(): void } | undefined;
  readonly #readers: Array<(result: IteratorResult<T, undefined>) => void> = [];
  #closed = false;
  readonly #onReceive: ((value: T) => void) | undefined;

  constructor(onReceive?: (value: T) => void) {
    this.#onReceive = onReceive;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a value is waiting in the buffer. */
  get full(): boolean {
    return this.#buffer !== undefined;
  }

  /**
   * Puts `value` in the channel. Resolves `true` when it went in without waiting, `false` after
   * it had to wait for a reader, and `undefined` if the channel closed before it went in.
   */
  send(value: T): Promise<boolean | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const reader = this.#readers.shift();
    if (reader) {
      this.#deliver(reader, value);
      return Promise.resolve(true);
    }
    if (this.#buffer === undefined) {
      this.#buffer = { value };
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.#blockedSender = {
        value,
        release: () => resolve(this.#closed ? undefined : false),
      };
    });
  }

  /** Reads one value: the buffered one at once, else waits for a send or `close()`. */
  receive(): Promise<IteratorResult<T, undefined>> {
    const buffered = this.#buffer;
    if (buffered) {
      this.#buffer = undefined;
      const sender = this.#blockedSender;
      if (sender) {
        this.#blockedSender = undefined;
        this.#buffer = { value: sender.value };
        sender.release();
      }
      this.#onReceive?.(buffered.value);
      return Promise.resolve({ done: false, value: buffered.value });
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** Closes the channel: waiting readers get `done`, a blocked sender is released. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const sender = this.#blockedSender;
    this.#blockedSender = undefined;
    sender?.release();
    for (const reader of this.#readers.splice(0)) reader({ done: true, value: undefined });
  }

  #deliver(reader: (result: IteratorResult<T, undefined>) => void, value: T): void {
    this.#onReceive?.(value);
    reader({ done: false, value });
  }
}
