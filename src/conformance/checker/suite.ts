import { profileNamed, REFERENCE_PROFILE } from '../../checker/profiles/catalogue.js';
import { ProbekitError } from '../../errors.js';
import type { CheckerAdapter } from '../../scenario/adapter.js';
import { compareTraces, formatDiff } from '../../scenario/compare.js';
import { loadScenarios, type ScenarioFile, selectLevels } from '../../scenario/fixtures.js';
import { runScenario } from '../../scenario/run.js';
import { simulate } from '../../scenario/simulate.js';
import type { Scenario, ScenarioLevel, Trace } from '../../scenario/types.js';
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
  /**
   * The Dapr version the implementation claims to be (default `dapr-1.0`, the fixtures' own
   * expectations): each case's expected trace is then that profile's, from the engine
   * (`simulate(scenario, { profile })`).
   */
  readonly profile?: string;
}

/**
 * The trace `scenario` must give under `profile`: the fixture's own for the reference, else the
 * engine's; or why the profile cannot run it (the app health checker refuses a timeout longer
 * than its interval).
 *
 * @example
 * const expected = await expectedUnder(scenario, 'dapr-1.1');
 */
export async function expectedUnder(
  scenario: Scenario,
  profile: string = REFERENCE_PROFILE,
  client: 'profile' | 'in-process' = 'profile',
): Promise<Trace | { readonly refused: string }> {
  const name = profileNamed(profile).name;
  // The fixture's own trace is the reference's, unless in process a keep-alive connection the
  // endpoint closes cannot be lost (the suite's transport has none).
  const losesConnection = client === 'in-process' && scenario.idleTimeoutMs !== undefined;
  if (name === REFERENCE_PROFILE && scenario.expected && !losesConnection) return scenario.expected;
  try {
    return await simulate(scenario, { profile: name, client });
  } catch (error) {
    if (error instanceof ProbekitError && error.code === 'ERR_PROBEKIT_INVALID_OPTION') {
      return { refused: `${name} cannot run it: ${error.message}` };
    }
    throw error;
  }
}

/**
 * Runs one scenario against an adapter in virtual time and compares the observable trace with
 * the expected one exactly (virtual time needs no tolerance). Under a profile other than the
 * reference, the expected trace is the engine's for that profile's loop with the in-process
 * transport as its client (an adapter in process probes through the suite's transport).
 */
export async function runCheckerCase(
  scenario: Scenario,
  adapter: CheckerAdapter,
  profile: string = REFERENCE_PROFILE,
): Promise<CaseResult> {
  const started = systemClock.now;
  const base = {
    id: scenario.id,
    level: scenario.level,
    description: scenario.description,
    rules: scenario.rules,
  };
  // In process the suite's transport is the client: the profile's loop is what is judged.
  const expected = await expectedUnder(scenario, profile, 'in-process').catch(() => undefined);
  if (expected && 'refused' in expected) {
    return { ...base, status: 'skip', diffs: [], message: expected.refused, elapsedMs: 0 };
  }
  if (!expected) {
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
    const diffs = compareTraces(expected, actual);
    const elapsedMs = systemClock.now - started;
    if (diffs.length === 0) return { ...base, status: 'pass', diffs, elapsedMs, actual };
    return {
      ...base,
      status: 'fail',
      diffs,
      message: formatDiff(diffs, expected, actual, scenario.rules),
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
    const result = await runCheckerCase(scenario, adapter, options.profile);
    results.push(result);
    options.onResult?.(result);
  }
  return makeReport('checker', adapter.name, results, systemClock.now - started);
}
