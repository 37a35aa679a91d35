import type { Trace } from '../../../scenario/types.js';

/**
 * A cell's verdict: `pass`, `fail` (every run failed or errored), `flaky` (some runs of
 * `--repeat` passed, some did not) or `skip` (not run; `reason` says why).
 */
export type CellStatus = 'pass' | 'fail' | 'flaky' | 'skip';

/**
 * One case judged against one column's expectations (a profile, or the reference).
 *
 * @example
 * const cell: ReportCell = { status: 'flaky', runs: { passed: 3, total: 5 }, headline: 'extra signal #1' };
 */
export interface ReportCell {
  status: CellStatus;
  /** Set under `--repeat N`: how many of the runs passed. */
  runs?: { passed: number; total: number };
  /** One line: the first divergence, or the error's first line. */
  headline?: string;
  /** One readable line per difference, behaviour before timing, earliest first. */
  diffs?: string[];
  /** What the column expected (drawn on the left). */
  expected?: Trace;
  /** What the implementation did (drawn on the right). */
  actual?: Trace;
  /** Why a case was skipped, what an error said, or why a failure is expected. */
  reason?: string;
}

/**
 * One column of the matrix: what the implementation is judged against.
 *
 * @example
 * const column: ReportColumn = { id: 'dapr-1.0', label: 'dapr-1.0', note: 'Dapr v1.0.0–v1.0.1' };
 */
export interface ReportColumn {
  id: string;
  label: string;
  /** A longer description, shown under the matrix (and as the header's tooltip). */
  note?: string;
}

/**
 * One row of the matrix: a conformance case and its cells, keyed by column id. A column with
 * no cell for the case shows "not run".
 *
 * @example
 * const row: ReportCase = { id: 'hang-times-out', description: '…', level: 'core', rules: [], cells: {} };
 */
export interface ReportCase {
  id: string;
  description: string;
  level: string;
  rules: string[];
  cells: Record<string, ReportCell>;
}

/**
 * Everything a conformance report page shows: the implementation, the columns it was judged
 * against, and one row per case. Plain data, JSON-serialisable: build it with
 * `reportFromResults()`, or by hand, and render it with `renderHtmlReport()`.
 *
 * @example
 * const page = renderHtmlReport({ title: 'Checker conformance', implementation: 'exec: ./my-checker',
 *   columns: [{ id: 'dapr-1.0', label: 'dapr-1.0' }], cases: [] });
 */
export interface MatrixReport {
  title: string;
  implementation: string;
  /** When the run happened, as people read it (an ISO time); left out of the page when absent. */
  generatedAt?: string;
  /** A line or two on how the run was made (time scale, tolerance, repeat). */
  summary?: string;
  columns: ReportColumn[];
  cases: ReportCase[];
}

/** The statuses in the order the page lists them. */
export const CELL_STATUSES: readonly CellStatus[] = ['pass', 'fail', 'flaky', 'skip'];
