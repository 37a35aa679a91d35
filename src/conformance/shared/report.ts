import type { TraceDiff } from '../../scenario/compare.js';
import type { ScenarioLevel, Trace } from '../../scenario/types.js';

/** The result of one conformance case. `error`: the implementation could not be run. */
export interface CaseResult {
  readonly id: string;
  readonly level: ScenarioLevel | string;
  readonly description: string;
  readonly rules: readonly string[];
  readonly status: 'pass' | 'fail' | 'error';
  readonly diffs: readonly TraceDiff[];
  /** The readable diff (fail) or error message (error). */
  readonly message?: string;
  /** Real time the case took, ms. */
  readonly elapsedMs: number;
  readonly actual?: Trace;
}

/** Every case of one suite run, with counts per level. */
export interface Report {
  readonly suite: 'checker' | 'server';
  readonly implementation: string;
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
  readonly byLevel: Readonly<Record<string, { passed: number; failed: number; errored: number }>>;
  readonly elapsedMs: number;
}

/** Builds a report (counts included) from case results. */
export function makeReport(
  suite: Report['suite'],
  implementation: string,
  results: CaseResult[],
  elapsedMs: number,
): Report {
  const byLevel: Record<string, { passed: number; failed: number; errored: number }> = {};
  for (const result of results) {
    byLevel[result.level] ??= { passed: 0, failed: 0, errored: 0 };
    const counts = byLevel[result.level] as { passed: number; failed: number; errored: number };
    if (result.status === 'pass') counts.passed++;
    else if (result.status === 'fail') counts.failed++;
    else counts.errored++;
  }
  return {
    suite,
    implementation,
    results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    errored: results.filter((r) => r.status === 'error').length,
    byLevel,
    elapsedMs,
  };
}
