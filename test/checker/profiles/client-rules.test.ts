import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../../src/scenario/fixtures.js';
import { simulate } from '../../../src/scenario/simulate.js';
import type { Scenario, ScenarioOptions, Trace } from '../../../src/scenario/types.js';

/**
 * Each profile's client (PROFILES.md §1–§2) through `simulate(scenario, { profile })`: what the
 * endpoint sees and when a probe's result is known.
 */

const fixtures = new Map(loadScenarios().map(({ scenario }) => [scenario.id, scenario]));

function fixture(id: string): Scenario {
  const scenario = fixtures.get(id);
  if (!scenario) throw new Error(`no fixture ${id}`);
  return scenario;
}

function scenario(
  script: string,
  durationMs: number,
  options: ScenarioOptions = {},
  extra: Partial<Scenario> = {},
): Scenario {
  return {
    id: 'client-rule',
    description: 'client rule',
    rules: [],
    level: 'core',
    options: { initialDelayMs: 30, intervalMs: 100, requestTimeoutMs: 90, ...options },
    script,
    durationMs,
    ...extra,
  };
}

/** Each probe as `start-end outcome`, with `×n` for n requests and `unsent` when nothing was sent. */
function probes(trace: Trace): string[] {
  return trace.probes.map(
    (p) =>
      `${p.start}-${p.end ?? '?'} ${p.outcome ?? '?'}${p.requests ? ` ×${p.requests}` : ''}${p.sent === false ? ' unsent' : ''}`,
  );
}

const signals = (trace: Trace): string[] => trace.signals.map((s) => `${s.value ? 'T' : 'F'}@${s.at}`);

const NET_HTTP_FOLLOWING = ['dapr-0.6', 'dapr-1.10.5', 'dapr-1.13'] as const;
const NOT_FOLLOWING = [
  'dapr-1.0',
  'dapr-1.1',
  'dapr-1.9',
  'dapr-apphealth-1.12',
  'dapr-apphealth-1.16',
] as const;
const FASTHTTP = ['dapr-1.0', 'dapr-1.1', 'dapr-1.9'] as const;
const AT_HEADERS = ['dapr-0.6', 'dapr-1.10.5', 'dapr-1.13'] as const;
const AFTER_BODY = [
  'dapr-1.0',
  'dapr-1.1',
  'dapr-1.9',
  'dapr-apphealth-1.12',
  'dapr-apphealth-1.16',
] as const;

describe('redirects', () => {
  it.each(NET_HTTP_FOLLOWING)(
    '%s follows a redirect with a Location: the target answers, two requests for one probe',
    async (profile) => {
      const trace = await simulate(fixture('redirects-relative-location'), { profile });
      const redirected = trace.probes.filter((p) => p.requests === 2);
      expect(redirected).toHaveLength(5);
      for (const probe of redirected) {
        expect(probe.outcome).toBe('200');
        expect(probe.success).toBe(true);
      }
      expect(trace.signals.every((s) => s.value)).toBe(true);
    },
  );

  it.each(NOT_FOLLOWING)(
    '%s does not follow a redirect: the 3xx is a failure, one request',
    async (profile) => {
      const trace = await simulate(fixture('redirects-relative-location'), { profile });
      expect(trace.probes.slice(0, 5).map((p) => [p.outcome, p.success, p.requests])).toEqual(
        ['301', '302', '303', '307', '308'].map((status) => [status, false, undefined]),
      );
    },
  );

  it.each(NET_HTTP_FOLLOWING)(
    '%s returns a 3xx without a Location as is: a failure, not followed',
    async (profile) => {
      const trace = await simulate(scenario('302, 200...', 650, { failureThreshold: 1 }), { profile });
      const first = trace.probes[0];
      expect([first?.outcome, first?.success, first?.requests]).toEqual(['302', false, undefined]);
      // dapr-1.13 reports nothing while unhealthy (true at its next probe); the others report the failure.
      expect(trace.signals[0]?.value).toBe(profile === 'dapr-1.13');
    },
  );

  it.each(NET_HTTP_FOLLOWING)('%s follows an absolute Location on the same origin', async (profile) => {
    const trace = await simulate(fixture('redirects-absolute-location'), { profile });
    expect(trace.probes.slice(0, 5).map((p) => [p.outcome, p.requests])).toEqual(Array(5).fill(['200', 2]));
  });
});

describe('when success is judged', () => {
  // slow-body-too-slow: the headers come at once, the body takes 250 ms, the timeout is 90 ms.
  it.each(AT_HEADERS)(
    '%s judges the status at the headers: a slow body is a success at once',
    async (profile) => {
      const trace = await simulate(fixture('slow-body-too-slow'), { profile });
      const first = trace.probes[0];
      expect([first?.outcome, first?.success, first?.end]).toEqual(['200', true, first?.start]);
      expect(trace.signals[0]).toEqual({ at: first?.start, value: true });
    },
  );

  it.each(AFTER_BODY)(
    '%s waits for the whole body: a body slower than the timeout times out',
    async (profile) => {
      const trace = await simulate(fixture('slow-body-too-slow'), { profile });
      const first = trace.probes[0];
      expect([first?.outcome, first?.success]).toEqual(['timeout', false]);
      expect((first?.end ?? 0) - (first?.start ?? 0)).toBe(90);
    },
  );

  it.each(AFTER_BODY)('%s counts a body that ends in time as a success when it ends', async (profile) => {
    const trace = await simulate(scenario('slow-body 200 over 40ms, 200...', 150), { profile });
    const first = trace.probes[0];
    expect([first?.outcome, (first?.end ?? 0) - (first?.start ?? 0)]).toEqual(['200', 40]);
  });
});

describe('a request timeout of 0', () => {
  const zero = scenario('200...', 450, { initialDelayMs: 0, requestTimeoutMs: 0 });

  it.each(['dapr-1.0', 'dapr-1.1', 'dapr-1.10.5', 'dapr-1.13', 'dapr-apphealth-1.12', 'dapr-apphealth-1.16'])(
    '%s fails the probe at once and sends nothing',
    async (profile) => {
      const trace = await simulate(zero, { profile });
      expect(trace.probes.length).toBeGreaterThan(0);
      for (const probe of trace.probes) {
        expect([probe.outcome, probe.sent, probe.end]).toEqual(['timeout', false, probe.start]);
      }
    },
  );

  it.each(['dapr-0.6', 'dapr-1.9'])(
    '%s sends the probe and waits for the answer (no timeout at all)',
    async (profile) => {
      const trace = await simulate(
        scenario('delay 300ms then 200, 200...', 450, { initialDelayMs: 0, requestTimeoutMs: 0 }),
        {
          profile,
        },
      );
      expect(probes(trace)).toEqual(['100-400 200', '400-400 200']);
    },
  );
});

describe('a reused keep-alive connection the server closed while idle', () => {
  // SEMANTICS.md §1 "Connection reuse without retry", scaled down: the server closes an idle
  // connection after 100 ms, the probes come every 200 ms.
  const idle = scenario('200...', 850, { intervalMs: 200, failureThreshold: 1 }, { idleTimeoutMs: 100 });

  it.each(FASTHTTP)(
    '%s writes the probe into the dead connection: closed, never sent; the next probe opens a new one',
    async (profile) => {
      const trace = await simulate(idle, { profile });
      expect(probes(trace)).toEqual([
        '200-200 200',
        '400-400 closed unsent',
        '600-600 200',
        '800-800 closed unsent',
      ]);
      expect(signals(trace)).toEqual(['T@200', 'F@400', 'T@600', 'F@800']);
    },
  );

  it.each(['dapr-1.10.5', 'dapr-1.13', 'dapr-apphealth-1.12', 'dapr-apphealth-1.16'])(
    '%s (net/http) sends the probe on a new connection: one request, a success',
    async (profile) => {
      const trace = await simulate(idle, { profile });
      for (const probe of trace.probes)
        expect([probe.outcome, probe.requests, probe.sent]).toEqual(['200', undefined, undefined]);
    },
  );

  it('dapr-0.6 opens a new connection for every probe: nothing is reused, nothing fails', async () => {
    const trace = await simulate(idle, { profile: 'dapr-0.6' });
    expect(signals(trace)).toEqual(['T@200', 'T@400', 'T@600', 'T@800']);
  });

  it('dapr-1.0 reuses a connection the server still holds open', async () => {
    const trace = await simulate({ ...idle, idleTimeoutMs: 300 }, { profile: 'dapr-1.0' });
    expect(signals(trace)).toEqual(['T@200', 'T@400', 'T@600', 'T@800']);
  });
});

describe('a reset on a reused connection', () => {
  const reset = scenario('200, reset, 200...', 350, { failureThreshold: 1 });

  it('dapr-1.10.5 sends the GET again on a new connection: two requests, the second answers', async () => {
    const trace = await simulate(reset, { profile: 'dapr-1.10.5' });
    expect(probes(trace)).toEqual(['100-100 200', '200-200 200 ×2', '300-300 200']);
    expect(signals(trace)).toEqual(['T@100', 'T@200', 'T@300']);
  });

  it.each(FASTHTTP)('%s does not retry: the reset fails the probe', async (profile) => {
    const trace = await simulate(reset, { profile });
    expect(probes(trace)).toEqual(['100-100 200', '200-200 reset', '300-300 200']);
  });

  it('dapr-1.10.5 does not retry a reset on a fresh connection', async () => {
    const trace = await simulate(scenario('reset, 200...', 250, { failureThreshold: 1 }), {
      profile: 'dapr-1.10.5',
    });
    expect(probes(trace)[0]).toBe('100-100 reset');
  });

  it('dapr-0.6 does not retry: every probe is on a fresh connection', async () => {
    const trace = await simulate(reset, { profile: 'dapr-0.6' });
    expect(probes(trace)[1]).toBe('200-200 reset');
  });
});

describe('overlapping probes', () => {
  // Timeout 250 > interval 100, every request hangs.
  const hanging = scenario('hang...', 700, { initialDelayMs: 0, requestTimeoutMs: 250, failureThreshold: 1 });

  it('dapr-1.10.5 starts a probe on every tick while earlier ones still wait (a goroutine per tick)', async () => {
    const trace = await simulate(hanging, { profile: 'dapr-1.10.5' });
    expect(trace.probes.map((p) => p.start)).toEqual([100, 200, 300, 400, 500, 600, 700]);
    expect(probes(trace).slice(0, 4)).toEqual([
      '100-350 timeout',
      '200-450 timeout',
      '300-550 timeout',
      '400-650 timeout',
    ]);
    expect(signals(trace)).toEqual(['F@350', 'F@450', 'F@550', 'F@650']);
  });

  it.each(['dapr-1.0', 'dapr-1.1', 'dapr-1.9'])(
    '%s probes one at a time: the next probe waits for the timeout',
    async (profile) => {
      const trace = await simulate(hanging, { profile });
      expect(trace.probes.map((p) => p.start)).toEqual([100, 350, 600]);
    },
  );
});

describe("dapr-1.13's unbuffered channel", () => {
  it('blocks the loop at its first true until the late reader takes it, then starts the healthy ticker', async () => {
    const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile: 'dapr-1.13' });
    // Read at 1050: no probe between the first one and the read; the next a whole interval after it.
    expect(trace.probes.map((p) => p.start)).toEqual([0, 1150, 1250]);
    expect(trace.signals[0]).toEqual({ at: 1050, value: true, emittedAt: 0 });
    expect(trace.blocked).toEqual([{ from: 0, to: 1050 }]);
  });

  it('holds no value: dapr-1.0 (a channel of one) goes on probing once more before it blocks', async () => {
    const late = fixture('late-consumer-blocks-loop');
    const buffered = await simulate(late, { profile: 'dapr-1.0' });
    expect(buffered.probes.filter((p) => p.start < 1050).map((p) => p.start)).toEqual([100, 200]);
  });
});

/**
 * Where the engine once disagreed with PROFILES.md (found by these tests, written as `it.fails`
 * from the Go sources before the engine was fixed): Go's redirect limit and fasthttp's own idle close.
 */
describe('Go client limits the engine once missed', () => {
  // PROFILES.md §1 A/F: Go's default CheckRedirect stops "after 10 redirects": it is called
  // with `via` = the requests already sent, and refuses when len(via) >= 10
  // (net/http/client.go@go1.19.8:692 and :801-806), so a probe sends at most 10 requests.
  it.each(NET_HTTP_FOLLOWING)(
    '%s gives up a redirect loop at the 10th response: 10 requests in all',
    async (profile) => {
      const loop = scenario('/healthz: 302 [location="/healthz"]...', 150, {
        initialDelayMs: 0,
        failureThreshold: 1,
      });
      const trace = await simulate(loop, { profile });
      expect(trace.probes[0]?.requests).toBe(10);
    },
  );

  // PROFILES.md §1 B: fasthttp closes its own idle connections after DefaultMaxIdleConnDuration
  // (10 s; fasthttp v1.31 connsCleaner, client.go:1643-1697, sleeps until the next expiry), so
  // at a 25 s interval the previous probe's connection is gone before the server's 12 s idle
  // timeout matters: every probe dials a new connection and succeeds.
  it.each(FASTHTTP)(
    '%s never writes into a connection idle longer than fasthttp’s 10 s MaxIdleConnDuration',
    async (profile) => {
      const slow = scenario(
        '200...',
        80_000,
        { initialDelayMs: 0, intervalMs: 25_000, requestTimeoutMs: 2000, failureThreshold: 1 },
        { idleTimeoutMs: 12_000 },
      );
      const trace = await simulate(slow, { profile });
      expect(signals(trace)).toEqual(['T@25000', 'T@50000', 'T@75000']);
    },
  );
});
