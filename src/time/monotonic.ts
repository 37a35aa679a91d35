import { type Clock, systemClock } from './clock.js';

/** Reads of the two clocks taken to find their offset; the closest pair wins. */
const SAMPLES = 5;

/**
 * This machine's monotonic clock in integer nanoseconds: `CLOCK_MONOTONIC` on Linux, the clock
 * Python's `time.monotonic_ns()`, Go's `clock_gettime`, Java's `System.nanoTime()` and Rust's
 * `Instant` read, so another process's timestamps are on the same axis.
 *
 * @example
 * const before = monotonicNs();
 */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/** ns of the monotonic clock at `clock.now === 0`, per clock. */
const offsets = new WeakMap<Clock, bigint>();

/**
 * Measures once (per clock) how far `clock.now` is from the monotonic clock, and returns a
 * function that puts a monotonic timestamp (ns, from this or any other process on the machine)
 * on the clock's axis (ms). In BigInt up to the subtraction: monotonic ns pass 2^53 after
 * ~104 days of uptime, where a `number` would already be rounding.
 *
 * For {@link systemClock} (`performance.now()`, which Node derives from the same monotonic
 * source) the offset is exact to well under a µs. Any other clock is mapped as it stood at the
 * first call: right for a clock that runs in real time, meaningless for a virtual one.
 *
 * @example
 * const toClock = monotonicToClock(systemClock);
 * toClock(monotonicNs()); // ≈ systemClock.now
 */
export function monotonicToClock(clock: Clock = systemClock): (ns: bigint) => number {
  let offset = offsets.get(clock);
  if (offset === undefined) {
    offset = measureOffset(clock);
    offsets.set(clock, offset);
  }
  const origin = offset;
  return (ns) => Number(ns - origin) / 1e6;
}

/** Reads the monotonic clock on both sides of `clock.now`, keeping the tightest bracket. */
function measureOffset(clock: Clock): bigint {
  let best: { gap: bigint; offset: bigint } | undefined;
  for (let i = 0; i < SAMPLES; i++) {
    const before = monotonicNs();
    const now = clock.now;
    const after = monotonicNs();
    const gap = after - before;
    if (best === undefined || gap < best.gap) {
      const middle = before + gap / 2n;
      best = { gap, offset: middle - BigInt(Math.round(now * 1e6)) };
    }
  }
  return (best as { offset: bigint }).offset;
}
