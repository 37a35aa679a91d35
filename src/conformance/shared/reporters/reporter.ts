import type { Writable } from 'node:stream';
import type { CaseResult, Report } from '../report.js';

/** What a reporter is told before the first case. */
export interface RunInfo {
  readonly suite: Report['suite'];
  readonly implementation: string;
  /** How many cases will run. */
  readonly total: number;
  /** One line on how they run (e.g. "real time, scale 1, tolerance 10 ms"), for people. */
  readonly details?: string;
}

/**
 * Turns a conformance run into output, as it happens: `begin` once, `result` after each case,
 * `end` with the whole report. Reporters write to the stream they were made with and never
 * decide the exit code.
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

/**
 * Counts per level in a stable order: the three known levels first, then any others.
 *
 * @example
 * levelCounts(report); // [{ level: 'core', passed: 32, failed: 0, errored: 0, total: 32 }, …]
 */
export function levelCounts(
  report: Report,
): Array<{ level: string; passed: number; failed: number; errored: number; total: number }> {
  const known = ['core', 'timing', 'backpressure'];
  const levels = Object.keys(report.byLevel).sort(
    (a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return levels.map((level) => {
    const counts = report.byLevel[level] as { passed: number; failed: number; errored: number };
    return { level, ...counts, total: counts.passed + counts.failed + counts.errored };
  });
}
