import type { CheckerAdapter } from '../../scenario/adapter.js';
import { compareTraces, formatDiff } from '../../scenario/compare.js';
import { loadScenarios, type ScenarioFile, selectLevels } from '../../scenario/fixtures.js';
import { runScenario } from '../../scenario/run.js';
import type { Scenario, ScenarioLevel } from '../../scenario/types.js';
import { systemClock } from '../../time/clock.js';
import { type CaseResult, makeReport, type Report } from '../common/report.js';

/** Which cases to run and how to hear about them. */
export interface CheckerConformanceOptions {
  /** Run only these levels (default: all). */
  readonly levels?: readonly ScenarioLevel[];
  /** Scenario ids to run (default: all). */
  readonly only?: readonly string[];
  /** A folder of scenario files (default: the fixtures shipped with probekit). */
  readonly fixturesDir?: string;
  /** Called after each case, for progress output. */
  readonly onResult?: (result: CaseResult) => void;
}

/**
 * Runs one scenario against an adapter in virtual time and compares the observable trace with
 * the expected one exactly (virtual time needs no tolerance).
 */
export async function runCheckerCase(scenario: Scenario, adapter: CheckerAdapter): Promise<CaseResult> {
  const started = systemClock.now;
  const base = {
    id: scenario.id,
    level: scenario.level,
    description: scenario.description,
    rules: scenario.rules,
  };
  if (!scenario.expected) {
    return {
      ...base,
      status: 'error',
      diffs: [],
      message: 'The scenario has no expected trace.',
      elapsedMs: 0,
    };
  }
  try {
    const actual = await runScenario(scenario, adapter);
    const diffs = compareTraces(scenario.expected, actual);
    const elapsedMs = systemClock.now - started;
    if (diffs.length === 0) return { ...base, status: 'pass', diffs, elapsedMs, actual };
    return {
      ...base,
      status: 'fail',
      diffs,
      message: formatDiff(diffs, scenario.expected, actual, scenario.rules),
      elapsedMs,
      actual,
    };
  } catch (error) {
    return {
      ...base,
      status: 'error',
      diffs: [],
      message: error instanceof Error ? error.message : String(error),
      elapsedMs: systemClock.now - started,
    };
  }
}

/** The scenarios a run would use, after level and id filters. */
export function checkerCases(options: CheckerConformanceOptions = {}): ScenarioFile[] {
  const files = selectLevels(loadScenarios(options.fixturesDir), options.levels);
  return options.only?.length ? files.filter(({ scenario }) => options.only?.includes(scenario.id)) : files;
}

/**
 * Runs the checker conformance suite in process, in virtual time, and reports per case.
 *
 * @example
 * const report = await runCheckerConformance(referenceAdapter, { levels: ['core'] });
 * console.log(`${report.passed} passed, ${report.failed} failed`);
 */
export async function runCheckerConformance(
  adapter: CheckerAdapter,
  options: CheckerConformanceOptions = {},
): Promise<Report> {
  const started = systemClock.now;
  const results: CaseResult[] = [];
  for (const { scenario } of checkerCases(options)) {
    const result = await runCheckerCase(scenario, adapter);
    results.push(result);
    options.onResult?.(result);
  }
  return makeReport('checker', adapter.name, results, systemClock.now - started);
}
