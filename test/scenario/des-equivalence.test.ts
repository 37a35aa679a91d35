import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateEvents } from '../../src/scenario/des/index.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { simulate, simulateAsync } from '../../src/scenario/simulate.js';
import type { Scenario, ScenarioOptions, Trace } from '../../src/scenario/types.js';
import { yieldToEventLoop } from '../../src/time/yield.js';

/**
 * The discrete-event simulator against the async checker on a fake-timers clock: over random
 * scenarios the two traces are the same, field for field and in the same key order (the CLI
 * writes traces as JSON).
 */

function base(options: ScenarioOptions, script: string, durationMs: number): Scenario {
  return { id: 'des', description: 'des', rules: [], level: 'core', options, script, durationMs };
}

/** Both traces; fails the property with the scenario in the message when they differ. */
async function expectSameTrace(scenario: Scenario): Promise<Trace> {
  const expected = await simulateAsync(scenario);
  const actual = simulateEvents(scenario);
  expect(actual, JSON.stringify(scenario)).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  return expected;
}

// --- scripts in the endpoint DSL, on the scenario's time scale --------------------------------

const ms = (max: number) => fc.integer({ min: 0, max }).map((n) => `${n}ms`);
const positive = (max: number) => fc.integer({ min: 1, max }).map((n) => `${n}ms`);

function latency(scale: number): fc.Arbitrary<string> {
  return fc.oneof(
    ms(scale),
    fc
      .tuple(fc.integer({ min: 0, max: scale }), fc.integer({ min: 0, max: scale }))
      .map(([a, b]) => `${Math.min(a, b)}ms..${Math.max(a, b)}ms`),
    fc.tuple(ms(scale), ms(Math.floor(scale / 2))).map(([mean, sd]) => `normal(${mean}, ${sd})`),
    ms(scale).map((mean) => `exp(${mean})`),
  );
}

/** One step that answers (may stand in a choice or a window): every kind the DSL has. */
function answering(scale: number): fc.Arbitrary<string> {
  const status = fc.constantFrom(200, 200, 200, 503, 500, 204, 302);
  const action = fc.oneof(
    { arbitrary: status.map(String), weight: 6 },
    { arbitrary: fc.constantFrom('reset', 'close', 'malformed'), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('slow-body', 'slow-headers'), status, positive(scale))
        .map(([kind, code, over]) => `${kind} ${code} over ${over}`),
      weight: 2,
    },
  );
  return fc.oneof(
    { arbitrary: action, weight: 5 },
    { arbitrary: fc.tuple(latency(scale), action).map(([d, a]) => `delay ${d} then ${a}`), weight: 3 },
    { arbitrary: fc.constant('hang'), weight: 1 },
  );
}

function item(scale: number): fc.Arbitrary<string> {
  const step = fc.oneof(
    { arbitrary: answering(scale), weight: 6 },
    { arbitrary: positive(3 * scale).map((d) => `refuse ${d}`), weight: 1 },
  );
  const choice = fc
    .array(fc.tuple(answering(scale), fc.integer({ min: 1, max: 9 })), { minLength: 2, maxLength: 3 })
    .map((options) => `(${options.map(([s, w]) => `${s}@${w}`).join(' | ')})`);
  const repeated = fc
    .tuple(fc.oneof(step, choice), fc.integer({ min: 1, max: 4 }))
    .map(([s, n]) => `${s}*${n}`);
  const group = fc
    .array(fc.oneof(step, repeated), { minLength: 1, maxLength: 3 })
    .chain((items) => fc.integer({ min: 1, max: 3 }).map((n) => `(${items.join(', ')})*${n}`));
  return fc.oneof(
    { arbitrary: step, weight: 5 },
    { arbitrary: choice, weight: 1 },
    { arbitrary: repeated, weight: 2 },
    { arbitrary: group, weight: 1 },
  );
}

function script(scale: number): fc.Arbitrary<string> {
  const overlay = fc.option(fc.oneof(answering(scale), fc.constant('refuse')), { nil: undefined });
  const window = fc
    .tuple(fc.integer({ min: 0, max: 20 * scale }), fc.integer({ min: 1, max: 10 * scale }), overlay)
    .map(
      ([from, length, as]) =>
        `down from ${from}ms until ${from + length}ms${as === undefined ? '' : ` as ${as}`}`,
    );
  const flap = fc
    .tuple(positive(10 * scale), positive(10 * scale), overlay)
    .map(([up, down, as]) => `up ${up}, down ${down}${as === undefined ? '' : ` as ${as}`}`);
  return fc
    .record({
      items: fc.array(item(scale), { maxLength: 5 }),
      ending: fc.constantFrom('', '...', ', cycle', ', end'),
      windows: fc.array(window, { maxLength: 2 }),
      flap: fc.option(flap, { nil: undefined }),
    })
    .map(({ items, ending, windows, flap: f }) => {
      const parts = [...items];
      if (parts.length > 0 && ending === '...') parts[parts.length - 1] = `(${parts.at(-1)})...`;
      const overlays = [...windows, ...(f ? [f] : [])];
      if (parts.length === 0 && overlays.length === 0) parts.push('200');
      let text = [...parts, ...overlays].join(', ');
      if (items.length > 0 && (ending === ', cycle' || ending === ', end')) text += ending;
      return text;
    });
}

// --- scenarios ---------------------------------------------------------------------------------

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 250 })
  .chain((interval) =>
    fc.record({
      interval: fc.constant(interval),
      initialDelay: fc.option(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 6 }).map((k) => k * interval), // on a tick
          fc.integer({ min: 0, max: 12 * interval }), // anywhere, past several ticks
        ),
        { nil: undefined },
      ),
      timeout: fc.option(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: interval }),
          fc.integer({ min: interval, max: 4 * interval }), // longer than the interval
        ),
        { nil: undefined },
      ),
      threshold: fc.option(fc.integer({ min: -2, max: 4 }), { nil: undefined }),
      success: fc.option(fc.constantFrom(200, 204, 503), { nil: undefined }),
      ticks: fc.integer({ min: 0, max: 40 }),
      extra: fc.integer({ min: 0, max: interval }),
      read: fc.option(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 30 }).map((k) => k * interval), // on a tick
          fc.integer({ min: 1, max: 40 * interval }),
        ),
        { nil: undefined },
      ),
      seed: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }),
      script: script(interval),
    }),
  )
  .map((s) => {
    const options: ScenarioOptions = { intervalMs: s.interval };
    if (s.initialDelay !== undefined) options.initialDelayMs = s.initialDelay;
    if (s.timeout !== undefined) options.requestTimeoutMs = s.timeout;
    if (s.threshold !== undefined) options.failureThreshold = s.threshold;
    if (s.success !== undefined) options.successStatusCode = s.success;
    const scenario = base(options, s.script, Math.max(1, s.ticks * s.interval + s.extra));
    if (s.read !== undefined) scenario.readDelayMs = s.read;
    if (s.seed !== undefined) scenario.seed = s.seed;
    return scenario;
  });

describe('the event simulator gives the async checker’s trace', () => {
  it('for random options, scripts of every step kind, and readers', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        await expectSameTrace(scenario);
      }),
      // About three seconds; thousands of runs (6000 and 4000 with two seeds) passed while it was built.
      { numRuns: 200 },
    );
  }, 60_000);

  it('for readers that start on ticks, answers, and timeouts (the instants where loop and reader meet)', async () => {
    // Answers due on ticks and at once, many signals (threshold 1), reads on or next to those instants.
    const busy = fc
      .record({
        interval: fc.integer({ min: 1, max: 20 }),
        ticks: fc.integer({ min: 2, max: 30 }),
        readTicks: fc.integer({ min: 0, max: 25 }),
        readShift: fc.integer({ min: -1, max: 1 }),
        timeoutTicks: fc.integer({ min: 0, max: 3 }),
        steps: fc.array(
          fc.oneof(
            fc.constantFrom('200', '503', 'hang', 'reset'),
            fc.integer({ min: 0, max: 3 }).map((k) => `delay ${k}ms then 200`),
          ),
          { minLength: 1, maxLength: 6 },
        ),
      })
      .map((r) => {
        const scenario = base(
          {
            intervalMs: r.interval,
            initialDelayMs: 0,
            requestTimeoutMs: r.timeoutTicks * r.interval,
            failureThreshold: 1,
          },
          `(${r.steps.join(', ')})...`,
          r.ticks * r.interval,
        );
        scenario.readDelayMs = Math.max(0, r.readTicks * r.interval + r.readShift);
        return scenario;
      });
    await fc.assert(
      fc.asyncProperty(busy, async (scenario) => {
        await expectSameTrace(scenario);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it.each([
    ['a late reader at the very instant of a tick', { intervalMs: 100, initialDelayMs: 30 }, '200...', 1000],
    ['a late reader while the loop waits for a tick', { intervalMs: 100, initialDelayMs: 0 }, '200...', 1050],
    ['a reader on a tick when answers are slow', { intervalMs: 100 }, 'delay 100ms then 200...', 700],
  ] as const)('for %s', async (_, options, script, readDelayMs) => {
    const trace = await expectSameTrace({ ...base({ ...options }, script, 1500), readDelayMs });
    expect(trace.signals.length).toBeGreaterThan(3);
  });

  it('for a read delay longer than the longest timer (reached through a chain of timers)', async () => {
    const tick = 2 ** 29;
    const scenario = {
      ...base({ intervalMs: tick, initialDelayMs: 0 }, '200...', 6 * tick),
      readDelayMs: 2 ** 31 + 5,
    };
    const trace = await expectSameTrace(scenario);
    const read = 2 ** 31 + 5;
    // Two values waited; the unblocked loop takes the stale tick at once; then ticks 5 and 6.
    expect(trace.signals.map((s) => s.at)).toEqual([read, read, read, 5 * tick, 6 * tick]);
  });

  it('for the defaults (no options set): the first probe at 5000', async () => {
    const trace = await expectSameTrace(base({}, '200, 503*3, 200...', 30_000));
    expect(trace.probes[0]?.start).toBe(5000);
  });

  it('leaves times that are not whole milliseconds to the async checker', () => {
    expect(simulateEvents(base({ intervalMs: 100.5 }, '200...', 1000))).toBeUndefined();
    expect(
      simulateEvents({ ...base({ intervalMs: 100 }, '200...', 1000), readDelayMs: 0.5 }),
    ).toBeUndefined();
  });
});

describe('simulate()', () => {
  it('runs on the event simulator, and on the async checker for times that are not whole ms', async () => {
    const whole = base({ intervalMs: 100, initialDelayMs: 250 }, '200, 503*2, hang, 200...', 1000);
    expect(await simulate(whole)).toStrictEqual(simulateEvents(whole));
    const fractional = base({ intervalMs: 100.5, initialDelayMs: 0 }, '200, 503*2, 200...', 1000);
    const trace = await simulate(fractional);
    expect(trace).toStrictEqual(await simulateAsync(fractional));
    expect(trace.probes[0]?.start).toBe(101); // fake-timers rounds the tick's timer up
  });

  it('yields to the event loop during a long run (Ctrl-C in probekit explain), with the same trace', async () => {
    const long = base(
      { intervalMs: 1, initialDelayMs: 0, requestTimeoutMs: 1 },
      '(200, 503, hang)...',
      30_000,
    );
    let yielded = false;
    void yieldToEventLoop().then(() => {
      yielded = true;
    });
    const trace = await simulate(long);
    expect(yielded).toBe(true);
    expect(trace).toStrictEqual(simulateEvents(long));
    expect(trace.probes.length).toBeGreaterThan(20_000);
  });
});

describe('the event simulator on the shipped fixtures', () => {
  it.each(loadScenarios().map((f) => [f.scenario.id, f.scenario] as const))(
    '%s gives its expected trace',
    (_, scenario) => {
      expect(simulateEvents(scenario)).toStrictEqual(scenario.expected);
    },
  );
});
