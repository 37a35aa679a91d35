import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbekitError } from '../errors.js';

/**
 * Reads every `*.json` file of a fixtures folder, sorted by name, as parsed values. Fixture
 * loaders (checker scenarios, healthz cases) validate the values and call `claimId` for each
 * item, which rejects an id used twice, naming both files.
 *
 * @example
 * const { files, claimId } = readJsonFolder('fixtures/checker', 'scenarios');
 */
export function readJsonFolder(dir: string, what: string) {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to read the ${what} in ${dir}: ${(error as Error).message}. Pass a folder of ${what} JSON files.`,
    );
  }
  const files = names.map((name) => {
    const file = join(dir, name);
    try {
      return { file, value: JSON.parse(readFileSync(file, 'utf8')) as unknown };
    } catch (error) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCENARIO',
        `Failed to read ${file}: ${(error as Error).message}.`,
      );
    }
  });
  const seen = new Map<string, string>();
  const claimId = (id: string, file: string): void => {
    const previous = seen.get(id);
    if (previous) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCENARIO',
        `Failed to read ${file}: the id ${JSON.stringify(id)} is already used by ${previous}. Ids must be unique.`,
      );
    }
    seen.set(id, file);
  };
  return { files, claimId };
}
