import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProfileName, profileNamed, REFERENCE_PROFILE } from '../checker/profiles/catalogue.js';
import { ProbekitError } from '../errors.js';
import { readJsonFolder } from './json-folder.js';
import { simulate } from './simulate.js';
import type { Scenario, ScenarioLevel, Trace } from './types.js';
import { parseScenario } from './validate.js';

/** The checker fixtures that ship with probekit (resolves from both src/ and dist/). */
export const CHECKER_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/checker/', import.meta.url));

/** A scenario with the file it came from. */
export interface ScenarioFile {
  readonly file: string;
  readonly scenario: Scenario;
}

/**
 * Reads and validates every `*.json` scenario in `dir` (sorted by file name), rejecting
 * duplicate ids. Synchronous, so test files can register one test per scenario.
 *
 * @example
 * const core = loadScenarios().filter(({ scenario }) => scenario.level === 'core');
 */
export function loadScenarios(dir: string = CHECKER_FIXTURES_DIR): ScenarioFile[] {
  const { files, claimId } = readJsonFolder(dir, 'scenarios');
  return files.map(({ file, value }) => {
    const scenario = parseScenario(value, file);
    claimId(scenario.id, file);
    return { file, scenario };
  });
}

/** Keeps the scenarios of the given levels (all when `levels` is absent or empty). */
export function selectLevels<T extends { scenario: Scenario }>(
  files: T[],
  levels?: readonly ScenarioLevel[],
): T[] {
  if (!levels || levels.length === 0) return files;
  return files.filter(({ scenario }) => levels.includes(scenario.level));
}

/** The per-profile expected traces that ship with probekit: `<profile>/<scenario id>.json`. */
export const PROFILE_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/profiles/', import.meta.url));

/**
 * What a scenario gives under one profile: the trace the engine simulates, or why the profile
 * refuses to run it (the app health checker refuses a timeout longer than the interval).
 */
export type ProfileOutcome = { readonly expected: Trace } | { readonly refused: string };

/** One scenario's expected result under one profile, with the file it came from. */
export interface ProfileExpectation {
  readonly file: string;
  /** The scenario's id (the checker fixture `<id>.json`). */
  readonly id: string;
  readonly profile: ProfileName;
  /** The trace under this profile; absent when the profile refuses the scenario. */
  readonly expected?: Trace;
  /** Why the profile cannot run the scenario, when it cannot. */
  readonly refused?: string;
}

/** Where {@link loadProfileExpectations} reads. */
export interface ProfileFixtureFolders {
  /** The per-profile folders (default {@link PROFILE_FIXTURES_DIR}). */
  readonly dir?: string;
  /** The scenarios, read for the reference profile (default {@link CHECKER_FIXTURES_DIR}). */
  readonly scenariosDir?: string;
}

/**
 * The expected result of every checker fixture under `profile`, sorted by scenario id: for the
 * reference (`dapr-1.0`) each scenario's own `expected` trace, for any other profile the files
 * of `fixtures/profiles/<profile>/`, which `probekit fixtures update --profiles` generates with
 * the profile engine. Synchronous, so test files can register one test per scenario.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for a profile that does not exist,
 * `ERR_PROBEKIT_INVALID_SCENARIO` for a file that is not such a fixture (naming it and why).
 * @example
 * const byId = new Map(loadProfileExpectations('dapr-1.1').map((e) => [e.id, e]));
 * byId.get('all-503-single-false')?.expected?.signals.length; // 5: false repeats
 */
export function loadProfileExpectations(
  profile: string,
  folders: ProfileFixtureFolders = {},
): ProfileExpectation[] {
  const name = profileNamed(profile).name;
  if (name === REFERENCE_PROFILE) {
    return loadScenarios(folders.scenariosDir)
      .map(({ file, scenario }) =>
        scenario.expected === undefined
          ? { file, id: scenario.id, profile: name }
          : { file, id: scenario.id, profile: name, expected: scenario.expected },
      )
      .sort((a, b) => compareIds(a.id, b.id));
  }
  const dir = join(folders.dir ?? PROFILE_FIXTURES_DIR, name);
  const { files, claimId } = readJsonFolder(dir, `${name} expectations`);
  return files
    .map(({ file, value }) => {
      const expectation = parseProfileExpectation(value, file, name);
      claimId(expectation.id, file);
      return expectation;
    })
    .sort((a, b) => compareIds(a.id, b.id));
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function parseProfileExpectation(value: unknown, file: string, profile: ProfileName): ProfileExpectation {
  const bad = (reason: string): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to read ${file}: ${reason}. Regenerate it with "probekit fixtures update --profiles".`,
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('it is not a JSON object');
  const record = value as Record<string, unknown>;
  const { id, expected, refused } = record;
  if (typeof id !== 'string' || `${id}.json` !== basename(file)) {
    bad(`its id ${JSON.stringify(id)} is not its file name without .json`);
  }
  if (record.profile !== profile) {
    bad(
      `its profile ${JSON.stringify(record.profile)} is not ${JSON.stringify(profile)}, the folder it is in`,
    );
  }
  if ((expected === undefined) === (refused === undefined))
    bad('it needs exactly one of "expected" and "refused"');
  if (refused !== undefined) {
    if (typeof refused !== 'string' || refused === '') bad('its "refused" is not a non-empty string');
    return { file, id: id as string, profile, refused: refused as string };
  }
  const trace = expected as Partial<Trace> | null;
  if (
    typeof trace !== 'object' ||
    trace === null ||
    typeof trace.durationMs !== 'number' ||
    !Array.isArray(trace.probes) ||
    !Array.isArray(trace.signals)
  ) {
    bad('its "expected" is not a trace (durationMs, probes, signals)');
  }
  return { file, id: id as string, profile, expected: expected as Trace };
}

/**
 * Simulates `scenario` under `profile` for its per-profile fixture: the trace, or the reason
 * the profile refuses the scenario's options (a ProbekitError `ERR_PROBEKIT_INVALID_OPTION`).
 *
 * @example
 * const outcome = await simulateProfileOutcome(scenario, 'dapr-1.13');
 * if ('expected' in outcome) console.log(outcome.expected.signals);
 */
export async function simulateProfileOutcome(scenario: Scenario, profile: string): Promise<ProfileOutcome> {
  try {
    return { expected: await simulate(scenario, { profile }) };
  } catch (error) {
    if (error instanceof ProbekitError && error.code === 'ERR_PROBEKIT_INVALID_OPTION') {
      return { refused: error.message };
    }
    throw error;
  }
}

/**
 * The text of a per-profile fixture file: `{ id, profile, expected }` or `{ id, profile,
 * refused }`, two-space JSON with a final newline (what `probekit fixtures update --profiles`
 * writes and `check --profiles` compares).
 *
 * @example
 * await writeFile(join(PROFILE_FIXTURES_DIR, 'dapr-1.1', `${id}.json`), profileFixtureText(id, 'dapr-1.1', outcome));
 */
export function profileFixtureText(id: string, profile: string, outcome: ProfileOutcome): string {
  return `${JSON.stringify({ id, profile, ...outcome }, null, 2)}\n`;
}
