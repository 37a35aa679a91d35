import type { Writable } from 'node:stream';
import type { CaseResult, LevelCounts, Report } from '../report.js';

/** What a reporter is told before the first case. */
export interface RunInfo {
  readonly suite: Report['suite'];
  readonly implementation: string;
  /** How many cases the run reports (skipped ones included). */
  readonly total: number;
  /** How many times each case runs (`--repeat`; default 1). */
  readonly repeat?: number;
  /** One line on how they run (e.g. "real time, scale 1, tolerance 20 ms"), for people. */
  readonly details?: string;
}

/**
 * Turns a conformance run into output, as it happens: `begin` once, `result` after each case
 * (with `--repeat`, once per case after the last round, covering all its runs), `end` with the
 * whole report. `run`, when a reporter has it, hears every single run of a repeated case as it
 * finishes. Reporters write to the stream they were made with and never decide the exit code.
 *
 * @example
 * const reporter = createReporter('tap', process.stdout);
 * reporter.begin({ suite: 'checker', implementation: 'mine', total: cases.length });
 * const report = await runCheckerConformance(adapter, { onResult: (r) => reporter.result(r) });
 * reporter.end(report);
 */
export interface Reporter {
  begin(info: RunInfo): void;
  result(result: CaseResult): void;
  run?(result: CaseResult, round: number, rounds: number): void;
  end(report: Report): void;
}

/** Options every reporter accepts. */
export interface ReporterOptions {
  /** ANSI colours (human reporter only). Default false. */
  readonly color?: boolean;
}

/** A function that makes a reporter writing to `out`. */
export type ReporterFactory = (out: Writable, options?: ReporterOptions) => Reporter;

/**
 * The first line of a message: what a one-line summary shows.
 *
 * @example
 * firstLine('First divergence at 300ms: extra signal #1\n  expected: no signal'); // 'First divergence at 300ms: extra signal #1'
 */
export function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0] ?? '';
}

/** The counts of one level, with `total` (every case) and `ran` (every case but the skipped). */
export interface LevelSummary extends LevelCounts {
  readonly level: string;
  readonly total: number;
  readonly ran: number;
}

/**
 * Counts per level in a stable order: the three known levels first, then any others.
 *
 * @example
 * levelCounts(report); // [{ level: 'core', passed: 32, failed: 0, …, total: 32, ran: 32 }, …]
 */
export function levelCounts(report: Report): LevelSummary[] {
  const known = ['core', 'timing', 'backpressure', 'strict'];
  const levels = Object.keys(report.byLevel).sort(
    (a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return levels.map((level) => {
    const counts = report.byLevel[level] as LevelCounts;
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    return { level, ...counts, total, ran: total - counts.skipped };
  });
}

/**
 * One line of passes per level, out of the cases that ran: `core 30/32, timing 12/12`. A level
 * whose cases were all skipped shows `0/0`.
 *
 * @example
 * levelLine(report); // 'core 30/32, timing 12/12, backpressure 5/5'
 */
export function levelLine(report: Report): string {
  return levelCounts(report)
    .map((c) => `${c.level} ${c.passed}/${c.ran}`)
    .join(', ');
}
