import { GoChannel } from './go-channel.js';

/**
 * A Go `chan T` with a buffer of one, read as an async iterator: Dapr's `make(chan bool, 1)`.
 *
 * `send` resolves once the value is in the buffer (or handed to a waiting reader); when the
 * buffer is full it waits for a read — this is the back-pressure that blocks Dapr's loop.
 * After `close()`, readers still get the value already buffered, then `done` (a closed Go
 * channel); a sender still blocked is released and its value discarded.
 *
 * @example
 * const channel = new BufferedChannel<boolean>();
 * await channel.send(true); // true: it went in without waiting
 * channel.full;             // true
 */
export class BufferedChannel<T> extends GoChannel<T> {
  constructor(onReceive?: (value: T) => void, onDone?: () => IteratorResult<T, undefined> | Promise<never>) {
    super(1, onReceive, onDone);
  }

  /** Whether a value is waiting in the buffer. */
  get full(): boolean {
    return this.buffered > 0;
  }
}
