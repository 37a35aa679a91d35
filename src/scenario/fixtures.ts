import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbekitError } from '../errors.js';
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
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to read the scenarios in ${dir}: ${(error as Error).message}. Pass a folder of scenario JSON files.`,
    );
  }
  const seen = new Map<string, string>();
  return names.map((name) => {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCENARIO',
        `Failed to read ${file}: ${(error as Error).message}.`,
      );
    }
    const scenario = parseScenario(value, file);
    const previous = seen.get(scenario.id);
    if (previous) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCENARIO',
        `Failed to read ${file}: the id ${JSON.stringify(scenario.id)} is already used by ${previous}. Ids must be unique.`,
      );
    }
    seen.set(scenario.id, file);
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
