import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import FakeTimers from '@sinonjs/fake-timers';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Option,
  startEndpointHealthCheck,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from '../../src/checker/index.js';
import { startMockServer } from '../../src/endpoint/backends/server/server.js';
import { type FlakyEndpoint, flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { scriptFromDaprTrace } from '../../src/endpoint/script/dapr-trace.js';
import type { EndpointScript } from '../../src/endpoint/script/schema.js';
import type { Clock } from '../../src/time/clock.js';
import type { Transport } from '../../src/transport/types.js';

const ORIGIN = 'http://endpoint.test';
const PROBE_URL = `${ORIGIN}/healthz`;
const OPTIONS = [withInterval(100), withInitialDelay(30), withRequestTimeout(50), withFailureThreshold(2)];

interface Signal {
  readonly at: number;
  readonly value: boolean;
}

/** Runs the checker on a virtual clock for `until` ms and records its signals. */
async function virtualSignals(
  clock: ReturnType<typeof FakeTimers.createClock>,
  transport: Transport,
  until: number,
  options: Option[] = OPTIONS,
): Promise<Signal[]> {
  const check = startEndpointHealthCheck(
    PROBE_URL,
    ...options,
    withClock(clock as Clock),
    withTransport(transport),
  );
  const signals: Signal[] = [];
  const reading = (async () => {
    for await (const value of check) signals.push({ at: clock.now, value });
  })();
  // One millisecond at a time, so work that crosses real async hops (msw) lands on the right instant.
  for (let t = 0; t < until; t++) await clock.tickAsync(1);
  await check.stop();
  await reading;
  return signals;
}

/** A transport over `fetch`, which msw intercepts (redirects not followed, body read in full). */
const fetchTransport: Transport = async ({ url, signal }) => {
  const response = await fetch(url, { signal, redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status };
};

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const SCRIPT =
  '200, 503*2, reset, delay 30ms then 200, hang, close, 200, refuse 150ms, (200 | 503)*6, malformed, slow-body 200 over 20ms, 200...';

describe('the checker gets the same signals from every backend', () => {
  it('in process and through msw: same signals at the same virtual times', async () => {
    const clock = FakeTimers.createClock(0);
    const inProcess = flakyEndpoint(SCRIPT, { clock, seed: 7 });
    const expected = await virtualSignals(clock, inProcess.transport, 2500);

    const mswClock = FakeTimers.createClock(0);
    const viaMsw: FlakyEndpoint = flakyEndpoint(SCRIPT, { clock: mswClock, seed: 7, origin: ORIGIN });
    const server = setupServer(...viaMsw.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    servers.push(server);
    const actual = await virtualSignals(mswClock, fetchTransport, 2500);

    expect(expected.map((s) => s.value)).toContain(false);
    expect(expected.length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
    const journal = (e: FlakyEndpoint) =>
      e.journal.entries().map((x) => [x.index, x.time, x.explain, x.fate]);
    expect(journal(viaMsw)).toEqual(journal(inProcess));
    expect(clock.countTimers()).toBe(0);
  });

  it('on a real socket: the same signals, in order', async () => {
    // Real time: only faults whose outcome does not depend on how fast the machine is, and
    // generous timeouts, so a busy machine cannot turn a quick answer into a timeout.
    const script =
      '200, 503*2, reset, delay 5ms then 200, hang, close, 200, (200 | 503)*4, malformed, 200...';
    const options = [
      withInterval(200),
      withInitialDelay(0),
      withRequestTimeout(150),
      withFailureThreshold(2),
    ];
    const clock = FakeTimers.createClock(0);
    const inProcess = flakyEndpoint(script, { clock, seed: 11 });
    const expected = (await virtualSignals(clock, inProcess.transport, 3200, options)).map((s) => s.value);

    const server = await startMockServer(script, { seed: 11 });
    const check = startEndpointHealthCheck(`${server.url}/healthz`, ...options);
    const actual: boolean[] = [];
    try {
      for await (const value of check) {
        actual.push(value);
        if (actual.length === expected.length) break;
      }
    } finally {
      await check.stop();
      await server.close();
    }
    expect(actual).toEqual(expected);
    expect(
      server.journal
        .entries()
        .map((e) => e.explain)
        .slice(0, 6),
    ).toEqual(
      inProcess.journal
        .entries()
        .map((e) => e.explain)
        .slice(0, 6),
    );
  });
});

// Recorded from Dapr v1.0's real Go code (fixtures/dapr-traces/README.md).
const traceDir = fileURLToPath(new URL('../../fixtures/dapr-traces/', import.meta.url));
const traces = readdirSync(traceDir)
  .filter((name) => /^S.*\.json$/.test(name))
  .map(
    (name) =>
      JSON.parse(readFileSync(traceDir + name, 'utf8')) as {
        scenario: string;
        parameters: Record<string, { value: number; explicit: boolean }>;
        script: string[];
        afterScript: string;
        consumerStartDelayMs: number;
        durationMs: number;
        summary: { sequence: Array<{ ev: string; v?: boolean; tMedianMs: number }> };
      },
  );

const OPTION: Record<string, (value: number) => Option> = {
  initialDelayMs: withInitialDelay,
  intervalMs: withInterval,
  requestTimeoutMs: withRequestTimeout,
  failureThreshold: withFailureThreshold,
  successStatusCode: withSuccessStatusCode,
};

describe('replaying the Dapr traces through the in-process endpoint', () => {
  it.each(traces.filter((t) => t.consumerStartDelayMs === 0).map((t) => [t.scenario, t] as const))(
    '%s: the endpoint receives the same requests and the checker emits the same signals',
    async (_, trace) => {
      const clock = FakeTimers.createClock(0);
      const endpoint = flakyEndpoint(scriptFromDaprTrace(trace.script, trace.afterScript) as EndpointScript, {
        clock,
      });
      const options = Object.entries(trace.parameters)
        .filter(([, p]) => p.explicit)
        .map(([name, p]) => (OPTION[name] as (value: number) => Option)(p.value));
      const check = startEndpointHealthCheck(
        PROBE_URL,
        ...options,
        withClock(clock),
        withTransport(endpoint.transport),
      );
      const signals: Signal[] = [];
      const reading = (async () => {
        for await (const value of check) signals.push({ at: clock.now, value });
      })();
      await clock.tickAsync(trace.durationMs);
      await check.stop();
      await reading;
      const requests = trace.summary.sequence.filter((e) => e.ev === 'req').map((e) => e.tMedianMs);
      const emits = trace.summary.sequence.filter((e) => e.ev === 'emit');
      const received = endpoint.journal.entries().map((e) => e.time);
      expect(received).toHaveLength(requests.length);
      received.forEach((at, i) => {
        expect(Math.abs(at - (requests[i] as number))).toBeLessThanOrEqual(5);
      });
      expect(signals.map((s) => s.value)).toEqual(emits.map((e) => e.v));
      signals.forEach((s, i) => {
        expect(Math.abs(s.at - (emits[i]?.tMedianMs as number))).toBeLessThanOrEqual(5);
      });
    },
  );
});
