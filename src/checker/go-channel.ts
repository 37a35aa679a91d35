const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
// A check's channel carries booleans: one shared result each, not an object per read.
const TRUE: IteratorYieldResult<boolean> = Object.freeze({ done: false, value: true });
const FALSE: IteratorYieldResult<boolean> = Object.freeze({ done: false, value: false });

// Reads of a value already there share one settled promise each (awaiting it twice is fine).
const TRUE_READ = Promise.resolve(TRUE);
const FALSE_READ = Promise.resolve(FALSE);

function readOf<T>(value: T): Promise<IteratorResult<T, undefined>> {
  if (value === true) return TRUE_READ as Promise<IteratorResult<T, undefined>>;
  if (value === false) return FALSE_READ as Promise<IteratorResult<T, undefined>>;
  return Promise.resolve({ done: false, value });
}

function resultOf<T>(value: T): IteratorYieldResult<T> {
  if (value === true) return TRUE as IteratorYieldResult<T>;
  if (value === false) return FALSE as IteratorYieldResult<T>;
  return { done: false, value };
}

/**
 * A Go `chan T` of any capacity — 0 (unbuffered: every send waits for a reader), 1 (Dapr's
 * `make(chan bool, 1)`), or `Infinity` (a callback that never blocks) — read as an async
 * iterator. Senders that find it full wait in line, first come first served, as Go's do.
 * After `close()` readers get what is buffered, then `done`; waiting senders are released and
 * their values discarded.
 *
 * @example
 * const channel = new GoChannel<boolean>(0);
 * const sent = channel.send(true); // waits
 * await channel.receive();         // { done: false, value: true }; `sent` resolves false (it waited)
 */
export class GoChannel<T> {
  readonly #capacity: number;
  readonly #buffer: T[] = [];
  readonly #senders: Array<{ value: T; release(): void }> = [];
  readonly #readers: Array<(result: IteratorResult<T, undefined>) => void> = [];
  readonly #onReceive: ((value: T) => void) | undefined;
  readonly #onDone: (() => IteratorResult<T, undefined> | Promise<never>) | undefined;
  #closed = false;

  /**
   * `onReceive` sees every value as a reader takes it; `onDone` gives what a read of the closed,
   * empty channel answers (default `{ done: true }`): a rejected promise makes that read throw.
   */
  constructor(
    capacity: number,
    onReceive?: (value: T) => void,
    onDone?: () => IteratorResult<T, undefined> | Promise<never>,
  ) {
    this.#capacity = capacity;
    this.#onReceive = onReceive;
    this.#onDone = onDone;
  }

  #doneRead(): IteratorResult<T, undefined> | Promise<never> {
    return this.#onDone === undefined ? DONE : this.#onDone();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How many values wait in the buffer. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Whether a send now would have to wait. */
  get wouldBlock(): boolean {
    return this.#readers.length === 0 && (this.#buffer.length >= this.#capacity || this.#senders.length > 0);
  }

  /** Resolves `true` when the value went in without waiting, `false` after waiting, `undefined` if closed first. */
  send(value: T): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      const at = this.offer(value, resolve);
      if (at !== false) resolve(at);
    });
  }

  /**
   * The callback form of {@link send}, for a loop that must not allocate a promise per value:
   * returns `true` when the value went in at once, `undefined` when the channel is closed, and
   * `false` when it has to wait — then `onWaited` is called once it went in (`false`) or the
   * channel closed first (`undefined`).
   */
  offer(value: T, onWaited: (result: false | undefined) => void): boolean | undefined {
    if (this.#closed) return undefined;
    const reader = this.#readers.shift();
    if (reader) {
      this.#onReceive?.(value);
      reader(resultOf(value));
      return true;
    }
    if (this.#buffer.length < this.#capacity && this.#senders.length === 0) {
      this.#buffer.push(value);
      return true;
    }
    this.#senders.push({ value, release: () => onWaited(this.#closed ? undefined : false) });
    return false;
  }

  /** Reads one value: a buffered one, else a waiting sender's, else waits. */
  receive(): Promise<IteratorResult<T, undefined>> {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      const sender = this.#senders.shift();
      if (sender) {
        this.#buffer.push(sender.value);
        sender.release();
      }
      this.#onReceive?.(value);
      return readOf(value);
    }
    const sender = this.#senders.shift();
    if (sender) {
      sender.release();
      this.#onReceive?.(sender.value);
      return readOf(sender.value);
    }
    if (this.#closed) return Promise.resolve(this.#doneRead());
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** Closes the channel: waiting readers get `done`, waiting senders are released. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sender of this.#senders.splice(0)) sender.release();
    // A reader resolved with a rejected promise rejects with it.
    for (const reader of this.#readers.splice(0)) reader(this.#doneRead() as IteratorResult<T, undefined>);
  }
}
