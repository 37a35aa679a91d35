import { align, changes } from './align.js';
import { RULES, type RuleId } from './rules.js';
import type { Trace, TraceProbe, TraceSignal } from './types.js';

/**
 * The kinds of difference a comparison reports. Behaviour: what was done (a signal or a probe
 * too many or missing, a different value or outcome, a wrong count, a probe while the loop should
 * be blocked, a signal before the probe that caused it, a request for another path: a followed
 * redirect). Timing: only *when* (`probe-time`,
 * `signal-time`).
 */
export type TraceDiffKind =
  | 'missing-probe'
  | 'extra-probe'
  | 'probe-time'
  | 'probe-outcome'
  | 'failure-count'
  | 'missing-signal'
  | 'extra-signal'
  | 'signal-value'
  | 'signal-time'
  | 'signal-before-cause'
  | 'probe-while-blocked'
  | 'read-too-early'
  | 'other-request';

/** One way an actual trace differs from the expected one. */
export interface TraceDiff {
  readonly kind: TraceDiffKind;
  /** Index of the probe or signal (0-based) in the trace the difference is about (expected where it has one). */
  readonly index: number;
  /** When it happened: the expected time, or the actual one for something only the actual trace has. */
  readonly at: number;
  readonly expected: string;
  readonly actual: string;
}

/** How strict a comparison is. */
export interface CompareOptions {
  /** ms two times may differ by, and the width of the end-of-run window (default 0: exact, for virtual time). */
  readonly tolerance?: number;
}

const TIMING_ONLY: ReadonlySet<TraceDiffKind> = new Set(['probe-time', 'signal-time']);

/**
 * Whether a difference is about *when* only (a probe or a signal off by more than the
 * tolerance), as opposed to *what* (a value, an outcome, a count, a missing or extra event).
 *
 * @example
 * isTimingOnly({ kind: 'probe-time', index: 0, at: 100, expected: '100ms', actual: '130ms' }); // true
 */
export function isTimingOnly(diff: Pick<TraceDiff, 'kind'>): boolean {
  return TIMING_ONLY.has(diff.kind);
}

/**
 * Orders differences the way a reader needs them: behaviour before timing-only, then the earliest
 * first, so the headline is the first thing that was *done* differently.
 *
 * @example
 * const headline = sortDiffs(diffs)[0];
 */
export function sortDiffs(diffs: readonly TraceDiff[]): TraceDiff[] {
  return [...diffs].sort(
    (x, y) =>
      Number(isTimingOnly(x)) - Number(isTimingOnly(y)) ||
      x.at - y.at ||
      CAUSE_FIRST[x.kind] - CAUSE_FIRST[y.kind] ||
      x.index - y.index,
  );
}

/** At the same instant, what a probe did comes before the signal it caused. */
const CAUSE_FIRST: Record<TraceDiffKind, number> = {
  'other-request': 0,
  'probe-outcome': 1,
  'missing-probe': 2,
  'extra-probe': 2,
  'probe-while-blocked': 2,
  'probe-time': 3,
  'failure-count': 4,
  'read-too-early': 5,
  'signal-before-cause': 6,
  'missing-signal': 6,
  'extra-signal': 6,
  'signal-value': 6,
  'signal-time': 7,
};

const fmt = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.round(ms * 10) / 10}ms`);

/** Within the last `tolerance` ms of the run an event may fall on either side of the cut. */
const nearEnd = (at: number, durationMs: number, tolerance: number) => at > durationMs - tolerance;

function compareProbes(
  expected: readonly TraceProbe[],
  actual: readonly TraceProbe[],
  durationMs: number,
  tolerance: number,
): TraceDiff[] {
  const diffs: TraceDiff[] = [];
  const settled = (p: TraceProbe) => p.end !== undefined && p.end <= durationMs - tolerance;
  const steps = align(expected.length, actual.length, (i, j) => {
    const dt = Math.abs((expected[i] as TraceProbe).start - (actual[j] as TraceProbe).start);
    // A probe off by more than the tolerance is still the same probe, late (one edit), when
    // that explains the traces better than a missing one plus an extra one (two edits).
    return { edits: dt <= tolerance ? 0 : 1, time: dt };
  });
  for (const { e: i, a: j } of steps) {
    const e = i === undefined ? undefined : expected[i];
    const a = j === undefined ? undefined : actual[j];
    if (!e || !a) {
      const present = (e ?? a) as TraceProbe;
      if (tolerance > 0 && nearEnd(present.start, durationMs, tolerance)) continue;
      diffs.push({
        kind: e ? 'missing-probe' : 'extra-probe',
        index: present.index,
        at: present.start,
        expected: e ? `probe at ${fmt(e.start)}` : 'no probe',
        actual: a ? `probe at ${fmt(a.start)}` : 'no probe',
      });
      continue;
    }
    if (Math.abs(e.start - a.start) > tolerance) {
      diffs.push({
        kind: 'probe-time',
        index: e.index,
        at: e.start,
        expected: fmt(e.start),
        actual: fmt(a.start),
      });
    }
    if (!settled(e) || !settled(a)) continue;
    if (e.outcome !== undefined && a.outcome !== undefined && e.outcome !== a.outcome) {
      diffs.push({
        kind: 'probe-outcome',
        index: e.index,
        at: e.end ?? e.start,
        expected: e.outcome,
        actual: a.outcome,
      });
    }
    if (e.failureCount !== undefined && a.failureCount !== undefined && e.failureCount !== a.failureCount) {
      diffs.push({
        kind: 'failure-count',
        index: e.index,
        at: e.end ?? e.start,
        expected: String(e.failureCount),
        actual: String(a.failureCount),
      });
    }
  }
  return diffs;
}

/**
 * Aligns two lists of signals by value and order (the fewest inserted or missing values, ties
 * broken by time) and reports what differs: an extra or a missing value as exactly that, a value
 * that changed where the times agree as `signal-value`, and a value that arrived off by more than
 * the tolerance as `signal-time`. Unmatched signals in the last `tolerance` ms of the run are
 * ignored (they may fall either side of the cut).
 *
 * @example
 * compareSignals([{ at: 100, value: true }], [{ at: 5, value: false }, { at: 100, value: true }], 650, 0);
 * // [{ kind: 'extra-signal', index: 0, at: 5, expected: 'no signal', actual: 'false at 5ms' }]
 */
export function compareSignals(
  expected: readonly TraceSignal[],
  actual: readonly TraceSignal[],
  durationMs: number,
  tolerance: number,
): TraceDiff[] {
  const steps = align(expected.length, actual.length, (i, j) => {
    const e = expected[i] as TraceSignal;
    const a = actual[j] as TraceSignal;
    return e.value === a.value ? { edits: 0, time: Math.abs(e.at - a.at) } : undefined;
  });
  const diffs: TraceDiff[] = [];
  const near = (i: number, j: number) =>
    Math.abs((expected[i] as TraceSignal).at - (actual[j] as TraceSignal).at) <= tolerance;
  for (const change of changes(steps, near)) {
    if (change.kind === 'pair' || change.kind === 'changed') {
      const e = expected[change.e] as TraceSignal;
      const a = actual[change.a] as TraceSignal;
      if (change.kind === 'changed') {
        diffs.push({
          kind: 'signal-value',
          index: change.e,
          at: Math.min(e.at, a.at),
          expected: `${e.value} at ${fmt(e.at)}`,
          actual: `${a.value} at ${fmt(a.at)}`,
        });
      } else if (Math.abs(e.at - a.at) > tolerance) {
        diffs.push({
          kind: 'signal-time',
          index: change.e,
          at: e.at,
          expected: fmt(e.at),
          actual: fmt(a.at),
        });
      }
      continue;
    }
    const e = change.kind === 'missing' ? expected[change.e] : undefined;
    const a = change.kind === 'extra' ? actual[change.a] : undefined;
    const present = (e ?? a) as TraceSignal;
    if (tolerance > 0 && nearEnd(present.at, durationMs, tolerance)) continue;
    diffs.push({
      kind: e ? 'missing-signal' : 'extra-signal',
      index: change.kind === 'missing' ? change.e : change.a,
      at: present.at,
      expected: e ? `${e.value} at ${fmt(e.at)}` : 'no signal',
      actual: a ? `${a.value} at ${fmt(a.at)}` : 'no signal',
    });
  }
  return diffs;
}

/**
 * Compares two traces and lists every difference, behaviour first, then timing-only, each group
 * earliest first (see {@link sortDiffs}). Probes and signals are *aligned* (by time for probes, by
 * value and order for signals), so one inserted or missing event is reported as exactly that
 * rather than shifting every later comparison. Probe outcomes and failure counts are compared
 * only where both traces have them (an external implementation reports neither). With a
 * tolerance, an unmatched event in the last `tolerance` ms of the run is ignored: a real run may
 * cut it either way.
 *
 * @example
 * const diffs = compareTraces(scenario.expected, actual, { tolerance: 10 });
 * if (diffs.length) console.log(formatDiff(diffs, scenario.expected, actual));
 */
export function compareTraces(
  expected: Trace,
  actual: Trace,
  { tolerance = 0 }: CompareOptions = {},
): TraceDiff[] {
  const end = expected.durationMs;
  const visible = (p: TraceProbe) => p.start <= end && p.sent !== false;
  const diffs = [
    ...compareProbes(expected.probes.filter(visible), actual.probes.filter(visible), end, tolerance),
    ...compareSignals(
      expected.signals.filter((s) => s.at <= end),
      actual.signals.filter((s) => s.at <= end),
      end,
      tolerance,
    ),
  ];
  return sortDiffs(diffs);
}

/** One line per event of a trace, for the context shown around a divergence. */
function timelineLines(trace: Trace): Array<{ at: number; text: string }> {
  const lines: Array<{ at: number; text: string }> = [];
  for (const p of trace.probes) {
    const result = p.outcome === undefined ? '' : ` → ${p.outcome}`;
    const count = p.failureCount === undefined ? '' : ` (failures ${p.failureCount})`;
    lines.push({ at: p.start, text: `probe #${p.index} at ${fmt(p.start)}${result}${count}` });
  }
  for (const [i, s] of trace.signals.entries())
    lines.push({ at: s.at, text: `signal #${i} ${s.value} at ${fmt(s.at)}` });
  return lines.sort((a, b) => a.at - b.at);
}

function around(trace: Trace, at: number, count = 3): string[] {
  const lines = timelineLines(trace);
  const pivot = lines.findIndex((l) => l.at >= at);
  const centre = pivot === -1 ? lines.length : pivot;
  return lines.slice(Math.max(0, centre - count), centre + count).map((l) => l.text);
}

/** Which family of rules a kind of difference breaks, and the family's rules to cite by default. */
const FAMILIES: Record<TraceDiffKind, { prefixes: readonly string[]; fallback: readonly RuleId[] }> = {
  'missing-probe': {
    prefixes: ['schedule.', 'channel.', 'defaults.'],
    fallback: ['schedule.dropped-ticks', 'schedule.stale-tick'],
  },
  'extra-probe': {
    prefixes: ['schedule.', 'channel.', 'defaults.'],
    fallback: ['schedule.dropped-ticks', 'schedule.stale-tick'],
  },
  'probe-time': {
    prefixes: ['schedule.', 'probe.timeout', 'defaults.'],
    fallback: ['schedule.first-tick', 'schedule.stale-tick'],
  },
  'probe-outcome': { prefixes: ['probe.'], fallback: ['probe.exact-status', 'probe.timeout', 'probe.fault'] },
  'failure-count': {
    prefixes: ['count.'],
    fallback: ['count.true-every-success', 'count.one-false-per-streak'],
  },
  'missing-signal': {
    prefixes: ['count.', 'probe.', 'channel.no-loss'],
    fallback: ['count.true-every-success', 'count.one-false-per-streak'],
  },
  'extra-signal': {
    prefixes: ['count.', 'probe.'],
    fallback: ['count.true-every-success', 'count.one-false-per-streak'],
  },
  'signal-value': {
    prefixes: ['count.', 'probe.'],
    fallback: ['count.true-every-success', 'count.one-false-per-streak'],
  },
  'signal-time': { prefixes: ['schedule.', 'channel.', 'probe.timeout'], fallback: ['schedule.stale-tick'] },
  'signal-before-cause': {
    prefixes: ['count.'],
    fallback: ['count.true-every-success', 'count.one-false-per-streak'],
  },
  'probe-while-blocked': { prefixes: ['channel.backpressure'], fallback: ['channel.backpressure'] },
  'read-too-early': { prefixes: ['channel.'], fallback: ['channel.backpressure'] },
  'other-request': { prefixes: ['probe.no-redirect'], fallback: ['probe.no-redirect'] },
};

/**
 * The rules a difference breaks: the scenario's own rules of the difference's family (a schedule
 * rule for a late probe, a counting rule for a wrong signal, a channel rule for a probe while
 * blocked), or the family's main rules when the scenario names none of them.
 *
 * @example
 * rulesAtStake({ kind: 'extra-signal' } as TraceDiff, ['schedule.first-tick', 'count.threshold-one']);
 * // ['count.threshold-one']
 */
export function rulesAtStake(diff: Pick<TraceDiff, 'kind'>, scenarioRules: readonly string[] = []): RuleId[] {
  const family = FAMILIES[diff.kind];
  const own = scenarioRules.filter(
    (r): r is RuleId => Object.hasOwn(RULES, r) && family.prefixes.some((p) => r.startsWith(p)),
  );
  return own.length ? own : [...family.fallback];
}

/** What a report shows around the first divergence: the fixture's own events, unless told otherwise. */
export interface FormatDiffOptions {
  /** The trace to list as "expected around it" (default: `expected`). */
  readonly shownExpected?: Trace;
  /** Extra lines after the headline (e.g. how the expected signals were derived). */
  readonly explanation?: readonly string[];
}

/**
 * A readable report of a comparison: the first divergence (behaviour before timing, earliest
 * first), what was expected and what happened, the surrounding events of both traces, the rules
 * that kind of divergence breaks, and how many other differences follow.
 *
 * @example
 * console.log(formatDiff(compareTraces(expected, actual), expected, actual, scenario.rules));
 */
export function formatDiff(
  diffs: readonly TraceDiff[],
  expected: Trace,
  actual: Trace,
  rules: readonly string[] = [],
  options: FormatDiffOptions = {},
): string {
  const sorted = sortDiffs(diffs);
  const first = sorted[0];
  if (!first) return 'The traces match.';
  const lines = [
    `First divergence at ${fmt(first.at)}: ${first.kind.replaceAll('-', ' ')} #${first.index}`,
    `  expected: ${first.expected}`,
    `  actual:   ${first.actual}`,
    ...(options.explanation ?? []).map((l) => `  ${l}`),
    '  expected around it:',
    ...around(options.shownExpected ?? expected, first.at).map((l) => `    ${l}`),
    '  actual around it:',
    ...around(actual, first.at).map((l) => `    ${l}`),
    '  rules at stake:',
    ...rulesAtStake(first, rules).map((rule) => `    ${rule}: ${RULES[rule]}`),
  ];
  const behaviour = sorted.filter((d) => !isTimingOnly(d)).length;
  const rest = sorted.length - 1;
  if (rest > 0) {
    const split = isTimingOnly(first)
      ? ''
      : ` (${behaviour - 1} behaviour, ${sorted.length - behaviour} timing)`;
    lines.push(`  (+${rest} more difference${rest > 1 ? 's' : ''}${split})`);
  }
  return lines.join('\n');
}
