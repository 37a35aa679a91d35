import { sortDiffs, type TraceDiff } from '../../../scenario/compare.js';
import type { Trace } from '../../../scenario/types.js';
import type { CaseResult } from '../report.js';
import type { MatrixReport, ReportCase, ReportCell, ReportColumn } from './model.js';

/** A cell lists this many differences at most; the rest is counted. */
const MAX_DIFF_LINES = 40;

/**
 * One column's worth of results: the results of one run judged against one set of expectations
 * (the reference, or a profile), and the trace each case was expected to give.
 *
 * @example
 * const column: ResultColumn = { column: { id: 'dapr-1.0', label: 'dapr-1.0' }, results: report.results,
 *   expected: (id) => fixtures.get(id)?.expected };
 */
export interface ResultColumn {
  column: ReportColumn;
  results: readonly CaseResult[];
  /** The trace the column expected of a case, drawn beside the actual one (none when absent). */
  expected?: (caseId: string) => Trace | undefined;
}

/** What {@link reportFromResults} needs besides the columns. */
export interface ReportFromResultsOptions {
  /** The page's heading (default "Checker conformance"). */
  title?: string;
  implementation: string;
  generatedAt?: string;
  summary?: string;
  columns: readonly ResultColumn[];
}

/**
 * Builds the report model from runner results, one column per set of expectations: today the
 * one column `probekit conformance checker --report` judges against (`dapr-1.0`); with profiles,
 * one per profile compared. Rows are the cases in the order the columns first list them; a
 * column that has no result for a case shows "not run".
 *
 * @example
 * const model = reportFromResults({ implementation: report.implementation,
 *   columns: [{ column: { id: 'dapr-1.0', label: 'dapr-1.0' }, results: report.results }] });
 * writeFileSync('report.html', renderHtmlReport(model));
 */
export function reportFromResults(options: ReportFromResultsOptions): MatrixReport {
  const rows = new Map<string, ReportCase>();
  for (const { column, results, expected } of options.columns) {
    for (const result of results) {
      let row = rows.get(result.id);
      if (!row) {
        row = {
          id: result.id,
          description: result.description,
          level: String(result.level),
          rules: [...result.rules],
          cells: {},
        };
        rows.set(result.id, row);
      }
      row.cells[column.id] = cellFromResult(result, expected?.(result.id));
    }
  }
  return {
    title: options.title ?? 'Checker conformance',
    implementation: options.implementation,
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    ...(options.summary === undefined ? {} : { summary: options.summary }),
    columns: options.columns.map(({ column }) => ({ ...column })),
    cases: [...rows.values()],
  };
}

/**
 * One result as a cell: `skip` with its reason; `flaky` when some runs of `--repeat` passed and
 * some did not; `pass`; else `fail` (an error too: the implementation could not be judged). The
 * headline is the first divergence (behaviour before timing, earliest first) or the error's
 * first line; `reason` keeps the runner's whole readable message.
 *
 * @example
 * cellFromResult(result, scenario.expected); // { status: 'fail', headline: 'extra signal #1 at 300 ms: …', … }
 */
export function cellFromResult(result: CaseResult, expected?: Trace): ReportCell {
  const traces = {
    ...(expected ? { expected } : {}),
    ...(result.actual ? { actual: result.actual } : {}),
  };
  if (result.status === 'skip') {
    return { status: 'skip', ...(result.message ? { reason: result.message } : {}) };
  }
  const runs = result.repeat ? { runs: { passed: result.repeat.passes, total: result.repeat.runs } } : {};
  const listed = result.expectedFailure;
  if (result.status === 'pass') {
    return {
      status: 'pass',
      ...runs,
      ...(listed
        ? {
            reason: `Listed in ${listed.file} as an expected failure (${listed.reason}), but it passed: remove it from ${listed.file}.`,
          }
        : {}),
      ...traces,
    };
  }
  const status = result.repeat?.classification === 'flaky' ? 'flaky' : 'fail';
  const sorted = sortDiffs(result.diffs);
  const first = sorted[0];
  const firstLine = (result.message ?? '')
    .split('\n')
    .find((l) => l.trim() !== '' && !l.startsWith('flaky:'));
  const headline =
    result.status === 'fail' && first
      ? diffLine(first)
      : `${result.status === 'error' ? 'error' : 'failed'}: ${firstLine ?? 'no message'}`;
  const lines = sorted.slice(0, MAX_DIFF_LINES).map(diffLine);
  if (sorted.length > MAX_DIFF_LINES) lines.push(`(+${sorted.length - MAX_DIFF_LINES} more differences)`);
  const reason = [
    listed ? `Listed in ${listed.file} as an expected failure: ${listed.reason}` : '',
    result.message ?? '',
    result.stderr && !result.message?.includes(result.stderr) ? `stderr:\n${result.stderr}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    status,
    ...runs,
    headline,
    ...(lines.length ? { diffs: lines } : {}),
    ...(reason ? { reason } : {}),
    ...traces,
  };
}

function ms(at: number): string {
  return `${Math.round(at * 10) / 10} ms`;
}

/** `extra signal #1 at 300 ms: expected no signal, actual false at 300ms` */
function diffLine(diff: TraceDiff): string {
  return `${diff.kind.replaceAll('-', ' ')} #${diff.index} at ${ms(diff.at)}: expected ${diff.expected}, actual ${diff.actual}`;
}
