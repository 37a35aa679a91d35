import type { TraceDiff } from '../../scenario/compare.js';
import type { ScenarioLevel, Trace } from '../../scenario/types.js';

/**
 * How a case behaved over `--repeat N` runs: `passed` every run, `failed` every run (a real
 * divergence), or `flaky` (some runs passed, some did not).
 */
export type RepeatClassification = 'passed' | 'failed' | 'flaky';

/**
 * One way a repeated case went wrong, and in how many runs: the first divergence (kind and
 * index, without its time, which moves from run to run) or the error's first line.
 */
export interface RunSpread {
  readonly headline: string;
  readonly count: number;
}

/**
 * What `--repeat N` saw of one case: its pass rate, its classification, how its failing runs
 * went wrong, and every run's own result.
 *
 * @example
 * if (result.repeat?.classification === 'flaky') console.log(`${result.repeat.passes}/${result.repeat.runs}`);
 */
export interface CaseRepeat {
  readonly runs: number;
  readonly passes: number;
  readonly classification: RepeatClassification;
  /** The distinct first divergences (or errors) of the failing runs, most frequent first. */
  readonly spread: readonly RunSpread[];
  /** How often each diff kind occurred over the failing runs (`{ 'signal-time': 3 }`). */
  readonly diffKinds: Readonly<Record<string, number>>;
  /** Every run's own result, in run order. */
  readonly results: readonly CaseResult[];
}

/**
 * A case listed in an expect-fail file: it is known to fail, for `reason`. Failing is then not
 * held against the run; passing is (the entry should be removed from `file`).
 */
export interface ExpectedFailure {
  readonly reason: string;
  /** The file that lists it, as the user named it. */
  readonly file: string;
}

/**
 * The result of one conformance case. `error`: the implementation could not be run. `skip`:
 * the case was not run, `message` says why.
 */
export interface CaseResult {
  readonly id: string;
  readonly level: ScenarioLevel | string;
  readonly description: string;
  readonly rules: readonly string[];
  readonly status: 'pass' | 'fail' | 'error' | 'skip';
  readonly diffs: readonly TraceDiff[];
  /** The readable diff (fail), error message (error) or reason (skip). */
  readonly message?: string;
  /** The tail of the implementation's stderr, when it ran in another process. */
  readonly stderr?: string;
  /** Real time the case took, ms (every run together under `--repeat`). */
  readonly elapsedMs: number;
  readonly actual?: Trace;
  /** Set when the case ran more than once (`--repeat N`). */
  readonly repeat?: CaseRepeat;
  /** Set when an expect-fail file lists the case. */
  readonly expectedFailure?: ExpectedFailure;
  /** The same run judged as each Dapr profile (`--identify`), by profile name. */
  readonly profiles?: Readonly<
    Record<
      string,
      {
        readonly status: 'pass' | 'fail' | 'skip';
        readonly headline?: string;
        readonly message?: string;
        readonly diffs?: readonly TraceDiff[];
      }
    >
  >;
}

/**
 * What a result means for the run: a plain pass, fail or error; a skip; an expected failure
 * (listed, and it failed or errored: not held against the run); an unexpected pass (listed, and
 * it passed: held against the run, as pytest's strict xfail).
 */
export type Verdict = 'passed' | 'failed' | 'errored' | 'skipped' | 'expected-failure' | 'unexpected-pass';

/**
 * The verdict of one result.
 *
 * @example
 * verdictOf({ ...result, status: 'pass', expectedFailure: { reason: 'no ticker', file: 'xfail.txt' } }); // 'unexpected-pass'
 */
export function verdictOf(result: CaseResult): Verdict {
  if (result.status === 'skip') return 'skipped';
  if (result.expectedFailure) return result.status === 'pass' ? 'unexpected-pass' : 'expected-failure';
  return result.status === 'pass' ? 'passed' : result.status === 'fail' ? 'failed' : 'errored';
}

/** A case that was not run, and why. */
export interface SkippedCaseSummary {
  readonly id: string;
  readonly level: string;
  readonly reason: string;
}

/** Counts of one level (or of the whole run). */
export interface LevelCounts {
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  expectedFailures: number;
  unexpectedPasses: number;
}

/**
 * Every case of one suite run, with counts per level. `passed`, `failed` and `errored` leave out
 * the cases an expect-fail file lists: those are `expectedFailures` or `unexpectedPasses`.
 */
export interface Report {
  readonly suite: 'checker' | 'server';
  readonly implementation: string;
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
  /** The cases that were not run, and why. */
  readonly skipped: readonly SkippedCaseSummary[];
  /** Failed or errored cases (in `failed` or `errored`) that passed in some runs of `--repeat`. */
  readonly flaky: number;
  readonly expectedFailures: number;
  readonly unexpectedPasses: number;
  readonly byLevel: Readonly<Record<string, LevelCounts>>;
  readonly elapsedMs: number;
}

const COUNTER: Record<Verdict, keyof LevelCounts> = {
  passed: 'passed',
  failed: 'failed',
  errored: 'errored',
  skipped: 'skipped',
  'expected-failure': 'expectedFailures',
  'unexpected-pass': 'unexpectedPasses',
};

/**
 * Builds a report (counts included) from case results.
 *
 * @example
 * const report = makeReport('checker', 'exec: ./my-checker', results, 57_000);
 * process.exitCode = reportSucceeded(report) ? 0 : 1;
 */
export function makeReport(
  suite: Report['suite'],
  implementation: string,
  results: readonly CaseResult[],
  elapsedMs: number,
): Report {
  const total: LevelCounts = emptyCounts();
  const byLevel: Record<string, LevelCounts> = {};
  for (const result of results) {
    const counter = COUNTER[verdictOf(result)];
    byLevel[result.level] ??= emptyCounts();
    (byLevel[result.level] as LevelCounts)[counter]++;
    total[counter]++;
  }
  return {
    suite,
    implementation,
    results,
    passed: total.passed,
    failed: total.failed,
    errored: total.errored,
    skipped: results
      .filter((r) => r.status === 'skip')
      .map((r) => ({ id: r.id, level: r.level, reason: r.message ?? '' })),
    flaky: results.filter((r) => {
      const verdict = verdictOf(r);
      return (verdict === 'failed' || verdict === 'errored') && r.repeat?.classification === 'flaky';
    }).length,
    expectedFailures: total.expectedFailures,
    unexpectedPasses: total.unexpectedPasses,
    byLevel,
    elapsedMs,
  };
}

function emptyCounts(): LevelCounts {
  return { passed: 0, failed: 0, errored: 0, skipped: 0, expectedFailures: 0, unexpectedPasses: 0 };
}

/**
 * Whether a run succeeded: no case failed or errored (in any run of `--repeat`), and no case
 * listed as an expected failure passed. Skips and expected failures do not count against it.
 *
 * @example
 * process.exitCode = reportSucceeded(report) ? 0 : 1;
 */
export function reportSucceeded(report: Report): boolean {
  return report.failed + report.errored + report.unexpectedPasses === 0;
}

/**
 * The results a rerun should pick up: failed, errored (flaky included) and unexpectedly passed.
 *
 * @example
 * failingResults(report).map((r) => r.id); // ['all-503-single-false']
 */
export function failingResults(report: Report): CaseResult[] {
  return report.results.filter((r) => {
    const verdict = verdictOf(r);
    return verdict === 'failed' || verdict === 'errored' || verdict === 'unexpected-pass';
  });
}
