import { describe, expect, it } from 'vitest';
import {
  compareSignals,
  compareTraces,
  formatDiff,
  isTimingOnly,
  rulesAtStake,
  sortDiffs,
  type TraceDiff,
} from '../../src/scenario/compare.js';
import type { Trace, TraceProbe, TraceSignal } from '../../src/scenario/types.js';

const probe = (
  index: number,
  start: number,
  outcome = '200',
  extra: Partial<TraceProbe> = {},
): TraceProbe => ({
  index,
  start,
  end: start,
  outcome,
  ...extra,
});
const signal = (at: number, value: boolean): TraceSignal => ({ at, value });
const trace = (probes: TraceProbe[], signals: TraceSignal[], durationMs = 650): Trace => ({
  durationMs,
  probes,
  signals,
});

describe('compareTraces reports each kind of difference', () => {
  const expected = trace(
    [probe(0, 100), probe(1, 200, '503', { failureCount: 1 }), probe(2, 300, '503', { failureCount: 2 })],
    [signal(100, true), signal(300, false)],
  );

  it('finds nothing when the traces are the same', () => {
    expect(compareTraces(expected, structuredClone(expected))).toEqual([]);
  });

  it('reports a missing probe as missing, not every later probe as moved', () => {
    const actual = trace([probe(0, 100), probe(2, 300, '503', { failureCount: 2 })], expected.signals);
    const diffs = compareTraces(
      { ...expected, probes: expected.probes.map((p) => ({ ...p, failureCount: undefined })) },
      actual,
    );
    expect(diffs).toEqual([
      { kind: 'missing-probe', index: 1, at: 200, expected: 'probe at 200ms', actual: 'no probe' },
    ]);
  });

  it('reports an extra probe at its own time', () => {
    const actual = trace(
      [probe(0, 100), probe(1, 150), probe(2, 200, '503'), probe(3, 300, '503')],
      expected.signals,
    );
    const diffs = compareTraces(expected, actual);
    expect(diffs.map((d) => [d.kind, d.at])).toEqual([['extra-probe', 150]]);
  });

  it('reports a probe off by more than the tolerance as late, and one within it as on time', () => {
    const late = trace([probe(0, 100), probe(1, 215, '503'), probe(2, 300, '503')], expected.signals);
    expect(compareTraces(expected, late, { tolerance: 10 }).map((d) => d.kind)).toEqual(['probe-time']);
    expect(compareTraces(expected, late, { tolerance: 15 })).toEqual([]);
  });

  it('reports a different outcome and a different failure count', () => {
    const actual = structuredClone(expected);
    (actual.probes[1] as TraceProbe).outcome = '500';
    (actual.probes[2] as TraceProbe).failureCount = 1;
    expect(compareTraces(expected, actual).map((d) => [d.kind, d.index, d.expected, d.actual])).toEqual([
      ['probe-outcome', 1, '503', '500'],
      ['failure-count', 2, '2', '1'],
    ]);
  });

  it('reports an inserted initial false as one extra signal at its time', () => {
    const actual = trace(expected.probes, [signal(4, false), ...expected.signals]);
    expect(compareTraces(expected, actual)).toEqual([
      { kind: 'extra-signal', index: 0, at: 4, expected: 'no signal', actual: 'false at 4ms' },
    ]);
  });

  it('reports a missing signal as missing', () => {
    const actual = trace(expected.probes, [signal(100, true)]);
    expect(compareTraces(expected, actual)).toEqual([
      { kind: 'missing-signal', index: 1, at: 300, expected: 'false at 300ms', actual: 'no signal' },
    ]);
  });

  it('reports a value that changed at the same time as one signal-value difference', () => {
    const actual = trace(expected.probes, [signal(100, true), signal(300, true)]);
    expect(compareTraces(expected, actual)).toEqual([
      { kind: 'signal-value', index: 1, at: 300, expected: 'false at 300ms', actual: 'true at 300ms' },
    ]);
  });

  it('reports a signal off by more than the tolerance as late', () => {
    const actual = trace(expected.probes, [signal(100, true), signal(330, false)]);
    expect(compareTraces(expected, actual, { tolerance: 10 }).map((d) => d.kind)).toEqual(['signal-time']);
  });

  it('ignores probes the endpoint never saw (sent: false) on both sides', () => {
    const withUnsent = trace([probe(0, 100, 'timeout', { sent: false })], []);
    expect(compareTraces(withUnsent, trace([], []))).toEqual([]);
  });
});

describe('the end-of-run window is one tolerance wide', () => {
  const expected = trace([probe(0, 100, '503'), probe(1, 200, '503')], [signal(200, false)], 300);

  it('ignores an unmatched event within the last tolerance', () => {
    const actual = trace(expected.probes, [signal(200, false), signal(295, false)], 300);
    expect(compareTraces(expected, actual, { tolerance: 10 })).toEqual([]);
  });

  it('reports a repeated false just outside the last tolerance (it was hidden by a window two tolerances wide)', () => {
    const actual = trace(expected.probes, [signal(200, false), signal(285, false)], 300);
    expect(compareTraces(expected, actual, { tolerance: 10 }).map((d) => [d.kind, d.at])).toEqual([
      ['extra-signal', 285],
    ]);
  });

  it('ignores nothing in virtual time (tolerance 0) up to the end', () => {
    const actual = trace(expected.probes, [signal(200, false), signal(300, false)], 300);
    expect(compareTraces(expected, actual).map((d) => d.kind)).toEqual(['extra-signal']);
  });
});

describe('the headline is the first behaviour difference', () => {
  it('puts a value difference before an earlier timing difference', () => {
    const expected = trace([probe(0, 100), probe(1, 200)], [signal(100, true), signal(200, true)]);
    const actual = trace([probe(0, 130), probe(1, 200)], [signal(130, true), signal(200, false)]);
    const diffs = compareTraces(expected, actual, { tolerance: 10 });
    expect(diffs[0]?.kind).toBe('signal-value');
    expect(diffs.slice(1).every(isTimingOnly)).toBe(true);
  });

  it('orders by time on either side: an extra event in the actual trace can come first', () => {
    const diffs: TraceDiff[] = [
      { kind: 'missing-signal', index: 1, at: 300, expected: '', actual: '' },
      { kind: 'extra-signal', index: 0, at: 5, expected: '', actual: '' },
    ];
    expect(sortDiffs(diffs).map((d) => d.at)).toEqual([5, 300]);
  });
});

describe('compareSignals aligns by value and order', () => {
  it('matches values despite an inserted one in the middle', () => {
    const expected = [signal(100, true), signal(300, false), signal(600, true)];
    const actual = [signal(100, true), signal(200, false), signal(300, false), signal(600, true)];
    expect(compareSignals(expected, actual, 650, 0).map((d) => [d.kind, d.at])).toEqual([
      ['extra-signal', 200],
    ]);
  });
});

describe('formatDiff names the divergence and the rules of its kind', () => {
  const expected = trace([probe(0, 100)], [signal(100, true)]);
  const actual = trace([probe(0, 100)], [signal(4, false), signal(100, true)]);

  it('shows the fixture it is given as "expected around it", not a rewritten one', () => {
    const shown = trace([probe(0, 100, '200')], [signal(100, true)]);
    const text = formatDiff(compareTraces(expected, actual), { ...expected, probes: [] }, actual, [], {
      shownExpected: shown,
    });
    expect(text).toMatch(/^First divergence at 4ms: extra signal #0/);
    expect(text).toContain('expected around it:\n    probe #0 at 100ms → 200');
  });

  it('cites the scenario’s rules of the divergence’s family only', () => {
    expect(rulesAtStake({ kind: 'extra-signal' }, ['schedule.first-tick', 'count.threshold-one'])).toEqual([
      'count.threshold-one',
    ]);
    expect(rulesAtStake({ kind: 'probe-time' }, ['schedule.first-tick', 'count.threshold-one'])).toEqual([
      'schedule.first-tick',
    ]);
    expect(rulesAtStake({ kind: 'probe-while-blocked' }, [])).toEqual(['channel.backpressure']);
  });

  it('says the traces match when there is no difference', () => {
    expect(formatDiff([], expected, expected)).toBe('The traces match.');
  });
});
