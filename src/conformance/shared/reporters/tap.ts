import type { Writable } from 'node:stream';
import type { CaseResult } from '../report.js';
import { firstLine, levelCounts, type Reporter } from './reporter.js';

/** A TAP description may not contain `#` unescaped (it starts a directive). */
function description(result: CaseResult): string {
  return `[${result.level}] ${result.id}`.replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function yamlBlock(result: CaseResult): string[] {
  const text = result.message ?? '';
  const lines = [
    '  ---',
    `  message: ${JSON.stringify(firstLine(text))}`,
    `  severity: ${result.status === 'fail' ? 'fail' : 'error'}`,
    `  level: ${JSON.stringify(result.level)}`,
    `  rules: ${JSON.stringify(result.rules)}`,
    '  details: |-',
    ...text.split('\n').map((line) => `    ${line}`),
    '  ...',
  ];
  return lines;
}

/**
 * For TAP consumers: `TAP version 14`, the plan, then `ok N - [level] id` / `not ok N - …` as
 * each case finishes, a YAML diagnostic block (first line, severity, level, rules, and the whole
 * diff or error) under each `not ok`, and counts per level as `#` comments at the end.
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
      const ok = result.status === 'pass' ? 'ok' : 'not ok';
      out.write(`${ok} ${count} - ${description(result)}\n`);
      if (result.status !== 'pass') out.write(`${yamlBlock(result).join('\n')}\n`);
      else if (result.message) for (const line of result.message.split('\n')) out.write(`# ${line}\n`);
    },
    end(report) {
      for (const c of levelCounts(report)) {
        out.write(`# ${c.level}: ${c.passed} passed, ${c.failed} failed, ${c.errored} errors\n`);
      }
      out.write(`# ${report.passed} passed, ${report.failed} failed, ${report.errored} errors\n`);
    },
  };
}
