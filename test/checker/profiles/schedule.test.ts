import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../../src/checker/profiles/catalogue.js';
import { loadScenarios, simulateProfileOutcome } from '../../../src/scenario/fixtures.js';
import { simulate } from '../../../src/scenario/simulate.js';
import type { Scenario, Trace } from '../../../src/scenario/types.js';

/**
 * PROFILES.md §2's summary table, row by row, through `simulate(scenario, { profile })` on the
 * checker fixtures: first tick, the tick taken during the delay, back-pressure, the default
 * timeout and interval, and no initial value.
 */

const files = loadScenarios();
const fixtures = new Map(files.map(({ scenario }) => [scenario.id, scenario]));

function fixture(id: string): Scenario {
  const scenario = fixtures.get(id);
  if (!scenario) throw new Error(`no fixture ${id}`);
  return scenario;
}

const starts = (trace: Trace): number[] => trace.probes.map((p) => p.start);

const TICKER_FIRST = ['dapr-0.6', 'dapr-1.0', 'dapr-1.1', 'dapr-1.9', 'dapr-1.10.5'] as const;
const AT_ONCE = ['dapr-1.13', 'dapr-apphealth-1.12', 'dapr-apphealth-1.16'] as const;
const CHANNEL_OF_ONE = ['dapr-0.6', 'dapr-1.0', 'dapr-1.1', 'dapr-1.9'] as const;

describe('the first probe', () => {
  it.each(TICKER_FIRST)('%s probes at the first tick, one interval after the call', async (profile) => {
    const trace = await simulate(fixture('first-probe-at-first-tick'), { profile });
    expect(starts(trace)).toEqual([100, 200, 300]);
  });

  it.each(TICKER_FIRST)(
    '%s takes the tick that waited during a 250 ms delay at its end, and drops the next',
    async (profile) => {
      const trace = await simulate(fixture('delay-250-drops-tick-200'), { profile });
      expect(starts(trace)).toEqual([250, 300, 400]);
      expect(trace.ticks?.dropped).toEqual([200]);
    },
  );

  it.each(AT_ONCE)('%s probes at once and has no initial delay', async (profile) => {
    const trace = await simulate(fixture('delay-250-drops-tick-200'), { profile });
    expect(starts(trace)).toEqual([0, 100, 200, 300, 400]);
    expect(trace.delayEnd).toBeUndefined();
  });
});

describe('back-pressure on the loop (late-consumer-blocks-loop: the reader starts at 1050)', () => {
  it.each(CHANNEL_OF_ONE)(
    '%s (a channel of one) blocks at its second value, until the read',
    async (profile) => {
      const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile });
      expect(trace.blocked).toEqual([{ from: 200, to: 1050 }]);
    },
  );

  it('dapr-1.10.5 never blocks its loop: each probe waits for the channel in a goroutine of its own', async () => {
    const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile: 'dapr-1.10.5' });
    expect(trace.blocked).toBeUndefined();
    expect(trace.probes).toHaveLength(12);
  });

  it('dapr-1.13 (an unbuffered channel) blocks at its first value', async () => {
    const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile: 'dapr-1.13' });
    expect(trace.blocked).toEqual([{ from: 0, to: 1050 }]);
  });

  it.each(['dapr-apphealth-1.12', 'dapr-apphealth-1.16'])(
    '%s reports through a callback and never blocks',
    async (profile) => {
      const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile });
      expect(trace.blocked).toBeUndefined();
      expect(starts(trace).slice(0, 4)).toEqual([0, 100, 200, 300]);
    },
  );
});

describe('defaults', () => {
  // defaults-threshold-and-timeout leaves the timeout to the checker; its 4th probe hangs.
  it.each([
    ['dapr-0.6', 500],
    ['dapr-1.0', 2000],
    ['dapr-1.1', 2000],
    ['dapr-1.9', 2000],
    ['dapr-1.10.5', 2000],
    ['dapr-1.13', 2000],
    ['dapr-apphealth-1.12', 500],
    ['dapr-apphealth-1.16', 500],
  ])('%s gives up a hanging probe after %i ms', async (profile, timeout) => {
    const trace = await simulate(fixture('defaults-threshold-and-timeout'), { profile });
    const hang = trace.probes.find((p) => p.outcome === 'timeout');
    expect((hang?.end ?? 0) - (hang?.start ?? 0)).toBe(timeout);
  });

  it.each([
    ['dapr-0.6', [5000, 10_000]],
    ['dapr-1.10.5', [5000, 10_000]],
    ['dapr-1.13', [0, 3000, 6000, 9000]],
    ['dapr-apphealth-1.12', [0, 5000, 10_000]],
  ] as const)('%s probes on its default interval (defaults-dapr)', async (profile, expected) => {
    const trace = await simulate(fixture('defaults-dapr'), { profile });
    expect(starts(trace)).toEqual(expected);
  });
});

describe('no initial value (the unreleased G sent false at the end of the delay)', () => {
  it.each(PROFILE_NAMES)('%s sends nothing before its first probe ends, on any fixture', async (profile) => {
    for (const { scenario } of files) {
      const outcome = await simulateProfileOutcome(scenario, profile);
      if ('refused' in outcome) continue; // app health: a timeout longer than the interval
      const trace = outcome.expected;
      const first = trace.signals[0];
      if (!first) continue;
      const firstEnd = Math.min(...trace.probes.map((p) => p.end ?? Number.POSITIVE_INFINITY));
      expect(first.emittedAt ?? first.at, `${profile} ${scenario.id}`).toBeGreaterThanOrEqual(firstEnd);
    }
  });
});
