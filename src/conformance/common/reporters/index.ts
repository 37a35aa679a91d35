import type { Writable } from 'node:stream';
import { describeValue, ProbekitError } from '../../../errors.js';
import { humanReporter } from './human.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { Reporter, ReporterFactory, ReporterOptions } from './reporter.js';
import { tapReporter } from './tap.js';

export { humanReporter } from './human.js';
export { jsonReporter } from './json.js';
export { escapeXml, junitReporter } from './junit.js';
export {
  firstLine,
  type LevelSummary,
  levelCounts,
  levelLine,
  type Reporter,
  type ReporterFactory,
  type ReporterOptions,
  type RunInfo,
} from './reporter.js';
export { tapReporter } from './tap.js';

/**
 * Every reporter by name, as `--reporter` knows them.
 *
 * @example
 * const reporter = REPORTERS.tap(process.stdout);
 */
export const REPORTERS: Readonly<Record<'human' | 'json' | 'junit' | 'tap', ReporterFactory>> = Object.freeze(
  { human: humanReporter, json: jsonReporter, junit: junitReporter, tap: tapReporter },
);

/** A reporter name. */
export type ReporterName = keyof typeof REPORTERS;

/**
 * Makes the reporter called `name`, writing to `out`.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for an unknown name.
 * @example
 * const reporter = createReporter('junit', createWriteStream('conformance.xml'));
 */
export function createReporter(name: string, out: Writable, options: ReporterOptions = {}): Reporter {
  if (!Object.hasOwn(REPORTERS, name)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the reporter ${describeValue(name)}: there is no such reporter. Use one of ${Object.keys(REPORTERS).join(', ')}.`,
    );
  }
  return REPORTERS[name as ReporterName](out, options);
}
