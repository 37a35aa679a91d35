import FakeTimers from '@sinonjs/fake-timers';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/endpoint/engine/journal.js';
import { type FlakyEndpoint, flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';

const ORIGIN = 'http://endpoint.test';
const SCRIPT =
  '200 "ok", delay 120ms then 503, (200@3 | 502)*4, reset, close, malformed, refuse 100ms, ' +
  'slow-body 201 "dribbled" over 30ms, hang, delay 5ms..50ms then 204, 200...';

/** What each request does after it is sent: advance the clock by `tick`, then maybe abort. */
const PLAN: Array<{ tick: number; abort?: boolean }> = [
  { tick: 0 }, // 200
  { tick: 120 }, // 503 after 120ms
  { tick: 0 }, // choice
  { tick: 0 },
  { tick: 0 },
  { tick: 0 },
  { tick: 0 }, // reset
  { tick: 0 }, // close
  { tick: 0 }, // malformed (refusing from now on for 100ms)
  { tick: 100 }, // refused; the clock moves past the refusal
  { tick: 30 }, // slow-body
  { tick: 500, abort: true }, // hang, abandoned
  { tick: 50 }, // random delay, then 204
  { tick: 0 }, // 200
];

interface Result {
  readonly what: string;
  readonly at: number;
}

/** Resolves when the journal records its next request. */
function nextEntry(journal: Journal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = journal.subscribe(() => {
      unsubscribe();
      resolve();
    });
  });
}

async function drive(
  clock: ReturnType<typeof FakeTimers.createClock>,
  endpoint: FlakyEndpoint,
  send: (signal: AbortSignal) => Promise<string>,
): Promise<Result[]> {
  const results: Result[] = [];
  for (const step of PLAN) {
    const controller = new AbortController();
    let settledAt: number | undefined;
    const arrived = nextEntry(endpoint.journal);
    const result = send(controller.signal).then((what) => {
      settledAt = clock.now;
      return what;
    });
    // Wait for the request to reach the endpoint (or to fail before it does), then move time.
    await Promise.race([arrived, result]);
    await clock.tickAsync(step.tick);
    if (step.abort) controller.abort(new Error('gave up'));
    const what = await result;
    results.push({ what, at: settledAt ?? clock.now });
  }
  return results;
}

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('msw handlers play the same script as the in-process transport', () => {
  it('answers the same sequence, at the same virtual times, with the same journal', async () => {
    const mswClock = FakeTimers.createClock(0);
    const viaMsw = flakyEndpoint(SCRIPT, { clock: mswClock, seed: 42, origin: ORIGIN });
    const server = setupServer(...viaMsw.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    servers.push(server);
    const bodies: string[] = [];
    const mswResults = await drive(mswClock, viaMsw, (signal) =>
      fetch(`${ORIGIN}/healthz`, { signal }).then(
        async (response) => {
          bodies.push(await response.text());
          return String(response.status);
        },
        (error: Error) => (error.message === 'gave up' ? 'aborted' : 'network error'),
      ),
    );

    const clock = FakeTimers.createClock(0);
    const inProcess = flakyEndpoint(SCRIPT, { clock, seed: 42 });
    const transportResults = await drive(clock, inProcess, (signal) =>
      inProcess.transport({ url: `${ORIGIN}/healthz`, timeout: 1000, signal }).then(
        ({ status }) => String(status),
        (error: Error) => (error.message === 'gave up' ? 'aborted' : 'network error'),
      ),
    );

    expect(mswResults.map((r) => r.what)).toContain('network error');
    expect(mswResults.map((r) => r.what)).toContain('aborted');
    expect(mswResults).toEqual(transportResults);
    expect(bodies[0]).toBe('ok');
    expect(bodies).toContain('dribbled');
    const summary = (endpoint: FlakyEndpoint) =>
      endpoint.journal
        .entries()
        .map((e) => [e.index, e.time, e.method, e.path, e.explain, e.fate, e.endedAt]);
    expect(summary(viaMsw)).toEqual(summary(inProcess));
    expect(viaMsw.journal.total).toBe(PLAN.length - 1);
    expect(mswClock.countTimers()).toBe(0);
  });

  it('delays with the injected clock, never in real time', async () => {
    const clock = FakeTimers.createClock(0);
    const endpoint = flakyEndpoint('delay 10m then 200', { clock, origin: ORIGIN });
    const server = setupServer(...endpoint.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    servers.push(server);
    let status = 0;
    const arrived = nextEntry(endpoint.journal);
    const done = fetch(`${ORIGIN}/`).then((r) => {
      status = r.status;
    });
    await arrived;
    await clock.tickAsync(600_000 - 1);
    expect(status).toBe(0);
    await clock.tickAsync(1);
    await done;
    expect(status).toBe(200);
  });

  it('only intercepts its own origin when given one', async () => {
    const endpoint = flakyEndpoint('418...', { clock: FakeTimers.createClock(0), origin: ORIGIN });
    const server = setupServer(...endpoint.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    servers.push(server);
    expect((await fetch(`${ORIGIN}/x`)).status).toBe(418);
    await expect(fetch('http://elsewhere.test/x')).rejects.toThrow();
  });
});
