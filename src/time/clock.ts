import { atDeadline } from './deadline.js';

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The only way probekit waits or reads the time.
 *
 * It is a subset of the clock returned by `@sinonjs/fake-timers`' `createClock()`, so that
 * object can be passed as-is (nothing installed globally) to run everything in virtual time.
 *
 * @example
 * import FakeTimers from '@sinonjs/fake-timers';
 * const clock: Clock = FakeTimers.createClock(0);
 */
export interface Clock {
  /** Milliseconds on this clock's time axis (monotonic for {@link systemClock}). */
  readonly now: number;
  /**
   * Calls `callback` after `ms`. probekit never asks for more than `MAX_DURATION_MS`
   * (2^31−1): longer waits are chained by `atDeadline`, since Node and fake-timers fire a
   * longer timer after 1 ms.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `now` is `performance.now()` (monotonic, like Go's), timers are Node's.
 *
 * @example
 * const started = systemClock.now;
 */
export const systemClock: Clock = {
  get now() {
    return performance.now();
  },
  setTimeout(callback, ms) {
    return setTimeout(callback, ms);
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * Resolves once `ms` have passed on `clock`, or rejects with the signal's reason when `signal`
 * aborts. The timer is cleared on abort, so nothing is left pending. Any length is safe (a
 * wait beyond 2^31−1 ms is chained, see `atDeadline`).
 *
 * @example
 * await sleep(clock, 250, controller.signal);
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = atDeadline(clock, clock.now + ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
