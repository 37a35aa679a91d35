import FakeTimers from '@sinonjs/fake-timers';
import {
  type CheckEvent,
  type Option,
  startEndpointHealthCheck,
  withClock,
  withObserver,
  withTransport,
} from '../../src/checker/index.js';
import type { Clock } from '../../src/time/clock.js';
import { transportError } from '../../src/transport/outcome.js';
import type { Transport } from '../../src/transport/types.js';

/**
 * A scripted endpoint for checker unit tests, in the Dapr traces' item syntax:
 * "200" answers at once, "hang" never answers, "close" / "reset" / "refuse" fail,
 * "delay:N:CODE" answers CODE after N ms on the clock. Request k gets item k, then `after`.
 */
export function scriptedTransport(clock: Clock, items: readonly string[], after = '200') {
  const requests: number[] = [];
  const transport: Transport = ({ signal }) => {
    const item = items[requests.length] ?? after;
    requests.push(clock.now);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (handle !== undefined) clock.clearTimeout(handle);
        reject(signal.reason);
      };
      let handle: unknown;
      signal.addEventListener('abort', onAbort, { once: true });
      const [kind, delay, code] = item.split(':');
      if (kind === 'hang') return;
      if (kind === 'close' || kind === 'reset' || kind === 'refused') {
        signal.removeEventListener('abort', onAbort);
        reject(transportError(kind === 'close' ? 'closed' : kind, kind));
        return;
      }
      if (kind === 'delay') {
        handle = clock.setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve({ status: Number(code) });
        }, Number(delay));
        return;
      }
      signal.removeEventListener('abort', onAbort);
      resolve({ status: Number(kind) });
    });
  };
  return { transport, requests };
}

export interface VirtualRunResult {
  requests: number[];
  signals: Array<{ at: number; value: boolean }>;
  events: CheckEvent[];
  clock: ReturnType<typeof FakeTimers.createClock>;
  timersLeft: number;
}

/** Runs the checker on a fake-timers clock against a script; the consumer reads from `readAt`. */
export async function virtualRun(
  items: readonly string[],
  options: Option[],
  { until, readAt = 0, after = '200' }: { until: number; readAt?: number; after?: string },
): Promise<VirtualRunResult> {
  const clock = FakeTimers.createClock(0);
  const { transport, requests } = scriptedTransport(clock, items, after);
  const events: CheckEvent[] = [];
  const check = startEndpointHealthCheck(
    'http://endpoint.test/healthz',
    ...options,
    withClock(clock),
    withTransport(transport),
    withObserver((event) => events.push(event)),
  );
  const signals: Array<{ at: number; value: boolean }> = [];
  const reading = (async () => {
    if (readAt > 0) await new Promise<void>((resolve) => clock.setTimeout(() => resolve(), readAt));
    for await (const value of check) signals.push({ at: clock.now, value });
  })();
  await clock.tickAsync(until);
  await check.stop();
  await reading;
  return { requests, signals, events, clock, timersLeft: clock.countTimers() };
}
