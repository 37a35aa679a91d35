import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../../time/deadline.js';

/** How a body is throttled on its way through the proxy (Toxiproxy's bandwidth and limit_data). */
export interface Throttle {
  /** Bytes per second; left out: as fast as it comes. */
  readonly bytesPerSecond?: number;
  /** Cut the connection once this many body bytes went through; left out: no limit. */
  readonly limitBytes?: number;
}

/** Slices of at most 1/20 s of bandwidth, so a paced body flows evenly rather than in bursts. */
const SLICES_PER_SECOND = 20;

/**
 * Copies `source` to `sink` like `pipe`, but at most `bytesPerSecond` on `clock` (byte *k* leaves
 * no earlier than *k* / rate seconds after the first), and calls `cut` instead of writing past
 * `limitBytes`. Ends `sink` when `source` ends. Returns a cancel function that clears the timer.
 *
 * @example
 * const cancel = throttle(clock, upstreamRes, res, { bytesPerSecond: 1000 }, () => res.destroy());
 */
export function throttle(
  clock: Clock,
  source: Readable,
  sink: Writable,
  { bytesPerSecond, limitBytes }: Throttle,
  cut: () => void,
): () => void {
  const rate = bytesPerSecond ?? Number.POSITIVE_INFINITY;
  const slice = Number.isFinite(rate)
    ? Math.max(1, Math.floor(rate / SLICES_PER_SECOND))
    : Number.POSITIVE_INFINITY;
  const queue: Buffer[] = [];
  const start = clock.now;
  let sent = 0;
  let ended = false;
  let stopped = false;
  let timer: DeadlineTimer | undefined;

  const pump = () => {
    timer = undefined;
    while (!stopped && queue.length > 0) {
      const due = start + (sent * 1000) / rate;
      if (due > clock.now) {
        timer = atDeadline(clock, due, pump);
        return;
      }
      const head = queue[0] as Buffer;
      const piece = head.length > slice ? head.subarray(0, slice) : head;
      if (piece.length === head.length) queue.shift();
      else queue[0] = head.subarray(piece.length);
      if (limitBytes !== undefined && sent + piece.length > limitBytes) {
        const rest = limitBytes - sent;
        if (rest > 0) sink.write(piece.subarray(0, rest));
        sent = limitBytes;
        stopped = true;
        source.destroy();
        cut();
        return;
      }
      sent += piece.length;
      sink.write(piece);
    }
    if (stopped) return;
    if (ended) sink.end();
    else source.resume();
  };

  source.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    source.pause();
    if (timer === undefined) pump();
  });
  source.on('end', () => {
    ended = true;
    if (timer === undefined && queue.length === 0 && !stopped) sink.end();
  });
  return () => {
    stopped = true;
    timer?.cancel();
    timer = undefined;
  };
}
