import type { Writable } from 'node:stream';
import { unexpectedPassText } from '../expect-fail.js';
import { type CaseResult, verdictOf } from '../report.js';
import { firstLine, levelCounts, type Reporter } from './reporter.js';

/** A TAP description or directive may not contain `#` unescaped (it starts a directive). */
function escapeTap(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ');
}

function description(result: CaseResult): string {
  return escapeTap(`[${result.level}] ${result.id}`);
}

function yamlBlock(result: CaseResult): string[] {
  const verdict = verdictOf(result);
  const text = verdict === 'unexpected-pass' ? unexpectedPassText(result) : (result.message ?? '');
  const severity =
    verdict === 'unexpected-pass' ? 'unexpected-pass' : result.status === 'fail' ? 'fail' : 'error';
  const lines = [
    '  ---',
    `  message: ${JSON.stringify(firstLine(text))}`,
    `  severity: ${severity}`,
    `  level: ${JSON.stringify(result.level)}`,
    `  rules: ${JSON.stringify(result.rules)}`,
  ];
  if (result.repeat) {
    const { runs, passes, classification } = result.repeat;
    lines.push(`  runs: ${runs}`, `  passes: ${passes}`, `  classification: ${classification}`);
  }
  lines.push('  details: |-', ...text.split('\n').map((line) => `    ${line}`));
  if (result.stderr)
    lines.push(
      '  stderr: |-',
      ...result.stderr
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
    );
  lines.push('  ...');
  return lines;
}

/** The test point of a case: `ok`/`not ok`, number, description and directive. */
function testPoint(result: CaseResult, count: number): string {
  switch (verdictOf(result)) {
    case 'passed':
      return `ok ${count} - ${description(result)}`;
    case 'skipped':
      return `ok ${count} - ${description(result)} # SKIP ${escapeTap(result.message ?? '')}`;
    case 'expected-failure':
      return `not ok ${count} - ${description(result)} # TODO ${escapeTap(`expected to fail: ${result.expectedFailure?.reason ?? ''}`)}`;
    default:
      return `not ok ${count} - ${description(result)}`;
  }
}

/**
 * For TAP consumers: `TAP version 14`, the plan, then `ok N - [level] id` / `not ok N - …` as
 * each case finishes, a YAML diagnostic block (first line, severity, level, rules, with
 * `--repeat` the runs, passes and classification, the whole diff or error, the stderr tail)
 * under each `not ok`, and counts per level as `#` comments at the end. A skipped case is
 * `ok N - … # SKIP why`; an expected failure `not ok N - … # TODO expected to fail: why` (TAP's
 * own "known to fail, not held against the run"); an expected failure that passed is a plain
 * `not ok`, saying to remove it from the file.
 *
 * @example
 * const reporter = tapReporter(process.stdout);
 */
export function tapReporter(out: Writable): Reporter {
  let count = 0;
  return {
    begin(info) {
      out.write(`TAP version 14\n1..${info.total}\n`);
    },
    result(result) {
      count++;
      out.write(`${testPoint(result, count)}\n`);
      const verdict = verdictOf(result);
      if (verdict !== 'passed' && verdict !== 'skipped') out.write(`${yamlBlock(result).join('\n')}\n`);
      else if (verdict === 'passed' && result.message) {
        for (const line of result.message.split('\n')) out.write(`# ${line}\n`);
      }
    },
    end(report) {
      for (const c of levelCounts(report)) {
        out.write(`# ${c.level}: ${c.passed} passed, ${c.failed} failed, ${c.errored} errors${extra(c)}\n`);
      }
      const total = { ...report, skipped: report.skipped.length };
      out.write(
        `# ${report.passed} passed, ${report.failed} failed, ${report.errored} errors${extra(total)}\n`,
      );
    },
  };
}

/** The counts that are not zero beyond pass, fail and error. */
function extra(c: { skipped: number; expectedFailures: number; unexpectedPasses: number }): string {
  const parts: string[] = [];
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  if (c.expectedFailures) parts.push(`${c.expectedFailures} expected failures`);
  if (c.unexpectedPasses) parts.push(`${c.unexpectedPasses} unexpected passes`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}
