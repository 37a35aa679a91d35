import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { MAX_DURATION_MS } from './duration.js';
import { QueuedTimer, TimerQueue } from './timer-queue.js';

/** A cancellable timer aimed at an absolute time on a clock. */
export interface DeadlineTimer {
  cancel(): void;
}

class Deadline implements DeadlineTimer {
  readonly #clock: Clock;
  readonly #deadline: number;
  readonly #callback: () => void;
  #handle: TimerHandle;
  #done = false;
  readonly #fire = () => {
    if (this.#done) return;
    if (this.#clock.now < this.#deadline) {
      this.#arm();
      return;
    }
    this.#done = true;
    this.#callback();
  };

  constructor(clock: Clock, deadline: number, callback: () => void) {
    this.#clock = clock;
    this.#deadline = deadline;
    this.#callback = callback;
    this.#arm();
  }

  #arm(): void {
    const remaining = this.#deadline - this.#clock.now;
    // A longer wait is chained: Node (and fake-timers) would fire it after 1 ms instead.
    const delay = remaining > 0 ? Math.min(Math.ceil(remaining), MAX_DURATION_MS) : 0;
    this.#handle = this.#clock.setTimeout(this.#fire, delay);
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#clock.clearTimeout(this.#handle);
  }
}

/**
 * Calls `callback` once `clock.now >= deadline`. On the real clock ({@link systemClock}) the
 * timer is an entry in the process's shared `TimerQueue` (one Node timer for all of them); on
 * any other clock, a timer of that clock.
 *
 * Node's timers can fire a millisecond or two early against `performance.now()`; when that
 * happens the timer is re-armed for the remainder, so callers may rely on the deadline having
 * passed. On a virtual clock the first firing is always exact.
 *
 * A deadline more than {@link MAX_DURATION_MS} away is reached through a chain of timers of at
 * most that length (one pending at a time), so any wait is safe here, even though a single
 * `setTimeout` that long would fire at once. An infinite deadline never fires.
 *
 * @example
 * const timer = atDeadline(clock, clock.now + 250, () => console.log('due'));
 * timer.cancel(); // changed our mind: nothing fires, no timer is left
 */
export function atDeadline(clock: Clock, deadline: number, callback: () => void): DeadlineTimer {
  if (clock !== systemClock) return new Deadline(clock, deadline, callback);
  // The real clock: one entry in the shared queue rather than a Node timer of its own (a
  // server's per-request timeouts are mostly cancelled, and a heap entry is cheaper to drop).
  const timer = new QueuedDeadline(callback);
  timer.arm(deadline);
  return timer;
}

/** A deadline timer armed again and again for new deadlines: one per loop, not one per wait. */
export interface RearmableDeadline {
  /** Aims at `deadline` (cancelling the previous aim): the callback runs once `clock.now >= deadline`. */
  arm(deadline: number): void;
  cancel(): void;
}

/** The real clock's deadlines share one Node timer (see `TimerQueue`); made on first use (clock.ts imports this module). */
let systemQueue: TimerQueue | undefined;

function queueOfSystemClock(): TimerQueue {
  // The world: tests may swap the global timers for fake ones and back (vi.useFakeTimers()).
  systemQueue ??= new TimerQueue(systemClock, { world: () => globalThis.setTimeout });
  return systemQueue;
}

/** An entry of the real clock's queue, armed once (`atDeadline`) or again and again. */
class QueuedDeadline extends QueuedTimer implements RearmableDeadline, DeadlineTimer {
  arm(deadline: number): void {
    queueOfSystemClock().add(this, deadline);
  }

  cancel(): void {
    queueOfSystemClock().remove(this);
  }
}

class ChainedDeadline implements RearmableDeadline {
  readonly #clock: Clock;
  readonly #callback: () => void;
  #current: DeadlineTimer | undefined;

  constructor(clock: Clock, callback: () => void) {
    this.#clock = clock;
    this.#callback = callback;
  }

  arm(deadline: number): void {
    this.#current?.cancel();
    this.#current = atDeadline(this.#clock, deadline, this.#callback);
  }

  cancel(): void {
    this.#current?.cancel();
    this.#current = undefined;
  }
}

/**
 * A deadline timer for a loop that waits again and again (a ticker, a probe's timeout): `arm`
 * aims it, `cancel` stops it; the callback runs once per arm, once `clock.now >= deadline`.
 *
 * On the real clock ({@link systemClock}) every such timer of the process shares one Node
 * timer through a heap, and arming allocates nothing; on any other clock (fake-timers) each
 * arm is an {@link atDeadline}, so virtual time orders timers exactly as before.
 *
 * @example
 * const timeout = rearmableDeadline(clock, () => console.log('late'));
 * timeout.arm(clock.now + 1000);
 * timeout.cancel();
 */
export function rearmableDeadline(clock: Clock, callback: () => void): RearmableDeadline {
  return clock === systemClock ? new QueuedDeadline(callback) : new ChainedDeadline(clock, callback);
}
