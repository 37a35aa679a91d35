import { describe, expect, it } from 'vitest';
import { withInitialDelay, withInterval, withRequestTimeout } from '../../src/checker/index.js';
import { virtualRun } from '../support/virtual-run.js';

describe('first probe at the first tick (the ticker starts before the initial delay)', () => {
  it('probes at 5 s and 10 s with the defaults: the 1 s initial delay has no visible effect', async () => {
    const run = await virtualRun([], [], { until: 11_500 });
    expect(run.requests).toEqual([5000, 10_000]);
    expect(run.signals).toEqual([
      { at: 5000, value: true },
      { at: 10_000, value: true },
    ]);
  });

  it.each([0, 30, 99])('probes at 100, 200, 300 with interval 100 and initial delay %i', async (delay) => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(delay)], { until: 350 });
    expect(run.requests).toEqual([100, 200, 300]);
  });
});

describe('ticks that come due during the initial delay', () => {
  it('probes at once with the waiting tick and drops the rest (delay 250 → 250, 300, 400)', async () => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(250)], { until: 450 });
    expect(run.requests).toEqual([250, 300, 400]);
    const dropped = run.events.filter((e) => e.type === 'tick-dropped').map((e) => e.at);
    expect(dropped).toEqual([200]);
  });

  it('probes at 1050, 1100, 1200 after a 1050 ms delay, dropping ticks 200 to 1000', async () => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(1050)], { until: 1250 });
    expect(run.requests).toEqual([1050, 1100, 1200]);
    const dropped = run.events.filter((e) => e.type === 'tick-dropped').map((e) => e.at);
    expect(dropped).toEqual([200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('lets a tick due at the instant the delay ends arrive first, so it is dropped (delay 200 → 200, 300)', async () => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(200)], { until: 350 });
    expect(run.requests).toEqual([200, 300]);
    const dropped = run.events.filter((e) => e.type === 'tick-dropped').map((e) => e.at);
    expect(dropped).toEqual([200]);
  });

  it('probes at the delay when it equals one interval (delay 100 → 100, 200)', async () => {
    const run = await virtualRun([], [withInterval(100), withInitialDelay(100)], { until: 250 });
    expect(run.requests).toEqual([100, 200]);
  });
});

describe('probes run one at a time', () => {
  it('starts the next probe at once from a stale tick when a probe outlasts the interval', async () => {
    // requestTimeout 150 > interval 100, hanging requests after the first.
    const run = await virtualRun(
      ['200', 'hang', 'hang', 'hang', 'hang'],
      [withInterval(100), withInitialDelay(0), withRequestTimeout(150)],
      { until: 700 },
    );
    expect(run.requests).toEqual([100, 200, 350, 500, 650]);
    const ends = run.events.filter((e) => e.type === 'probe-end').map((e) => e.at);
    expect(ends).toEqual([100, 350, 500, 650]);
  });

  it('drops a tick due at the instant a slow probe ends while another tick waits', async () => {
    const run = await virtualRun(
      ['hang', 'hang'],
      [withInterval(100), withInitialDelay(0), withRequestTimeout(150)],
      { until: 520 },
    );
    // Probe 1: 100 → 250 (tick 200 waits); probe 2: 250 → 400 (tick 300 waits, tick 400 is dropped
    // because it comes due at the same instant and the slot is full); probe 3 at 400 with tick 300.
    expect(run.requests).toEqual([100, 250, 400, 500]);
    const dropped = run.events.filter((e) => e.type === 'tick-dropped').map((e) => e.at);
    expect(dropped).toContain(400);
  });

  it('waits for a delayed response that arrives in time and counts it as a success', async () => {
    const run = await virtualRun(
      ['delay:40:200'],
      [withInterval(100), withInitialDelay(0), withRequestTimeout(50)],
      { until: 150 },
    );
    expect(run.signals).toEqual([{ at: 140, value: true }]);
  });
});
