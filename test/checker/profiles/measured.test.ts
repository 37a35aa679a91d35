import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../../src/scenario/fixtures.js';
import { simulate } from '../../../src/scenario/simulate.js';
import type { Scenario, Trace } from '../../../src/scenario/types.js';

/**
 * PROFILES.md §5: what Dapr's real Go code did on the checker fixtures (medians of 5 runs; the
 * real runs land 1–3 ms after the nominal instants the engine gives), one test per observation.
 */

const files = loadScenarios();
const fixtures = new Map(files.map(({ scenario }) => [scenario.id, scenario]));

function fixture(id: string): Scenario {
  const scenario = fixtures.get(id);
  if (!scenario) throw new Error(`no fixture ${id}`);
  return scenario;
}

const starts = (trace: Trace): number[] => trace.probes.map((p) => p.start);
const signals = (trace: Trace): string[] => trace.signals.map((s) => `${s.value ? 'T' : 'F'}@${s.at}`);

/** Fixtures added after the real code was run on the other 49. */
const ADDED_AFTER_THE_RUNS = ['redirects-absolute-location', 'redirects-relative-location'];

/** The longest run of failed probes in a trace. */
function longestStreak(trace: Trace): number {
  let longest = 0;
  let streak = 0;
  for (const probe of trace.probes) {
    streak = probe.success === false ? streak + 1 : 0;
    longest = Math.max(longest, streak);
  }
  return longest;
}

describe('dapr-0.6 (A, v0.11.json)', () => {
  it('sends a probe with a timeout of 0 and takes its answer (0 is "no timeout"): true every 100 ms', async () => {
    const trace = await simulate(fixture('timeout-0-fails-unsent'), { profile: 'dapr-0.6' });
    expect(signals(trace)).toEqual(['T@100', 'T@200', 'T@300', 'T@400']);
    expect(trace.probes.every((p) => p.sent === undefined)).toBe(true);
  });

  it('gives up a hanging probe after its default 500 ms timeout (defaults-threshold-and-timeout)', async () => {
    const trace = await simulate(fixture('defaults-threshold-and-timeout'), { profile: 'dapr-0.6' });
    const hang = trace.probes.find((p) => p.outcome === 'timeout');
    expect((hang?.end ?? 0) - (hang?.start ?? 0)).toBe(500);
    const reference = await simulate(fixture('defaults-threshold-and-timeout'));
    const referenceHang = reference.probes.find((p) => p.outcome === 'timeout');
    expect((referenceHang?.end ?? 0) - (referenceHang?.start ?? 0)).toBe(2000);
  });

  it('reports true at the headers of a body too slow for the timeout (slow-body-too-slow)', async () => {
    const trace = await simulate(fixture('slow-body-too-slow'), { profile: 'dapr-0.6' });
    expect(signals(trace)).toEqual(['T@100', 'T@200', 'T@300', 'T@400']);
  });

  it('never retries: no probe makes a second request unless it followed a redirect', async () => {
    for (const { scenario } of files) {
      if (scenario.script.includes('location=')) continue;
      const trace = await simulate(scenario, { profile: 'dapr-0.6' });
      expect(
        trace.probes.filter((p) => p.requests !== undefined),
        scenario.id,
      ).toEqual([]);
    }
  });
});

describe('dapr-1.0 (B, v1.0.json): the reference', () => {
  it('is what simulate() gives without a profile, on every fixture', async () => {
    for (const { scenario } of files) {
      expect(await simulate(scenario, { profile: 'dapr-1.0' }), scenario.id).toEqual(scenario.expected);
    }
  });
});

describe('dapr-1.1 (C1, v1.1.json)', () => {
  it('repeats false on every failure of all-503-single-false: F@200, 300, 400, 500, 600', async () => {
    const trace = await simulate(fixture('all-503-single-false'), { profile: 'dapr-1.1' });
    expect(signals(trace)).toEqual(['F@200', 'F@300', 'F@400', 'F@500', 'F@600']);
  });

  it('differs from dapr-1.0 exactly in the fixtures with a failure streak longer than the threshold (12 of the measured 49)', async () => {
    const differing: string[] = [];
    const longStreaks: string[] = [];
    for (const { scenario } of files) {
      const reference = scenario.expected as Trace;
      const threshold = scenario.options.failureThreshold ?? 2;
      if (threshold >= 1 && longestStreak(reference) > threshold) longStreaks.push(scenario.id);
      const trace = await simulate(scenario, { profile: 'dapr-1.1' });
      if (JSON.stringify(signals(trace)) !== JSON.stringify(signals(reference))) differing.push(scenario.id);
    }
    expect(differing).toEqual(longStreaks);
    expect(differing.filter((id) => !ADDED_AFTER_THE_RUNS.includes(id))).toHaveLength(12);
  });

  it('blocks after 3 probes in late-consumer-failures-do-not-block: the repeated false fill the channel', async () => {
    const trace = await simulate(fixture('late-consumer-failures-do-not-block'), { profile: 'dapr-1.1' });
    expect(starts(trace)).toEqual([100, 200, 300, 640, 700]);
    const reference = await simulate(fixture('late-consumer-failures-do-not-block'));
    expect(starts(reference)).toEqual([100, 200, 300, 400, 500, 600, 700]);
  });
});

describe('dapr-1.9 (C2, v1.10.json)', () => {
  it('is dapr-1.1 on every fixture but those with a timeout of 0', async () => {
    const differing: string[] = [];
    for (const { scenario } of files) {
      const c1 = await simulate(scenario, { profile: 'dapr-1.1' });
      const c2 = await simulate(scenario, { profile: 'dapr-1.9' });
      if (JSON.stringify(c1) !== JSON.stringify(c2)) differing.push(scenario.id);
    }
    expect(differing).toEqual(
      files
        .filter(({ scenario }) => scenario.options.requestTimeoutMs === 0)
        .map(({ scenario }) => scenario.id),
    );
    expect(differing).toContain('timeout-0-fails-unsent');
  });

  it('sends the probes of timeout-0-fails-unsent and takes their answers: true every 100 ms', async () => {
    const trace = await simulate(fixture('timeout-0-fails-unsent'), { profile: 'dapr-1.9' });
    expect(signals(trace)).toEqual(['T@100', 'T@200', 'T@300', 'T@400']);
  });
});

describe('dapr-1.10.5 (F, v1.11.json)', () => {
  it('sends the reset of mixed-faults-one-streak again: the retry meets the hang, 3 failures, no false at threshold 4', async () => {
    const trace = await simulate(fixture('mixed-faults-one-streak'), { profile: 'dapr-1.10.5' });
    const retried = trace.probes[1];
    expect([retried?.start, retried?.requests, retried?.outcome, retried?.end]).toEqual([
      200,
      2,
      'timeout',
      290,
    ]);
    expect(trace.probes.filter((p) => p.success === false)).toHaveLength(3);
    expect(trace.signals.every((s) => s.value)).toBe(true);
  });

  it('probes on every 100 ms in late-consumer-blocks-loop; the reader gets 10 queued true at 1050', async () => {
    const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile: 'dapr-1.10.5' });
    expect(starts(trace)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200]);
    const queued = trace.signals.filter((s) => s.at === 1050);
    expect(queued).toHaveLength(10);
    expect(queued.every((s) => s.value && s.emittedAt !== undefined)).toBe(true);
  });

  it('reports true for slow-body-too-slow (the status at the headers)', async () => {
    const trace = await simulate(fixture('slow-body-too-slow'), { profile: 'dapr-1.10.5' });
    expect(signals(trace)).toEqual(['T@100', 'T@200', 'T@300', 'T@400']);
  });

  it('reports false on every failure of threshold-0-never-false', async () => {
    const trace = await simulate(fixture('threshold-0-never-false'), { profile: 'dapr-1.10.5' });
    expect(signals(trace)).toEqual(['F@100', 'F@200', 'F@300', 'T@400', 'F@500', 'F@600', 'F@700']);
  });
});

describe('dapr-1.13 (I, v1.13.json)', () => {
  it('probes all-503-single-false at once and 500 ms later, and reports nothing', async () => {
    const trace = await simulate(fixture('all-503-single-false'), { profile: 'dapr-1.13' });
    expect(starts(trace)).toEqual([0, 500]);
    expect(trace.signals).toEqual([]);
  });

  it('starts the healthy ticker when true is read in late-consumer-blocks-loop: read at 1050, next probe 1150', async () => {
    const trace = await simulate(fixture('late-consumer-blocks-loop'), { profile: 'dapr-1.13' });
    expect(trace.signals[0]).toEqual({ at: 1050, value: true, emittedAt: 0 });
    expect(starts(trace)).toEqual([0, 1150, 1250]);
  });

  it('probes defaults-dapr at once, then every 3 s (the healthy interval default)', async () => {
    const trace = await simulate(fixture('defaults-dapr'), { profile: 'dapr-1.13' });
    expect(starts(trace)).toEqual([0, 3000, 6000, 9000]);
  });
});
