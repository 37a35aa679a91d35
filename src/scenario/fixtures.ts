import { fileURLToPath } from 'node:url';
import { readJsonFolder } from './json-folder.js';
import type { Scenario, ScenarioLevel } from './types.js';
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
