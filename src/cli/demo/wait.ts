import { type Clock, sleep } from '../../time/clock.js';

/**
 * Waits for `promise`, but at most `ms` on `clock`: `{ done: true, value }` or `{ done: false }`
 * when time ran out. Rejects with the signal's reason when `signal` aborts (Ctrl-C). No timer or
 * listener is left behind either way.
 *
 * @example
 * const result = await within(firstFalse, 15_000, clock, io.signal);
 * if (!result.done) out.note(undefined, 'the checker did not notice in time');
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<{ done: true; value: T } | { done: false }> {
  const timer = new AbortController();
  signal.addEventListener('abort', () => timer.abort(signal.reason), { once: true, signal: timer.signal });
  try {
    return await Promise.race([
      promise.then((value) => ({ done: true as const, value })),
      // An aborted signal rejects at once, with its reason.
      signal.aborted
        ? Promise.reject(signal.reason)
        : sleep(clock, ms, timer.signal).then(() => ({ done: false as const })),
    ]);
  } finally {
    timer.abort();
  }
}

/**
 * A promise with its `resolve` outside, for "the checker has done X" moments.
 *
 * @example
 * const seen = deferred<boolean>();
 * seen.resolve(true);
 */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
