import { describe, expect, it } from 'vitest';
import {
  step,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withSuccessStatusCode,
} from '../../src/checker/index.js';
import { virtualRun } from '../support/virtual-run.js';

const fast = [withInterval(100), withInitialDelay(30), withRequestTimeout(50)];

describe('the failure counter (pure step)', () => {
  it('resets to 0 and emits true on a success', () => {
    expect(step({ failureCount: 5 }, true, 2)).toEqual({
      state: { failureCount: 0 },
      signal: true,
      rule: 'success',
    });
  });

  it('emits false only when the count equals the threshold', () => {
    expect(step({ failureCount: 0 }, false, 2).signal).toBeUndefined();
    expect(step({ failureCount: 1 }, false, 2).signal).toBe(false);
    expect(step({ failureCount: 2 }, false, 2)).toEqual({
      state: { failureCount: 3 },
      signal: undefined,
      rule: 'streak-continues',
    });
  });
});

describe('signals over a run', () => {
  it('emits true on every success and one false per streak (the SEMANTICS example)', async () => {
    const run = await virtualRun(['200', '503', '503', '503', '503', '200', '503', '503'], fast, {
      until: 850,
      after: '503',
    });
    expect(run.signals).toEqual([
      { at: 100, value: true },
      { at: 300, value: false },
      { at: 600, value: true },
      { at: 800, value: false },
    ]);
  });

  it('emits false on the first failure of each streak with threshold 1', async () => {
    const run = await virtualRun(['503', '503', '200', '503'], [...fast, withFailureThreshold(1)], {
      until: 450,
      after: '503',
    });
    expect(run.signals).toEqual([
      { at: 100, value: false },
      { at: 300, value: true },
      { at: 400, value: false },
    ]);
  });

  it.each([0, -1])('never emits false with threshold %i', async (threshold) => {
    const run = await virtualRun(
      ['503', '503', '503', '200', '503'],
      [...fast, withFailureThreshold(threshold)],
      {
        until: 650,
        after: '503',
      },
    );
    expect(run.signals).toEqual([{ at: 400, value: true }]);
  });

  it('emits false only after a long streak with a large threshold', async () => {
    const run = await virtualRun([], [...fast, withFailureThreshold(10)], { until: 1050, after: '500' });
    expect(run.signals).toEqual([{ at: 1000, value: false }]);
  });
});

describe('what counts as success', () => {
  it('matches the success status exactly: 204 is a failure when 200 is expected', async () => {
    const run = await virtualRun(['204', '204'], fast, { until: 250 });
    expect(run.signals).toEqual([{ at: 200, value: false }]);
  });

  it('counts only 204 with withSuccessStatusCode(204), 200 included as a failure', async () => {
    const run = await virtualRun(['200', '204', '204', '500'], [...fast, withSuccessStatusCode(204)], {
      until: 650,
      after: '500',
    });
    expect(run.signals).toEqual([
      { at: 200, value: true },
      { at: 300, value: true },
      { at: 500, value: false },
    ]);
  });

  it('counts a redirect as a failure (3xx is not followed)', async () => {
    const run = await virtualRun(['302', '302', '200'], fast, { until: 350 });
    expect(run.signals).toEqual([
      { at: 200, value: false },
      { at: 300, value: true },
    ]);
  });

  it('counts a response slower than the timeout as a failure, at probe start + timeout', async () => {
    const run = await virtualRun(['delay:60:200', 'delay:60:200'], fast, { until: 250 });
    expect(run.signals).toEqual([{ at: 250, value: false }]);
    const ends = run.events.filter((e) => e.type === 'probe-end');
    expect(ends.map((e) => [e.at, e.type === 'probe-end' && e.outcome.kind])).toEqual([
      [150, 'timeout'],
      [250, 'timeout'],
    ]);
  });

  it('counts a response due at the very instant of the timeout as a failure', async () => {
    const run = await virtualRun(['delay:50:200'], fast, { until: 150 });
    const end = run.events.find((e) => e.type === 'probe-end');
    expect(end).toMatchObject({ at: 150, outcome: { kind: 'timeout' }, success: false });
  });

  it.each([
    ['close', 'closed'],
    ['reset', 'reset'],
  ])('counts a %s connection as one failure with no retry', async (item, kind) => {
    const run = await virtualRun([item, item], fast, { until: 250 });
    expect(run.requests).toEqual([100, 200]);
    expect(run.signals).toEqual([{ at: 200, value: false }]);
    const outcome = run.events.find((e) => e.type === 'probe-end');
    expect(outcome).toMatchObject({ outcome: { kind } });
  });

  it('counts each refused connection as one failure with no retry', async () => {
    const run = await virtualRun('refuse 250ms, 200...', fast, { until: 350 });
    const outcomes = run.events.flatMap((e) => (e.type === 'probe-end' ? [e.outcome.kind] : []));
    expect(outcomes).toEqual(['refused', 'refused', 'status']);
    expect(run.requests).toEqual([300]);
    expect(run.signals).toEqual([
      { at: 200, value: false },
      { at: 300, value: true },
    ]);
  });

  it('fails every probe at once, sending nothing, with requestTimeout 0', async () => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(0), withRequestTimeout(0)], {
      until: 250,
    });
    expect(run.requests).toEqual([]);
    expect(run.signals).toEqual([{ at: 200, value: false }]);
  });
});
