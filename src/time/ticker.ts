import type { Clock } from './clock.js';
import { type RearmableDeadline, rearmableDeadline } from './deadline.js';

/** One tick: the `index`-th (1-based) tick, due at `start + index * interval`. */
export interface Tick {
  readonly index: number;
  readonly due: number;
}

/** Observes what the ticker does, for traces. Times are the ticks' due times. */
export interface TickerObserver {
  /** A tick was put in the one-slot buffer (or handed straight to a waiting reader). */
  tick?(tick: Tick): void;
  /** A tick came due while the buffer was full, and was dropped. */
  drop?(tick: Tick): void;
}

interface TickWaiter {
  resolve(tick: Tick): void;
  reject(reason: unknown): void;
}

function ignore(): void {}

/**
 * A Go `time.Ticker`: ticks due at `start + k * interval` (k = 1, 2, …, no drift), a channel
 * buffer of one, and ticks that come due while the buffer is full are dropped.
 *
 * Ticks are settled lazily against the clock whenever the ticker is read: every tick due at or
 * before the instant of a read is processed *before* that read. This is Go's tie rule (the
 * ticker's runtime timer was started before anything the reader did), and it keeps virtual
 * time exact even though fake-timers fires same-instant timers in creation order.
 *
 * Any finite positive interval works, even one past 2^31−1 ms: the wait for a tick goes through
 * `rearmableDeadline` (the real clock's shared timer queue, or chained timers of a fake clock),
 * which never lets Node fire an overlong timer at once.
 *
 * @example
 * const ticker = new Ticker(clock, 100);
 * const tick = await ticker.next(); // { index: 1, due: 100 }
 */
export class Ticker {
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #start: number;
  readonly #observer: TickerObserver | undefined;
  #nextIndex = 1;
  #slot: Tick | undefined;
  #waiter: TickWaiter | undefined;
  /** The waiter of callback reads, kept while the callback stays the same (a loop's one handler). */
  #callbackWaiter: TickWaiter | undefined;
  /** One timer for every wait (on the real clock, a slot in the shared queue). */
  readonly #timer: RearmableDeadline;
  #stopped = false;
  readonly #onTimer = () => {
    this.#settle();
  };

  constructor(clock: Clock, interval: number, observer?: TickerObserver) {
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new RangeError(
        `Failed to create a ticker: the interval must be a positive number, got ${interval}.`,
      );
    }
    this.#clock = clock;
    this.#interval = interval;
    this.#start = clock.now;
    this.#observer = observer;
    this.#timer = rearmableDeadline(clock, this.#onTimer);
  }

  /** When the ticker started (ticks are due at `start + k * interval`). */
  get start(): number {
    return this.#start;
  }

  /** Whether a tick is waiting in the buffer right now (settling ticks due by now first). */
  get hasPendingTick(): boolean {
    this.#settle();
    return this.#slot !== undefined;
  }

  /**
   * Reads the channel with a callback, the checker's hot path: no promise, no await. `onTick`
   * runs at once (synchronously) when a tick is waiting, else when the next one comes due. A
   * read cut short by `stop()` never calls back. Throws if stopped or if a read is waiting.
   */
  read(onTick: (tick: Tick) => void): void {
    if (this.#stopped) throw new Error('Failed to read the ticker: it is stopped.');
    if (this.#waiter) throw new Error('Failed to read the ticker: a read is already waiting.');
    this.#settle();
    const waiting = this.#slot;
    if (waiting) {
      this.#slot = undefined;
      onTick(waiting);
      return;
    }
    let waiter = this.#callbackWaiter;
    if (waiter?.resolve !== onTick) {
      waiter = { resolve: onTick, reject: ignore };
      this.#callbackWaiter = waiter;
    }
    this.#wait(waiter);
  }

  /**
   * Reads the channel: takes the waiting tick at once if there is one, else waits for the next.
   * Rejects with `signal.reason` if the signal aborts, or an error if the ticker is stopped.
   */
  next(signal?: AbortSignal): Promise<Tick> {
    if (this.#stopped) return Promise.reject(new Error('Failed to read the ticker: it is stopped.'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiter)
      return Promise.reject(new Error('Failed to read the ticker: a read is already waiting.'));
    this.#settle();
    const waiting = this.#slot;
    if (waiting) {
      this.#slot = undefined;
      return Promise.resolve(waiting);
    }
    return new Promise<Tick>((resolve, reject) => {
      if (signal) {
        const onAbort = () => {
          this.#clearWaiter();
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.#waiter = {
          resolve: (tick) => {
            signal.removeEventListener('abort', onAbort);
            resolve(tick);
          },
          reject: (reason) => {
            signal.removeEventListener('abort', onAbort);
            reject(reason);
          },
        };
      } else {
        this.#waiter = { resolve, reject };
      }
      this.#timer.arm(this.#due(this.#nextIndex));
    });
  }

  #wait(waiter: TickWaiter): void {
    this.#waiter = waiter;
    this.#timer.arm(this.#due(this.#nextIndex));
  }

  /** Stops the ticker: no more ticks, a waiting read rejects, no timer is left. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const waiter = this.#waiter;
    this.#clearWaiter();
    this.#slot = undefined;
    waiter?.reject(new Error('Failed to read the ticker: it was stopped.'));
  }

  #due(index: number): number {
    return this.#start + index * this.#interval;
  }

  /** Processes, in order, every tick due by now: hand to a waiting reader, fill the slot, or drop. */
  #settle(): void {
    if (this.#stopped) return;
    const now = this.#clock.now;
    if (this.#due(this.#nextIndex) > now) return;
    const last = this.#lastDueIndex(now);
    const observer = this.#observer;
    // A waiting reader is handed its tick only once every due tick is settled: a callback
    // reader may read again at once, and must find the ticker consistent.
    let handedTo: TickWaiter | undefined;
    let handed: Tick | undefined;
    // Without an observer, the dropped ticks need not be visited one by one.
    for (let index = this.#nextIndex; index <= last; index++) {
      const tick: Tick = { index, due: this.#due(index) };
      if (this.#waiter && this.#slot === undefined) {
        handedTo = this.#waiter;
        handed = tick;
        this.#clearWaiter();
        observer?.tick?.(tick);
      } else if (this.#slot === undefined) {
        this.#slot = tick;
        observer?.tick?.(tick);
      } else if (observer?.drop) {
        observer.drop(tick);
      } else {
        break;
      }
    }
    this.#nextIndex = last + 1;
    if (handedTo !== undefined) handedTo.resolve(handed as Tick);
  }

  #lastDueIndex(now: number): number {
    let index = Math.max(this.#nextIndex, Math.floor((now - this.#start) / this.#interval));
    // Floating-point guard: make `index` the largest one due by `now`.
    while (this.#due(index + 1) <= now) index++;
    while (index > this.#nextIndex && this.#due(index) > now) index--;
    return index;
  }

  #clearWaiter(): void {
    this.#waiter = undefined;
    this.#timer.cancel();
  }
}
