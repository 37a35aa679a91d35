import { RULES, type RuleId } from './rules.js';
import type { Trace } from './types.js';

/** One way an actual trace differs from the expected one. */
export interface TraceDiff {
  readonly kind:
    | 'missing-probe'
    | 'extra-probe'
    | 'probe-time'
    | 'probe-outcome'
    | 'failure-count'
    | 'missing-signal'
    | 'extra-signal'
    | 'signal-value'
    | 'signal-time';
  /** Index of the probe or signal (0-based). */
  readonly index: number;
  /** When it happened (expected time where there is one). */
  readonly at: number;
  readonly expected: string;
  readonly actual: string;
}

/** How strict a comparison is. */
export interface CompareOptions {
  /** ms two times may differ by (default 0: exact, for virtual time). */
  readonly tolerance?: number;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.round(ms * 10) / 10}ms`);

/**
 * Compares two traces and lists every difference, earliest first. Probe outcomes and failure
 * counts are compared only where both traces have them (an external implementation reports
 * neither); events within `tolerance` of the expected end are ignored on both sides, since a
 * real run may cut them either way.
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
  const cutoff = expected.durationMs - tolerance;
  const diffs: TraceDiff[] = [];
  const visible = (p: Trace['probes'][number]) => p.start <= cutoff && p.sent !== false;
  const expectedProbes = expected.probes.filter(visible);
  const actualProbes = actual.probes.filter(visible);
  const probeCount = Math.max(expectedProbes.length, actualProbes.length);
  for (let index = 0; index < probeCount; index++) {
    const e = expectedProbes[index];
    const a = actualProbes[index];
    if (!e || !a) {
      // Near the edge a probe may fall on either side of the cut.
      const present = (e ?? a) as NonNullable<typeof e>;
      if (present.start > cutoff - tolerance && tolerance > 0) continue;
      diffs.push({
        kind: e ? 'missing-probe' : 'extra-probe',
        index,
        at: present.start,
        expected: e ? `probe at ${fmt(e.start)}` : 'no probe',
        actual: a ? `probe at ${fmt(a.start)}` : 'no probe',
      });
      continue;
    }
    if (Math.abs(e.start - a.start) > tolerance) {
      diffs.push({ kind: 'probe-time', index, at: e.start, expected: fmt(e.start), actual: fmt(a.start) });
    }
    const bothEnded = e.end !== undefined && a.end !== undefined && e.end <= cutoff && a.end <= cutoff;
    if (bothEnded && e.outcome !== undefined && a.outcome !== undefined && e.outcome !== a.outcome) {
      diffs.push({
        kind: 'probe-outcome',
        index,
        at: e.end ?? e.start,
        expected: e.outcome,
        actual: a.outcome,
      });
    }
    if (
      bothEnded &&
      e.failureCount !== undefined &&
      a.failureCount !== undefined &&
      e.failureCount !== a.failureCount
    ) {
      diffs.push({
        kind: 'failure-count',
        index,
        at: e.end ?? e.start,
        expected: String(e.failureCount),
        actual: String(a.failureCount),
      });
    }
  }
  const expectedSignals = expected.signals.filter((s) => s.at <= cutoff);
  const actualSignals = actual.signals.filter((s) => s.at <= cutoff);
  const signalCount = Math.max(expectedSignals.length, actualSignals.length);
  for (let index = 0; index < signalCount; index++) {
    const e = expectedSignals[index];
    const a = actualSignals[index];
    if (!e || !a) {
      const present = (e ?? a) as NonNullable<typeof e>;
      if (present.at > cutoff - tolerance && tolerance > 0) continue;
      diffs.push({
        kind: e ? 'missing-signal' : 'extra-signal',
        index,
        at: present.at,
        expected: e ? `${e.value} at ${fmt(e.at)}` : 'no signal',
        actual: a ? `${a.value} at ${fmt(a.at)}` : 'no signal',
      });
      continue;
    }
    if (e.value !== a.value) {
      diffs.push({
        kind: 'signal-value',
        index,
        at: e.at,
        expected: String(e.value),
        actual: String(a.value),
      });
    } else if (Math.abs(e.at - a.at) > tolerance) {
      diffs.push({ kind: 'signal-time', index, at: e.at, expected: fmt(e.at), actual: fmt(a.at) });
    }
  }
  return diffs.sort((x, y) => x.at - y.at);
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

/**
 * A readable report of a comparison: the first divergence, what was expected and what
 * happened, the surrounding events of both traces, the rules at stake, and how many other
 * differences follow.
 */
export function formatDiff(
  diffs: readonly TraceDiff[],
  expected: Trace,
  actual: Trace,
  rules: readonly string[] = [],
): string {
  const first = diffs[0];
  if (!first) return 'The traces match.';
  const lines = [
    `First divergence at ${fmt(first.at)}: ${first.kind.replace('-', ' ')} #${first.index}`,
    `  expected: ${first.expected}`,
    `  actual:   ${first.actual}`,
    '  expected around it:',
    ...around(expected, first.at).map((l) => `    ${l}`),
    '  actual around it:',
    ...around(actual, first.at).map((l) => `    ${l}`),
  ];
  const known = rules.filter((r): r is RuleId => Object.hasOwn(RULES, r));
  if (known.length) {
    lines.push('  rules this scenario pins down:');
    for (const rule of known) lines.push(`    ${rule}: ${RULES[rule]}`);
  }
  if (diffs.length > 1) lines.push(`  (+${diffs.length - 1} more difference${diffs.length > 2 ? 's' : ''})`);
  return lines.join('\n');
}
