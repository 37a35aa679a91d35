import type { Clock, TimerHandle } from './clock.js';

/** A cancellable timer aimed at an absolute time on a clock. */
export interface DeadlineTimer {
  cancel(): void;
}

/**
 * Calls `callback` once `clock.now >= deadline`.
 *
 * Node's timers can fire a millisecond or two early against `performance.now()`; when that
 * happens the timer is re-armed for the remainder, so callers may rely on the deadline having
 * passed. On a virtual clock the first firing is always exact.
 */
export function atDeadline(clock: Clock, deadline: number, callback: () => void): DeadlineTimer {
  let handle: TimerHandle;
  let cancelled = false;
  const arm = () => {
    const remaining = deadline - clock.now;
    handle = clock.setTimeout(fire, remaining > 0 ? Math.ceil(remaining) : 0);
  };
  const fire = () => {
    if (cancelled) return;
    if (clock.now < deadline) {
      arm();
      return;
    }
    cancelled = true;
    callback();
  };
  arm();
  return {
    cancel() {
      if (cancelled) return;
      cancelled = true;
      clock.clearTimeout(handle);
    },
  };
}
