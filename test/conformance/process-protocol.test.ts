import { describe, expect, it } from 'vitest';
import {
  anchorOnObservedEnds,
  childEnv,
  observedTrace,
  parseProtocolLine,
  protocolEnv,
  protocolLineTimer,
  scaleDefinition,
  scaleScenario,
  separateTimeoutTies,
  timeoutDiffs,
  visibleToEndpoint,
} from '../../src/conformance/checker/process/index.js';
import type { Decision } from '../../src/endpoint/engine/decision.js';
import type { JournalEntry } from '../../src/endpoint/engine/journal.js';
import { parseScript, printScript } from '../../src/endpoint/script/dsl/index.js';
import { ProbekitError } from '../../src/errors.js';
import { compareTraces } from '../../src/scenario/compare.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario, Trace } from '../../src/scenario/types.js';
import { systemClock } from '../../src/time/clock.js';
import { monotonicNs, monotonicToClock } from '../../src/time/monotonic.js';

const fixtures = new Map(loadScenarios().map(({ scenario }) => [scenario.id, scenario]));
const fixture = (id: string) => fixtures.get(id) as Scenario;

describe('protocol stdout lines', () => {
  it('reads start, true and false with surrounding whitespace, and ignores blank lines and # comments', () => {
    expect(parseProtocolLine('start')).toEqual({ kind: 'start' });
    expect(parseProtocolLine('true\r')).toEqual({ kind: 'signal', value: true });
    expect(parseProtocolLine('  false ')).toEqual({ kind: 'signal', value: false });
    expect(parseProtocolLine('')).toEqual({ kind: 'ignored' });
    expect(parseProtocolLine('# probing http://127.0.0.1:1/healthz')).toEqual({ kind: 'ignored' });
  });

  it('reads the optional monotonic timestamp of protocol 2 as a BigInt, exact past 2^53', () => {
    expect(parseProtocolLine('start 5312873312881')).toEqual({ kind: 'start', monotonicNs: 5312873312881n });
    expect(parseProtocolLine(' true\t5312973400112\r')).toEqual({
      kind: 'signal',
      value: true,
      monotonicNs: 5312973400112n,
    });
    expect(parseProtocolLine('false 9007199254740993')).toEqual({
      kind: 'signal',
      value: false,
      monotonicNs: 9007199254740993n,
    });
  });

  it('treats a timestamp that is not a plain integer, or a third field, as invalid', () => {
    for (const text of ['true 1.5', 'true -5', 'true 1e9', 'start 12 13', 'false 0x10', 'true12']) {
      expect(parseProtocolLine(text)).toEqual({ kind: 'invalid', text });
    }
  });

  it('treats anything else as invalid, quoting it', () => {
    expect(parseProtocolLine('True')).toEqual({ kind: 'invalid', text: 'True' });
    expect(parseProtocolLine('healthy: true')).toEqual({ kind: 'invalid', text: 'healthy: true' });
    const long = parseProtocolLine('x'.repeat(500));
    expect(long.kind === 'invalid' && long.text.length).toBe(201);
  });
});

describe('protocol environment', () => {
  it('sets the version, the URL and only the options the scenario sets', () => {
    const env = protocolEnv(fixture('threshold-1-false-each-streak'), 'http://127.0.0.1:1/healthz');
    expect(env).toEqual({
      PROBEKIT_PROTOCOL: '2',
      PROBEKIT_SCENARIO: 'threshold-1-false-each-streak',
      PROBEKIT_URL: 'http://127.0.0.1:1/healthz',
      PROBEKIT_INITIAL_DELAY_MS: '30',
      PROBEKIT_INTERVAL_MS: '100',
      PROBEKIT_REQUEST_TIMEOUT_MS: '90',
      PROBEKIT_FAILURE_THRESHOLD: '1',
    });
    expect(protocolEnv(fixture('defaults-dapr'), 'http://x/healthz')).toEqual({
      PROBEKIT_PROTOCOL: '2',
      PROBEKIT_SCENARIO: 'defaults-dapr',
      PROBEKIT_URL: 'http://x/healthz',
    });
  });

  it('passes the read delay of a late consumer', () => {
    expect(protocolEnv(fixture('late-consumer-blocks-loop'), 'u').PROBEKIT_READ_DELAY_MS).toBe('1050');
  });

  it('removes protocol variables inherited from the caller, so unset means unset', () => {
    const env = childEnv(
      { PATH: '/bin', PROBEKIT_INTERVAL_MS: '7', PROBEKIT_READ_DELAY_MS: '9', PROBEKIT_SCENARIO: 'old' },
      { PROBEKIT_PROTOCOL: '2', PROBEKIT_URL: 'u' },
    );
    expect(env).toEqual({ PATH: '/bin', PROBEKIT_PROTOCOL: '2', PROBEKIT_URL: 'u' });
  });
});

describe('time scaling', () => {
  it('scales every time in an endpoint definition and nothing else', () => {
    const definition = parseScript(
      '/healthz: delay 40ms then 200*2, slow-body 200 over 80ms, refuse 250ms, delay 10ms..30ms then reset, hang, 503..., down from 1s until 2s, up 500ms, down 100ms',
    );
    expect(printScript(scaleDefinition(definition, 0.5))).toBe(
      '/healthz: delay 20ms then 200*2, slow-body 200 over 40ms, refuse 125ms, delay 5ms..15ms then reset, hang, 503..., down from 500ms until 1s, up 250ms, down 50ms',
    );
  });

  it('never scales a positive time down to zero', () => {
    expect(printScript(scaleDefinition(parseScript('delay 1ms then 200'), 0.1))).toBe('delay 1ms then 200');
  });

  it('rejects a scale that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, 1000]) {
      expect(() => scaleDefinition(parseScript('200'), bad)).toThrow(ProbekitError);
    }
  });

  it('uses the fixture as is at scale 1', async () => {
    const scenario = fixture('hang-times-out');
    const scaled = await scaleScenario(scenario, 1);
    expect(scaled.scenario).toBe(scenario);
    expect(scaled.expected).toBe(scenario.expected);
    expect(scaled.notes).toEqual([]);
  });

  it('scales options, read delay and duration, and re-simulates the expected trace', async () => {
    const scaled = await scaleScenario(fixture('late-consumer-blocks-loop'), 0.5);
    expect(scaled.scenario.options).toEqual({ initialDelayMs: 15, intervalMs: 50, requestTimeoutMs: 45 });
    expect(scaled.scenario.readDelayMs).toBe(525);
    expect(scaled.scenario.durationMs).toBe(625);
    const { expected: _, ...definition } = scaled.scenario;
    expect(scaled.expected).toEqual(await simulate(definition));
    expect(scaled.expected.probes.slice(0, 3).map((p) => p.start)).toEqual([50, 100, 525]);
  });

  it("passes Dapr's time defaults explicitly, scaled, and says so", async () => {
    const scaled = await scaleScenario(fixture('defaults-dapr'), 0.02);
    expect(scaled.scenario.options).toEqual({ initialDelayMs: 20, intervalMs: 100, requestTimeoutMs: 40 });
    expect(scaled.notes.join('\n')).toMatch(/defaults were passed explicitly.*PROBEKIT_INTERVAL_MS=100/);
    expect(scaled.expected.probes.map((p) => p.start)).toEqual([100, 200]);
  });
});

function decision(action: Decision['action'], status = 0, delay = 0): Decision {
  return {
    action,
    status,
    headers: undefined,
    body: undefined,
    delay,
    dribble: undefined,
    over: 0,
    source: 'script',
    route: '*',
  };
}

function entry(
  index: number,
  time: number,
  d: Decision,
  fate: JournalEntry['fate'],
  endedAt?: number,
): JournalEntry {
  return {
    index,
    time,
    method: 'GET',
    path: '/healthz',
    position: index,
    decision: d,
    explain: '',
    fate,
    endedAt,
  };
}

describe('the observed trace', () => {
  const options = { source: 'exec: test', durationMs: 1000, requestTimeoutMs: 50, tolerance: 10 };

  it('times probes and signals from the origin and names each outcome as the endpoint saw it', () => {
    const trace = observedTrace(
      {
        origin: 1000,
        entries: [
          entry(0, 1100, decision('respond', 200), 'completed', 1101),
          entry(1, 1200, decision('hang'), 'aborted', 1250),
          entry(2, 1300, decision('reset'), 'completed', 1300),
          entry(3, 1400, decision('close'), 'completed', 1400),
          entry(4, 1500, decision('malformed'), 'completed', 1500),
          entry(5, 1600, decision('hang'), 'pending'),
        ],
        signals: [{ at: 1102, value: true }],
      },
      options,
    );
    expect(trace.probes).toEqual([
      { index: 0, start: 100, end: 101, outcome: '200' },
      { index: 1, start: 200, end: 250, outcome: 'timeout' },
      { index: 2, start: 300, end: 300, outcome: 'reset' },
      { index: 3, start: 400, end: 400, outcome: 'closed' },
      { index: 4, start: 500, end: 500, outcome: 'malformed' },
      { index: 5, start: 600 },
    ]);
    expect(trace.signals).toEqual([{ at: 102, value: true }]);
  });

  it('leaves out an outcome planned within the tolerance of the deadline, which real time cannot call', () => {
    const trace = observedTrace(
      {
        origin: 0,
        entries: [
          entry(0, 100, decision('respond', 200, 50), 'completed', 150),
          entry(1, 200, decision('respond', 200, 45), 'aborted', 250),
          entry(2, 300, decision('respond', 200, 30), 'completed', 330),
        ],
        signals: [],
      },
      options,
    );
    expect(trace.probes.map((p) => p.outcome)).toEqual([undefined, undefined, '200']);
  });

  it('expects only the probes a real endpoint can see', () => {
    const visible = visibleToEndpoint(
      fixture('connection-refused').expected as NonNullable<Scenario['expected']>,
    );
    expect(visible.probes.some((p) => p.outcome === 'refused')).toBe(false);
    expect(visible.probes.every((p) => p.failureCount === undefined)).toBe(true);
    expect(visible.probes.map((p) => p.index)).toEqual(visible.probes.map((_, i) => i));
    const malformed = visibleToEndpoint(
      fixture('malformed-response').expected as NonNullable<Scenario['expected']>,
    );
    expect(malformed.probes.slice(0, 2).map((p) => p.outcome)).toEqual(['malformed', 'malformed']);
    const unsent = visibleToEndpoint(
      fixture('timeout-0-fails-unsent').expected as NonNullable<Scenario['expected']>,
    );
    expect(unsent.probes).toEqual([]);
  });
});

/** A real run of `slow-responses-stale-ticks` (130 ms responses chained on stale ticks): each link adds `perLink` ms. */
function chainedRun(perLink: number, waitForTick = -1): Trace {
  const probes: Trace['probes'] = [];
  const signals: Trace['signals'] = [];
  let start = 101;
  for (let index = 0; index < 6; index++) {
    if (index === waitForTick) start = 100 * Math.ceil(start / 100);
    const end = start + 131;
    probes.push(index < 5 ? { index, start, end, outcome: '200' } : { index, start });
    if (index < 5) signals.push({ at: end + 1, value: true });
    start = end + perLink;
  }
  return { durationMs: 800, probes, signals };
}

describe('real-time anchoring of chained probes', () => {
  const expected = visibleToEndpoint(fixture('slow-responses-stale-ticks').expected as Trace);

  it('expects a probe that starts as the previous one ends at the end the endpoint saw, so round trips do not pile up', () => {
    const actual = chainedRun(3);
    expect(compareTraces(expected, actual, { tolerance: 10 }).length).toBeGreaterThan(0);
    expect(compareTraces(anchorOnObservedEnds(expected, actual), actual, { tolerance: 10 })).toEqual([]);
  });

  it('still catches a probe that waited for the next tick instead of taking the stale one', () => {
    const actual = chainedRun(3, 2);
    const diffs = compareTraces(anchorOnObservedEnds(expected, actual), actual, { tolerance: 10 });
    expect(diffs[0]).toMatchObject({ kind: 'probe-time', index: 2 });
  });

  it('keeps probes on the ticker grid absolute', () => {
    const grid = visibleToEndpoint(fixture('all-200-true-every-probe').expected as Trace);
    const late: Trace = {
      ...grid,
      probes: grid.probes.map((p) => ({ ...p, start: p.start + 20, end: (p.end ?? 0) + 20 })),
    };
    expect(anchorOnObservedEnds(grid, late).probes.map((p) => p.start)).toEqual(
      grid.probes.map((p) => p.start),
    );
  });

  it('flags a client that gave up long after its timeout', () => {
    const actual: Trace = {
      durationMs: 450,
      probes: [
        { index: 0, start: 100, end: 151, outcome: 'timeout' },
        { index: 1, start: 200, end: 300, outcome: 'timeout' },
      ],
      signals: [],
    };
    expect(timeoutDiffs(actual, 50, 10)).toEqual([
      {
        kind: 'probe-time',
        index: 1,
        at: 250,
        expected: 'gives up at 250ms (request at 200ms + timeout 50ms)',
        actual: 'gave up at 300ms',
      },
    ]);
  });
});

describe('answers due at the very instant of the timeout', () => {
  it('are served a little later in real time, where a tie is a coin toss', () => {
    const { definition, moved } = separateTimeoutTies(
      parseScript(fixture('delay-equal-timeout-fails').script),
      90,
      11,
    );
    expect(printScript(definition)).toBe('delay 101ms then 200*2, 200...');
    expect(moved).toBe(1);
  });

  it('counts a dribble in the answer time, and leaves hangs, random delays and other times alone', () => {
    const { definition, moved } = separateTimeoutTies(
      parseScript(
        'slow-body 200 over 50ms, delay 20ms then slow-headers 200 over 30ms, hang, delay 10ms..50ms then 200, delay 49ms then 200, reset',
      ),
      50,
      5,
    );
    expect(printScript(definition)).toBe(
      'delay 5ms then slow-body 200 over 50ms, delay 25ms then slow-headers 200 over 30ms, hang, delay 10ms..50ms then 200, delay 49ms then 200, reset',
    );
    expect(moved).toBe(2);
  });
});

// Unit tests of the line timer: a monotonic clock that is simply ns / 10^6 on probekit's axis,
// so every time below is exact. Spawned at 10 ms; each line "arrives" at the time given.
const ms = (n: number) => BigInt(Math.round(n * 1e6));
const toClock = (ns: bigint) => Number(ns) / 1e6;
const timer = () => protocolLineTimer(systemClock, toClock);
const SPAWN = 10;
const problemOf = (result: number | { problem: string }) =>
  typeof result === 'number' ? '' : result.problem;

describe('protocol 2 timestamps', () => {
  it('times a stamped line at its stamp, put on the clock axis, not at its arrival', () => {
    const time = timer();
    expect(time(`start ${ms(20)}`, 95, SPAWN)).toBe(20);
    expect(time(`true ${ms(70)}`, 100, SPAWN)).toBe(70);
  });

  it('times a bare (protocol 1) line, a comment or an invalid line on arrival', () => {
    const time = timer();
    expect(time('start', 95, SPAWN)).toBe(95);
    expect(time('# probing', 96, SPAWN)).toBe(96);
    expect(time('healthy', 97, SPAWN)).toBe(97);
  });

  it('allows a stamp up to 1 ms after the arrival, for the clock reads of two processes', () => {
    expect(timer()(`true ${ms(100.9)}`, 100, SPAWN)).toBeCloseTo(100.9, 9);
  });

  it('refuses a stamp later than the arrival, naming the line and the likely wall clock', () => {
    const wall = 1_764_500_000_000_000_000n; // CLOCK_REALTIME in ns, late 2025
    const problem = problemOf(timer()(`true ${wall}`, 100, SPAWN));
    expect(problem).toContain(`printed "true ${wall}", a time`);
    expect(problem).toContain('after probekit read that line');
    expect(problem).toContain('wall clock (CLOCK_REALTIME');
    expect(problem).toContain('time.monotonic_ns()');
    expect(problemOf(timer()(`true ${ms(101.5)}`, 100, SPAWN))).toMatch(/a time 1\.5 ms after probekit read/);
  });

  it('refuses a stamp earlier than the spawn, telling milliseconds and microseconds from ns', () => {
    expect(problemOf(timer()('start 50', 100, SPAWN))).toMatch(
      /printed "start 50", a time .* before the process was spawned.*looks like milliseconds, not nanoseconds/,
    );
    expect(problemOf(timer()('start 50000', 100, SPAWN))).toContain(
      'looks like microseconds, not nanoseconds',
    );
    expect(problemOf(timer()(`true ${ms(8.5)}`, 100, SPAWN))).toMatch(
      /a time 1\.5 ms before the process was spawned/,
    );
    expect(problemOf(timer()('true 0', 100, SPAWN))).not.toContain('looks like');
  });

  it('refuses a stamp earlier than the previous one, naming both lines', () => {
    const time = timer();
    expect(time(`start ${ms(30)}`, 40, SPAWN)).toBe(30);
    expect(time('true', 45, SPAWN)).toBe(45); // a bare line does not count
    const problem = problemOf(time(`false ${ms(29)}`, 50, SPAWN));
    expect(problem).toContain(
      `printed "false ${ms(29)}", a time 1.0 ms before that of the line before it ("start ${ms(30)}")`,
    );
    expect(problem).toContain('must not go backwards');
  });

  it('accepts equal stamps on consecutive lines', () => {
    const time = timer();
    expect(time(`start ${ms(30)}`, 40, SPAWN)).toBe(30);
    expect(time(`true ${ms(30)}`, 40, SPAWN)).toBe(30);
  });

  it("puts this process's own monotonic clock on the system clock's axis, between two reads of it", () => {
    const onAxis = monotonicToClock(systemClock);
    const before = systemClock.now;
    const ns = monotonicNs();
    const after = systemClock.now;
    // performance.now() and hrtime share one source: the offset is exact to well under 10 µs.
    expect(onAxis(ns)).toBeGreaterThanOrEqual(before - 0.01);
    expect(onAxis(ns)).toBeLessThanOrEqual(after + 0.01);
  });
});
