import type { Clock, TimerHandle } from './clock.js';

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
    this.#handle = this.#clock.setTimeout(this.#fire, remaining > 0 ? Math.ceil(remaining) : 0);
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
 */
export function atDeadline(clock: Clock, deadline: number, callback: () => void): DeadlineTimer {
  return new Deadline(clock, deadline, callback);
}
