import FakeTimers from '@sinonjs/fake-timers';
import {
  type CheckEvent,
  type Option,
  startEndpointHealthCheck,
  withClock,
  withObserver,
  withTransport,
} from '../../src/checker/index.js';
import { flakyEndpoint, scriptFromDaprTrace } from '../../src/endpoint/index.js';
import type { Clock } from '../../src/time/clock.js';
import type { Transport } from '../../src/transport/types.js';

/**
 * The real in-process flaky endpoint on `clock`, scripted either in the Dapr traces' item
 * syntax ("200", "hang", "close", "reset", "delay:N:CODE"; then `after` for ever) or in the
 * endpoint DSL. `requests` are the times the endpoint received each request.
 */
export function scriptedTransport(clock: Clock, script: readonly string[] | string, after = '200') {
  const endpoint = flakyEndpoint(typeof script === 'string' ? script : scriptFromDaprTrace(script, after), {
    clock,
  });
  const transport: Transport = endpoint.transport;
  return {
    transport,
    get requests() {
      return endpoint.journal.entries().map((entry) => entry.time);
    },
  };
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
  items: readonly string[] | string,
  options: Option[],
  { until, readAt = 0, after = '200' }: { until: number; readAt?: number; after?: string },
): Promise<VirtualRunResult> {
  const clock = FakeTimers.createClock(0);
  const endpoint = scriptedTransport(clock, items, after);
  const events: CheckEvent[] = [];
  const check = startEndpointHealthCheck(
    'http://endpoint.test/healthz',
    ...options,
    withClock(clock),
    withTransport(endpoint.transport),
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
  return { requests: endpoint.requests, signals, events, clock, timersLeft: clock.countTimers() };
}
