import { describeValue, ProbekitError } from '../../errors.js';
import type { CaseResult } from './report.js';

/**
 * The cases an expect-fail file lists: id → reason, plus the file's name for messages.
 *
 * @example
 * const expected = parseExpectFail('hang-times-out  our client has no timeout yet\n', 'xfail.txt');
 * expected.reasons.get('hang-times-out'); // 'our client has no timeout yet'
 */
export interface ExpectedFailures {
  readonly file: string;
  readonly reasons: ReadonlyMap<string, string>;
}

/**
 * Reads an expect-fail file: one case a line, its id, then whitespace, then why it is expected
 * to fail (required: the file is a to-do list, and a reason says what to fix). Blank lines and
 * lines starting with `#` are ignored. A plain text format rather than JSON, so that each entry
 * can carry a comment and removing one is a one-line diff.
 *
 * ```
 * # ids known to fail against my-checker, removed as they are fixed
 * all-503-single-false     emits false on every failure past the threshold (#12)
 * defaults-dapr            our default interval is 10s
 * ```
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for a line without a reason or an id
 * listed twice, naming the line.
 * @example
 * const expected = parseExpectFail(readFileSync('xfail.txt', 'utf8'), 'xfail.txt');
 */
export function parseExpectFail(text: string, file: string): ExpectedFailures {
  const reasons = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(.+)$/.exec(line);
    if (!match) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to read the expect-fail file ${file}: line ${index + 1} (${describeValue(line)}) has no reason. Write the id, spaces, then why it fails, like "hang-times-out  no request timeout yet".`,
      );
    }
    const [, id, reason] = match as unknown as [string, string, string];
    if (reasons.has(id)) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to read the expect-fail file ${file}: line ${index + 1} lists ${describeValue(id)} a second time. Keep one line per case.`,
      );
    }
    reasons.set(id, reason.trim());
  }
  return { file, reasons };
}

/**
 * The ids an expect-fail file lists that are not among `known` (all the suite's ids, not just
 * the selected ones: a file may list cases of another level).
 *
 * @example
 * unknownExpectedIds(expected, allIds); // ['hang-time-out'] (a typo)
 */
export function unknownExpectedIds(expected: ExpectedFailures, known: Iterable<string>): string[] {
  const ids = new Set(known);
  return [...expected.reasons.keys()].filter((id) => !ids.has(id));
}

/**
 * Marks a result as an expected failure when the file lists it (a skipped case stays as it is:
 * it says nothing about whether the failure is still there).
 *
 * @example
 * const marked = markExpectedFailure(result, expected);
 * verdictOf(marked); // 'expected-failure' or 'unexpected-pass' when listed
 */
export function markExpectedFailure(result: CaseResult, expected: ExpectedFailures | undefined): CaseResult {
  const reason = expected?.reasons.get(result.id);
  if (reason === undefined || result.status === 'skip' || !expected) return result;
  return { ...result, expectedFailure: { reason, file: expected.file } };
}

/**
 * What a report says about an expected failure that passed, so that the entry gets removed.
 *
 * @example
 * unexpectedPassText(result); // 'expected to fail but passed: remove it from xfail.txt (it said: "no timeout yet")'
 */
export function unexpectedPassText(result: CaseResult): string {
  const expected = result.expectedFailure;
  if (!expected) return '';
  return `expected to fail but passed: remove it from ${expected.file} (it said: ${JSON.stringify(expected.reason)})`;
}
