import type { CaseResult, RepeatClassification, RunSpread } from './report.js';

/**
 * The headline of a run that did not pass, stable from run to run: the first divergence's kind
 * and index (its time moves by a few ms each run in real time), or the error's first line with
 * its durations blanked out.
 */
function headlineOf(run: CaseResult): string {
  const first = run.diffs[0];
  if (run.status === 'fail' && first) return `${first.kind.replace('-', ' ')} #${first.index}`;
  const line = (run.message ?? run.status).split('\n', 1)[0] ?? run.status;
  return `${run.status}: ${line.replace(/\d+(\.\d+)? ?ms\b/g, 'N ms')}`;
}

function classify(runs: number, passes: number): RepeatClassification {
  if (passes === runs) return 'passed';
  return passes === 0 ? 'failed' : 'flaky';
}

/**
 * Folds the runs of one case (`--repeat N`) into one result. It passes only when every run
 * passed; otherwise it has the status of its failing runs (`fail` when any failed, `error` when
 * they all errored), the message of the first of them, and under `repeat` the pass rate, the
 * classification, the spread of what went wrong and every run's own result. A flaky case says
 * so on its message's first line, so every reporter shows it.
 *
 * @example
 * const result = aggregateRuns([run1, run2, run3]);
 * result.repeat?.classification; // 'flaky' when some runs passed and some did not
 */
export function aggregateRuns(runs: readonly CaseResult[]): CaseResult {
  const [first] = runs;
  if (!first) throw new RangeError('aggregateRuns needs at least one run');
  const failing = runs.filter((r) => r.status !== 'pass');
  const passes = runs.length - failing.length;
  const classification = classify(runs.length, passes);
  const counts = new Map<string, number>();
  const diffKinds: Record<string, number> = {};
  for (const run of failing) {
    const headline = headlineOf(run);
    counts.set(headline, (counts.get(headline) ?? 0) + 1);
    for (const diff of run.diffs) diffKinds[diff.kind] = (diffKinds[diff.kind] ?? 0) + 1;
  }
  const spread: RunSpread[] = [...counts]
    .map(([headline, count]) => ({ headline, count }))
    .sort((a, b) => b.count - a.count || a.headline.localeCompare(b.headline));
  const elapsedMs = runs.reduce((sum, r) => sum + r.elapsedMs, 0);
  const repeat = { runs: runs.length, passes, classification, spread, diffKinds, results: [...runs] };
  const shown = failing[0] ?? first;
  const status = failing.length === 0 ? 'pass' : failing.some((r) => r.status === 'fail') ? 'fail' : 'error';
  const message =
    classification === 'passed'
      ? shown.message
      : [spreadText(repeat), `First failing run (#${runs.indexOf(shown) + 1}):`, shown.message ?? '']
          .filter(Boolean)
          .join('\n');
  const { repeat: _single, ...base } = shown;
  return {
    ...base,
    status,
    diffs: shown.diffs,
    elapsedMs,
    repeat,
    ...(message === undefined ? {} : { message }),
  };
}

/**
 * One line on the pass rate, then one per distinct way the case went wrong, with counts.
 *
 * @example
 * spreadText(result.repeat);
 * // "flaky: failed 2 of 4 runs\n  2× extra signal #1\n  diff kinds: extra-signal 2"
 */
export function spreadText(repeat: NonNullable<CaseResult['repeat']>): string {
  const failed = repeat.runs - repeat.passes;
  const head =
    repeat.classification === 'flaky'
      ? `flaky: failed ${failed} of ${repeat.runs} runs`
      : `${repeat.classification === 'failed' ? 'failed every run' : 'passed every run'} (${failed} of ${repeat.runs} failed)`;
  const lines = [head, ...repeat.spread.map((s) => `  ${s.count}× ${s.headline}`)];
  const kinds = Object.entries(repeat.diffKinds).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (kinds.length) lines.push(`  diff kinds: ${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  return lines.join('\n');
}
