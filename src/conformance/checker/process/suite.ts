import { systemClock } from '../../../time/clock.js';
import { type CaseResult, makeReport, type Report } from '../../shared/report.js';
import { type CheckerConformanceOptions, checkerCases } from '../suite.js';
import { type ProcessCaseOptions, runProcessCase } from './run-case.js';

/** Which scenarios to run against a command, and how. */
export interface ProcessConformanceOptions
  extends ProcessCaseOptions,
    Omit<CheckerConformanceOptions, 'onResult'> {
  /** Called after each case, for progress output. */
  readonly onResult?: (result: CaseResult) => void;
}

/**
 * Runs the checker conformance suite against an implementation in another process, one
 * scenario after another in real time (see docs/conformance.md for the protocol). An aborted
 * `signal` ends the running case and skips the rest.
 *
 * @example
 * const report = await runProcessConformance({
 *   command: 'python3 docs/examples/dapr_checker.py',
 *   levels: ['core'],
 *   onResult: (r) => console.log(r.status, r.id),
 * });
 * process.exitCode = report.failed + report.errored === 0 ? 0 : 1;
 */
export async function runProcessConformance(options: ProcessConformanceOptions): Promise<Report> {
  const clock = options.clock ?? systemClock;
  const started = clock.now;
  const results: CaseResult[] = [];
  for (const { scenario } of checkerCases(options)) {
    if (options.signal?.aborted) break;
    const result = await runProcessCase(scenario, options);
    results.push(result);
    options.onResult?.(result);
  }
  return makeReport('checker', `exec: ${options.command}`, results, clock.now - started);
}
