import type { Clock, TimerHandle } from './clock.js';
import { MAX_DURATION_MS } from './duration.js';

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
 * Calls `callback` once `clock.now >= deadline`.
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
  return new Deadline(clock, deadline, callback);
}
