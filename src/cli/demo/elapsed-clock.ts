import { type Clock, systemClock } from '../../time/clock.js';

/**
 * A clock that reads whole milliseconds since it was made, over `base`'s timers. The demo runs
 * on it so that live lines, traces and timelines say `200`, not `200.4183` or an uptime.
 * Flooring keeps deadlines honest: a timer armed for `d − now` ms on the base clock cannot
 * fire before the floored time reaches an integer deadline `d`.
 *
 * @example
 * const clock = elapsedClock();
 * clock.now; // 0
 */
export function elapsedClock(base: Clock = systemClock): Clock {
  const origin = base.now;
  return {
    get now() {
      return Math.floor(base.now - origin);
    },
    setTimeout: (callback, ms) => base.setTimeout(callback, ms),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}
