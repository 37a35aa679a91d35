import type { Writable } from 'node:stream';
import type { Reporter } from './reporter.js';

/**
 * For machines: the whole {@link Report} as one JSON document (pretty-printed) when the run
 * ends, nothing before. Actual traces are included, so a failure can be rendered or attached.
 * Skipped cases are results with `status: "skip"` (and listed in `skipped`); with `--repeat`
 * each result has `repeat: { runs, passes, classification, spread, diffKinds, results }`, every
 * run's own result included; an expect-fail entry adds `expectedFailure: { reason, file }`.
 *
 * @example
 * const reporter = jsonReporter(createWriteStream('conformance.json'));
 */
export function jsonReporter(out: Writable): Reporter {
  return {
    begin() {},
    result() {},
    end(report) {
      out.write(`${JSON.stringify(report, null, 2)}\n`);
    },
  };
}
