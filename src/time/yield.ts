/**
 * Lets the event loop run what is pending (I/O callbacks, signals such as Ctrl-C, other
 * timers), then resumes: a yield, not a wait, so no clock is involved. For long synchronous
 * work done in slices (the event simulator behind `simulate()`).
 *
 * @example
 * while (!machine.advance(1024)) await yieldToEventLoop();
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
