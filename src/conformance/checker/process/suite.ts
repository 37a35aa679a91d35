import { describeValue, ProbekitError } from '../../../errors.js';
import type { Scenario } from '../../../scenario/types.js';
import { systemClock } from '../../../time/clock.js';
import { type ExpectedFailures, markExpectedFailure } from '../../common/expect-fail.js';
import { aggregateRuns } from '../../common/repeat.js';
import { type CaseResult, makeReport, type Report } from '../../common/report.js';
import { type CheckerConformanceOptions, checkerCases } from '../suite.js';
import { type ProcessCaseOptions, runProcessCase } from './run-case.js';

/**
 * Where a run stands, told after each run of a case.
 *
 * @example
 * onRun: (result, { done, total }) => process.stderr.write(`${done}/${total}\r`)
 */
export interface ProcessRunProgress {
  /** 1-based round (`--repeat N` runs every case once per round). */
  readonly round: number;
  readonly rounds: number;
  /** Runs finished so far, this one included, and runs in all (skipped cases are not runs). */
  readonly done: number;
  readonly total: number;
}

/** Which scenarios to run against a command, and how. */
export interface ProcessConformanceOptions
  extends ProcessCaseOptions,
    Omit<CheckerConformanceOptions, 'onResult'> {
  /**
   * Runs every selected case this many times (default 1), in rounds: every case once, then
   * every case again, so a burst of machine noise hits several cases once rather than one case
   * every time. A case then passes only when every run passed; see `CaseResult.repeat`.
   */
  readonly repeat?: number;
  /** Cases known to fail: failing is then not held against the run, passing is. */
  readonly expectedFailures?: ExpectedFailures;
  /**
   * Called with each case's final result: after each case with `repeat` 1, after the last
   * round with more (a case's result then covers all its runs).
   */
  readonly onResult?: (result: CaseResult) => void;
  /** Called after every single run (skips aside), for progress output. */
  readonly onRun?: (result: CaseResult, progress: ProcessRunProgress) => void;
}

/** The most `repeat` accepted: enough to measure a rate, not enough to run for a week. */
export const MAX_REPEAT = 1000;

/**
 * Checks a repeat count: a whole number from 1 to {@link MAX_REPEAT}.
 *
 * @example
 * checkRepeat(5); // 5
 */
export function checkRepeat(repeat: unknown): number {
  if (typeof repeat !== 'number' || !Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to repeat the cases: ${describeValue(repeat)} is not a whole number from 1 to ${MAX_REPEAT}. Use 5 to run every case five times.`,
    );
  }
  return repeat;
}

/**
 * The result of a scenario a process run cannot stage, with its reason.
 *
 * @example
 * skippedCase(scenario); // { status: 'skip', message: 'virtual time only: …', … }
 */
export function skippedCase(scenario: Scenario): CaseResult {
  return {
    id: scenario.id,
    level: scenario.level,
    description: scenario.description,
    rules: scenario.rules,
    status: 'skip',
    diffs: [],
    message: `virtual time only: ${scenario.virtualOnly ?? ''}`,
    elapsedMs: 0,
  };
}

/**
 * Runs the checker conformance suite against an implementation in another process, in real
 * time (see docs/conformance.md for the protocol): each selected scenario `repeat` times, in
 * rounds. Scenarios marked `virtualOnly` are skipped, with their reason. An aborted `signal`
 * ends the running case and skips the rest.
 *
 * @example
 * const report = await runProcessConformance({
 *   command: 'python3 docs/examples/dapr_checker.py',
 *   levels: ['core'],
 *   repeat: 3,
 *   onResult: (r) => console.log(r.status, r.id, r.repeat?.classification),
 * });
 * process.exitCode = reportSucceeded(report) ? 0 : 1;
 */
export async function runProcessConformance(options: ProcessConformanceOptions): Promise<Report> {
  const clock = options.clock ?? systemClock;
  const started = clock.now;
  const rounds = checkRepeat(options.repeat ?? 1);
  const scenarios = checkerCases(options).map(({ scenario }) => scenario);
  const runnable = scenarios.filter((s) => s.virtualOnly === undefined);
  const runs = new Map<string, CaseResult[]>(runnable.map((s) => [s.id, []]));
  const final = new Map<string, CaseResult>();
  const settle = (result: CaseResult) => {
    const marked = markExpectedFailure(result, options.expectedFailures);
    final.set(marked.id, marked);
    options.onResult?.(marked);
  };
  const total = runnable.length * rounds;
  let done = 0;
  everyRound: for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      if (scenario.virtualOnly !== undefined) {
        if (round === 1) settle(skippedCase(scenario));
        continue;
      }
      if (options.signal?.aborted) break everyRound;
      const result = await runProcessCase(scenario, options);
      runs.get(scenario.id)?.push(result);
      done++;
      options.onRun?.(result, { round, rounds, done, total });
      if (rounds === 1) settle(result);
    }
  }
  if (rounds > 1) {
    for (const scenario of runnable) {
      const ran = runs.get(scenario.id) ?? [];
      if (ran.length) settle(aggregateRuns(ran));
    }
  }
  const results = scenarios.flatMap((s) => final.get(s.id) ?? []);
  return makeReport('checker', `exec: ${options.command}`, results, clock.now - started);
}
