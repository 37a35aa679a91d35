import { describe, expect, it } from 'vitest';
import { withInitialDelay, withInterval, withRequestTimeout } from '../../src/checker/index.js';
import { virtualRun } from '../support/virtual-run.js';

const fast = [withInterval(100), withInitialDelay(30), withRequestTimeout(50)];

describe('the signal channel holds one value and blocks the loop when nobody reads', () => {
  it('stops probing after the second unread signal and resumes at once when the consumer reads', async () => {
    const run = await virtualRun([], fast, { until: 1250, readAt: 1050 });
    expect(run.requests).toEqual([100, 200, 1050, 1100, 1200]);
    expect(run.signals.slice(0, 3)).toEqual([
      { at: 1050, value: true },
      { at: 1050, value: true },
      { at: 1050, value: true },
    ]);
    expect(run.signals).toHaveLength(5);
  });

  it('reports the blocked period from the second emit until the read', async () => {
    const run = await virtualRun([], fast, { until: 1250, readAt: 1050 });
    const blocking = run.events.filter((e) => e.type === 'blocked' || e.type === 'unblocked');
    expect(blocking.map((e) => [e.type, e.at])).toEqual([
      ['blocked', 200],
      ['unblocked', 1050],
    ]);
  });

  it('loses nothing: a late consumer gets every value that was emitted, in order', async () => {
    const run = await virtualRun(['200', '503', '503', '200'], fast, { until: 1150, readAt: 1000 });
    // true@100 buffered, false@300 blocks the loop until 1000; then probes go on.
    expect(run.signals.map((s) => s.value).slice(0, 2)).toEqual([true, false]);
    expect(run.requests.slice(0, 4)).toEqual([100, 200, 300, 1000]);
  });

  it('never blocks while failures below the threshold emit nothing', async () => {
    const run = await virtualRun([], fast, { until: 650, readAt: 640, after: '503' });
    // Only one false is ever emitted (one per streak), so the loop never blocks.
    expect(run.requests).toEqual([100, 200, 300, 400, 500, 600]);
    expect(run.signals).toEqual([{ at: 640, value: false }]);
  });
});
