import FakeTimers from '@sinonjs/fake-timers';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startEndpointHealthCheck,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withTransport,
} from '../../src/checker/index.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { fetchTransport } from '../../src/transport/fetch.js';

const ORIGIN = 'http://endpoint.test';
const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A flaky endpoint behind msw (unhandled requests are errors), on a fake-timers clock. */
function mswEndpoint(script: string) {
  const clock = FakeTimers.createClock(0);
  const endpoint = flakyEndpoint(script, { clock, origin: ORIGIN });
  const server = setupServer(...endpoint.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  servers.push(server);
  return { clock, endpoint };
}

describe('a checker on fetchTransport is seen by msw handlers', () => {
  it('gets the handlers answers as signals, and the endpoint journal fills, in virtual time', async () => {
    const { clock, endpoint } = mswEndpoint('200, 503, 503, 503, 200...');
    const check = startEndpointHealthCheck(
      `${ORIGIN}/healthz`,
      withClock(clock),
      withTransport(fetchTransport()),
      withInterval(100),
      withInitialDelay(0),
      withFailureThreshold(2),
    );
    const signals: Array<{ at: number; value: boolean }> = [];
    const reading = (async () => {
      for await (const value of check) signals.push({ at: clock.now, value });
    })();
    await clock.tickAsync(550);
    await check.stop();
    await reading;
    expect(signals).toEqual([
      { at: 100, value: true },
      { at: 300, value: false },
      { at: 500, value: true },
    ]);
    const entries = endpoint.journal.entries();
    expect(entries.map((entry) => entry.time)).toEqual([100, 200, 300, 400, 500]);
    expect(clock.countTimers()).toBe(0);
  });

  it('times a hanging handler out on the checker clock and aborts its request', async () => {
    const { clock, endpoint } = mswEndpoint('hang, 200...');
    const check = startEndpointHealthCheck(
      `${ORIGIN}/healthz`,
      withClock(clock),
      withTransport(fetchTransport()),
      withInterval(100),
      withInitialDelay(0),
      withRequestTimeout(50),
      withFailureThreshold(1),
    );
    const signals: Array<{ at: number; value: boolean }> = [];
    const reading = (async () => {
      for await (const value of check) signals.push({ at: clock.now, value });
    })();
    await clock.tickAsync(250);
    await check.stop();
    await reading;
    expect(signals).toEqual([
      { at: 150, value: false },
      { at: 200, value: true },
    ]);
    expect(endpoint.journal.entries()[0]).toMatchObject({ time: 100 });
  });

  it('fails a probe msw cannot answer without ever leaving the process (onUnhandledRequest: error)', async () => {
    mswEndpoint('200...');
    const error = await fetchTransport()({
      url: 'http://elsewhere.test/healthz',
      timeout: 1000,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('[MSW]');
  });
});
