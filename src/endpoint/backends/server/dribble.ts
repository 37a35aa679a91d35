import type { Clock } from '../../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../../time/deadline.js';

/** At most this many writes per dribble, so a long body does not mean thousands of timers. */
const MAX_PIECES = 16;

/**
 * Writes `bytes` in pieces spread evenly over `over` ms on `clock`: the first piece at once, the
 * last exactly `over` ms later (so a client has the whole thing at that instant, on every
 * backend). Returns a cancel function.
 *
 * @example
 * const cancel = dribble(clock, Buffer.from('hello'), 1000, (piece, last) => socket.write(piece));
 */
export function dribble(
  clock: Clock,
  bytes: Uint8Array,
  over: number,
  write: (piece: Uint8Array, last: boolean) => void,
): () => void {
  const pieces = Math.max(1, Math.min(bytes.length, MAX_PIECES));
  const start = clock.now;
  let timer: DeadlineTimer | undefined;
  let cancelled = false;
  const cut = (k: number) => Math.round((bytes.length * k) / pieces);
  const step = (k: number) => {
    timer = undefined;
    if (cancelled) return;
    const last = k === pieces - 1;
    write(bytes.subarray(cut(k), cut(k + 1)), last);
    if (!last) timer = atDeadline(clock, start + (over * (k + 1)) / (pieces - 1), () => step(k + 1));
  };
  if (pieces === 1) timer = atDeadline(clock, start + over, () => step(0));
  else step(0);
  return () => {
    cancelled = true;
    timer?.cancel();
  };
}
