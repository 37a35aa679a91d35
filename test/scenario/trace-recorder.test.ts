import { describe, expect, it } from 'vitest';
import type { CheckEvent } from '../../src/checker/events.js';
import { TraceRecorder } from '../../src/scenario/trace-recorder.js';

const ok = { kind: 'status', status: 200 } as const;

function probeEnd(probe: number, at: number): CheckEvent {
  return { type: 'probe-end', at, probe, outcome: ok, success: true, failureCount: 0, rule: 'success' };
}

describe('TraceRecorder matches each probe-end to its probe by index', () => {
  it('fills in the probe that ended, even when ends arrive out of order', () => {
    const recorder = new TraceRecorder();
    recorder.observe({ type: 'start', at: 1000 });
    recorder.observe({ type: 'probe-start', at: 1100, probe: 0, tick: 1 });
    recorder.observe({ type: 'probe-start', at: 1200, probe: 1, tick: 2 });
    recorder.observe(probeEnd(1, 1250));
    recorder.observe(probeEnd(0, 1300));
    const trace = recorder.finish(1400);
    expect(trace.probes).toEqual([
      { index: 0, start: 100, end: 300, outcome: '200', success: true, failureCount: 0 },
      { index: 1, start: 200, end: 250, outcome: '200', success: true, failureCount: 0 },
    ]);
  });

  it('ignores an end for a probe it never saw start, and a second end for the same probe', () => {
    const recorder = new TraceRecorder();
    recorder.observe({ type: 'start', at: 0 });
    recorder.observe({ type: 'probe-start', at: 100, probe: 0, tick: 1 });
    recorder.observe(probeEnd(7, 150));
    recorder.observe(probeEnd(0, 160));
    recorder.observe(probeEnd(0, 190));
    expect(recorder.finish(200).probes).toEqual([
      { index: 0, start: 100, end: 160, outcome: '200', success: true, failureCount: 0 },
    ]);
  });

  it('records a long run in order with every probe ended (the linear path simulate() takes)', () => {
    const recorder = new TraceRecorder();
    recorder.observe({ type: 'start', at: 0 });
    const count = 50_000;
    for (let probe = 0; probe < count; probe++) {
      recorder.observe({ type: 'probe-start', at: probe * 10, probe, tick: probe + 1 });
      recorder.observe(probeEnd(probe, probe * 10 + 1));
    }
    const { probes } = recorder.finish(count * 10);
    expect(probes).toHaveLength(count);
    expect(probes.every((p, index) => p.index === index && p.end === p.start + 1)).toBe(true);
  });
});
