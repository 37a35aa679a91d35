import { describe, expect, it } from 'vitest';
import { judgeBehaviour } from '../../src/conformance/checker/process/behaviour.js';
import { judgeRun } from '../../src/conformance/checker/process/verdict.js';
import type { JournalEntry } from '../../src/endpoint/engine/journal.js';
import { formatDiff } from '../../src/scenario/compare.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { profileAdapter, referenceAdapter } from '../../src/scenario/reference-adapter.js';
import type { Trace } from '../../src/scenario/types.js';
import { mutant } from './mutants.js';
import { judgeInVirtualTime, lateClock } from './support/judge-virtual.js';

const scenarios = loadScenarios().map((file) => file.scenario);
// In process there are no keep-alive connections to lose: a scenario that stages the loss of
// one (its own idleTimeoutMs) is judged in real time only (test/conformance/process-python.test.ts).
const judged = scenarios.filter(
  (s) => (s.level === 'core' || s.level === 'backpressure') && s.idleTimeoutMs === undefined,
);

describe('the real-time verdict judges behaviour, not the clock', () => {
  it('passes the reference checker on every core and backpressure scenario', async () => {
    const failures: string[] = [];
    for (const scenario of judged) {
      const verdict = await judgeInVirtualTime(scenario, referenceAdapter);
      if (verdict.diffs.length)
        failures.push(`${scenario.id}: ${formatDiff(verdict.diffs, verdict.shownExpected, verdict.actual)}`);
    }
    expect(failures).toEqual([]);
  });

  it.each([1, 2, 3])(
    'passes a faithful checker whose every timer fires 0–20 ms late (noise seed %i)',
    async (seed) => {
      const failures: string[] = [];
      for (const scenario of judged) {
        const verdict = await judgeInVirtualTime(scenario, referenceAdapter, {
          checkerClock: (clock) => lateClock(clock, 20, seed * 7919 + scenario.id.length),
        });
        if (verdict.diffs.length)
          failures.push(
            `${scenario.id}: ${formatDiff(verdict.diffs, verdict.shownExpected, verdict.actual)}`,
          );
      }
      expect(failures).toEqual([]);
    },
  );

  it('fails a checker that emits an initial false, headlined as one extra signal', async () => {
    const scenario = scenarios.find((s) => s.id === 'all-200-true-every-probe');
    expect(scenario).toBeDefined();
    const verdict = await judgeInVirtualTime(
      scenario as NonNullable<typeof scenario>,
      mutant('initial false', { initialFalse: true }),
    );
    expect(verdict.diffs[0]).toMatchObject({ kind: 'extra-signal', index: 0, at: 0 });
    expect(verdict.diffs[0]?.actual).toMatch(/^false at 0ms \(before any probe ended\)/);
    // One inserted value, not every later value reported as changed.
    expect(verdict.diffs.filter((d) => d.kind !== 'signal-time')).toHaveLength(1);
  });

  it('fails a checker without back-pressure with a probe while the loop should be blocked', async () => {
    const scenario = scenarios.find((s) => s.id === 'late-consumer-blocks-loop');
    const verdict = await judgeInVirtualTime(
      scenario as NonNullable<typeof scenario>,
      mutant('no back-pressure', { noBackpressure: true }),
    );
    expect(verdict.diffs.map((d) => d.kind)).toContain('probe-while-blocked');
  });

  it('fails a checker that does not enforce the timeout: it stops probing, stuck on the hang', async () => {
    const scenario = scenarios.find((s) => s.id === 'hang-times-out');
    const verdict = await judgeInVirtualTime(
      scenario as NonNullable<typeof scenario>,
      mutant('timeout not enforced', { noTimeout: true }),
    );
    expect(verdict.diffs[0]?.kind).toBe('missing-probe');
    expect(verdict.diffs[0]?.actual).toMatch(/still waiting for the client at the cut/);
  });

  it('fails a checker that re-sends false (Dapr v1.1) where the loop should probe on, though the extra falses fall in the last tolerance', async () => {
    const scenario = scenarios.find((s) => s.id === 'late-consumer-failures-do-not-block');
    const verdict = await judgeInVirtualTime(
      scenario as NonNullable<typeof scenario>,
      mutant('false repeats', { falseRepeats: true }),
    );
    expect(verdict.diffs[0]?.kind).toBe('missing-probe');
    expect(verdict.diffs[0]?.expected).toMatch(/nothing blocks the loop/);
  });

  it.each([
    ['false repeats (Dapr v1.1)', { falseRepeats: true }, 'all-503-single-false', 'extra-signal'],
    ['threshold >= instead of ==', { thresholdGte: true }, 'streaks-one-false-per-streak', 'extra-signal'],
    ['no reset on success', { noResetOnSuccess: true }, 'streaks-one-false-per-streak', 'missing-signal'],
    ['any 2xx is success', { any2xx: true }, 'status-204-is-failure-for-200', 'extra-signal'],
  ] as const)('fails "%s" on %s with a %s headline', async (name, bug, id, kind) => {
    const scenario = scenarios.find((s) => s.id === id);
    const verdict = await judgeInVirtualTime(scenario as NonNullable<typeof scenario>, mutant(name, bug));
    expect(verdict.diffs[0]?.kind).toBe(kind);
    expect(verdict.diffs[0]?.at).toBeLessThan(scenario?.durationMs ?? 0);
  });
});

describe('outcomes real time cannot call are read either way', () => {
  const decision = (action: 'respond' | 'reset', status = 0) =>
    ({
      action,
      status,
      headers: undefined,
      body: undefined,
      delay: 0,
      dribble: undefined,
      over: 0,
      source: 'script',
      route: '/healthz',
    }) as const;
  const entry = (
    index: number,
    time: number,
    endedAt: number,
    action: 'respond' | 'reset',
    status = 0,
  ): JournalEntry => ({
    index,
    time,
    method: 'GET',
    path: '/healthz',
    position: index,
    decision: decision(action, status),
    explain: '',
    fate: 'completed',
    endedAt,
  });
  const expected: Trace = {
    durationMs: 450,
    probes: [100, 200, 300, 400].map((start, index) => ({
      index,
      start,
      end: start,
      outcome: index < 2 ? 'reset' : '200',
    })),
    signals: [],
  };
  const context = {
    durationMs: 450,
    requestTimeoutMs: 50,
    failureThreshold: 2,
    successStatusCode: 200,
    readDelayMs: 0,
    tolerance: 10,
    probePath: '/healthz',
    intervalMs: 100,
  };

  it('accepts a timeout for a 200 whose request reached a stalled endpoint 61 ms after its tick (measured on Dapr v1.0)', () => {
    const entries = [
      entry(0, 110, 110, 'reset'),
      entry(1, 201, 201, 'reset'),
      entry(2, 361.6, 362, 'respond', 200),
      entry(3, 405, 405.5, 'respond', 200),
    ];
    const signals = [
      { at: 201.6, value: false },
      { at: 405.6, value: true },
    ];
    expect(judgeBehaviour(entries, 0, signals, expected, context).diffs).toEqual([]);
  });

  it('fails a value printed before the request that causes it was sent', () => {
    const failing: Trace = { ...expected, probes: expected.probes.map((p) => ({ ...p, outcome: 'reset' })) };
    const entries = [entry(0, 100, 100, 'reset'), entry(1, 200, 200, 'reset')];
    const diffs = judgeBehaviour(entries, 0, [{ at: 150, value: false }], failing, {
      ...context,
      durationMs: 250,
    }).diffs;
    expect(diffs.map((d) => d.kind)).toEqual(['signal-before-cause']);
  });

  it('tolerates a 265 ms stall that a busy machine put between two probes (measured on the Python example)', () => {
    const scenario = scenarios.find((x) => x.id === 'threshold-negative-never-false') as NonNullable<
      (typeof scenarios)[number]
    >;
    const statuses = [503, 503, 200, 503];
    const entries = [103.3, 369.1, 404.5, 504.2].map((time, index) =>
      entry(index, time, time + 0.8, 'respond', statuses[index]),
    );
    const verdict = judgeRun({
      scenario,
      expected: scenario.expected as Trace,
      observation: { origin: 0, entries, signals: [{ at: 405.5, value: true }] },
      tolerance: 10,
      requestTimeoutMs: 50,
      probePath: '/healthz',
      source: 'test',
    });
    expect(verdict.diffs).toEqual([]);
  });

  it('fails a consumer that reads before PROBEKIT_READ_DELAY_MS: nothing about blocking is tested then', () => {
    const scenario = scenarios.find((x) => x.id === 'late-consumer-blocks-loop') as NonNullable<
      (typeof scenarios)[number]
    >;
    const times = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200];
    const entries = times.map((time, index) => entry(index, time, time + 0.5, 'respond', 200));
    const verdict = judgeRun({
      scenario,
      expected: scenario.expected as Trace,
      observation: { origin: 0, entries, signals: times.map((time) => ({ at: time + 1, value: true })) },
      tolerance: 10,
      requestTimeoutMs: 50,
      probePath: '/healthz',
      source: 'test',
    });
    expect(verdict.diffs.map((d) => d.kind)).toContain('read-too-early');
  });

  it('reads a 200 as in time when a stalled endpoint recorded its end 124 ms late but the client printed true at once (measured on Dapr v1.0)', () => {
    const entries = [
      entry(0, 110, 110, 'reset'),
      entry(1, 204, 214, 'reset'),
      entry(2, 306.7, 430.6, 'respond', 200),
    ];
    const signals = [
      { at: 214.6, value: false },
      { at: 307, value: true },
    ];
    expect(judgeBehaviour(entries, 0, signals, expected, context).diffs).toEqual([]);
  });

  it('picks the reading of two uncertain probes that keeps every value after its cause (measured on Dapr v1.0)', () => {
    const allOk: Trace = { ...expected, probes: expected.probes.map((p) => ({ ...p, outcome: '200' })) };
    // The first request reached a stalled endpoint 46 ms after its tick; the third timed out for the client.
    const entries = [
      entry(0, 146, 146.2, 'respond', 200),
      entry(1, 213.5, 213.6, 'respond', 200),
      entry(2, 377.6, 377.8, 'respond', 200),
      entry(3, 409.9, 410, 'respond', 200),
    ];
    const signals = [147.2, 218.1, 410.2].map((at) => ({ at, value: true }));
    expect(judgeBehaviour(entries, 0, signals, allOk, context).diffs).toEqual([]);
  });

  it('forgives a value caused in the last half interval that a stalled process printed after the cut (measured on Dapr v1.0), not one caused earlier', () => {
    const allOk: Trace = { ...expected, probes: expected.probes.map((p) => ({ ...p, outcome: '200' })) };
    const answered = [100, 200, 300, 401.1].map((t, i) => entry(i, t, t + 0.5, 'respond', 200));
    const printed = [100.6, 200.6, 300.6, 401.7].map((at) => ({ at, value: true }));
    const late = { ...context, durationMs: 450 };
    expect(judgeBehaviour(answered, 0, printed.slice(0, 3), allOk, late).diffs).toEqual([]);
    const diffs = judgeBehaviour(
      answered,
      0,
      [printed[0], printed[1], printed[3]].filter((p) => p !== undefined),
      allOk,
      late,
    ).diffs;
    expect(diffs.map((d) => d.kind)).toEqual(['missing-signal']);
  });

  it('lets a checker stalled through a refusal window have made no refused probe (measured on the example adapter), but not one that was on time', () => {
    const scenario = scenarios.find((x) => x.id === 'connection-refused') as NonNullable<
      (typeof scenarios)[number]
    >;
    const judge = (times: number[], signals: number[]) =>
      judgeRun({
        scenario,
        expected: scenario.expected as Trace,
        observation: {
          origin: 0,
          entries: times.map((t, i) => entry(i, t, t + 0.5, 'respond', 200)),
          signals: signals.map((at) => ({ at, value: true })),
        },
        tolerance: 10,
        requestTimeoutMs: scenario.options.requestTimeoutMs ?? 90,
        probePath: '/healthz',
        source: 'test',
      }).diffs;
    // First request 127 ms after its tick: the ticks at 100 and 200 were dropped by a stall.
    expect(judge([427.7, 448.3], [436.6, 451.4])).toEqual([]);
    // On time at 300 and 400, yet no false for the refusals before: they were ignored.
    expect(judge([300.5, 400.5], [301, 401]).map((d) => d.kind)).toContain('missing-signal');
  });

  it('still requires true for a 200 answered at once to a request that came on time', () => {
    const entries = [
      entry(0, 100, 100, 'reset'),
      entry(1, 200, 200, 'reset'),
      entry(2, 301, 301.5, 'respond', 200),
      entry(3, 401, 401.5, 'respond', 200),
    ];
    const signals = [
      { at: 200.6, value: false },
      { at: 401.6, value: true },
    ];
    const diffs = judgeBehaviour(entries, 0, signals, expected, context).diffs;
    expect(diffs.map((d) => d.kind)).toEqual(['missing-signal']);
    expect(diffs[0]?.expected).toMatch(/^true \(after the probe at 301ms/);
  });
});

describe('the real-time verdict under a profile', () => {
  const fixture = (id: string) => scenarios.find((s) => s.id === id) as (typeof scenarios)[number];

  it("blocks v1.1 as it blocks v1.0: a goroutine-per-tick checker that probes on while nobody reads fails dapr-1.1's back-pressure", async () => {
    const scenario = fixture('late-consumer-blocks-loop');
    const asF = await judgeInVirtualTime(scenario, profileAdapter('dapr-1.10.5'), { profile: 'dapr-1.1' });
    expect(asF.diffs.map((d) => d.kind)).toContain('probe-while-blocked');
    const own = await judgeInVirtualTime(scenario, profileAdapter('dapr-1.10.5'), { profile: 'dapr-1.10.5' });
    expect(own.diffs).toEqual([]);
    const v11 = await judgeInVirtualTime(scenario, profileAdapter('dapr-1.1'), { profile: 'dapr-1.1' });
    expect(v11.diffs).toEqual([]);
  });

  it('passes every profile judged as itself on every fixture its loop can show in process', async () => {
    const failures: string[] = [];
    for (const profile of ['dapr-1.1', 'dapr-1.9', 'dapr-1.10.5', 'dapr-1.13']) {
      for (const scenario of judged) {
        if (/location|slow-|reset|close/.test(scenario.script)) continue; // client rules: real time only
        const verdict = await judgeInVirtualTime(scenario, profileAdapter(profile), { profile });
        if (verdict.diffs.length) failures.push(`${profile} ${scenario.id}: ${verdict.diffs[0]?.kind}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('a status judged at the headers (net/http profiles)', () => {
  // slow-body-too-slow as the endpoint sees it: headers at once, the body dribbled past the 90 ms
  // timeout, the client hanging up at its deadline mid-body.
  const slowBody: JournalEntry = {
    index: 0,
    time: 100,
    method: 'GET',
    path: '/healthz',
    position: 0,
    decision: {
      action: 'respond',
      status: 200,
      headers: undefined,
      body: 'x',
      delay: 0,
      dribble: 'body',
      over: 250,
      source: 'script',
      route: '/healthz',
    },
    explain: '',
    fate: 'aborted',
    endedAt: 190,
  };
  const expected: Trace = {
    durationMs: 300,
    probes: [{ index: 0, start: 100, end: 100, outcome: '200' }],
    signals: [],
  };
  const context = {
    durationMs: 300,
    requestTimeoutMs: 90,
    failureThreshold: 1,
    successStatusCode: 200,
    readDelayMs: 0,
    tolerance: 10,
    probePath: '/healthz',
    intervalMs: 100,
  };

  it('reads a hang-up mid-body as the status the headers brought, under dapr-1.10.5', () => {
    const printed = [{ at: 101, value: true }];
    expect(
      judgeBehaviour([slowBody], 0, printed, expected, { ...context, profile: 'dapr-1.10.5' }).diffs,
    ).toEqual([]);
  });

  it('reads it as a timeout under dapr-1.0, whose fasthttp needs the whole body', () => {
    const printed = [{ at: 101, value: true }];
    const diffs = judgeBehaviour([slowBody], 0, printed, expected, context).diffs;
    expect(diffs.length).toBeGreaterThan(0);
  });
});
