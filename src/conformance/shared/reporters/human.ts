import type { Writable } from 'node:stream';
import type { CaseResult } from '../report.js';
import { levelCounts, type Reporter, type ReporterOptions } from './reporter.js';

const MARK = { pass: '✓', fail: '✗', error: '!' } as const;
const ANSI = {
  pass: '\u001b[32m',
  fail: '\u001b[31m',
  error: '\u001b[33m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
};

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${by}${line}`))
    .join('\n');
}

/**
 * For people: one line per case as it finishes (`✓`, `✗` fail, `!` error, with level and id),
 * then the trace diff of every failure and the message of every error, then counts per level.
 *
 * @example
 * const reporter = humanReporter(process.stdout, { color: process.stdout.isTTY });
 */
export function humanReporter(out: Writable, { color = false }: ReporterOptions = {}): Reporter {
  const paint = (status: keyof typeof ANSI, text: string) =>
    color ? `${ANSI[status]}${text}${ANSI.reset}` : text;
  return {
    begin(info) {
      out.write(`probekit conformance ${info.suite}: ${info.implementation}\n`);
      const what = `${info.total} scenario${info.total === 1 ? '' : 's'}`;
      out.write(`${what}${info.details ? `, ${info.details}` : ''}\n\n`);
    },
    result(result: CaseResult) {
      const mark = paint(result.status, MARK[result.status]);
      const time = paint('dim', seconds(result.elapsedMs));
      const label = result.status === 'error' ? ' (error)' : '';
      out.write(`${mark} [${result.level}] ${result.id}${label} ${time}\n`);
    },
    end(report) {
      const broken = report.results.filter((r) => r.status !== 'pass');
      if (broken.length) {
        out.write(`\n${paint('fail', 'Failures and errors')}\n`);
        for (const result of broken) {
          out.write(
            `\n${paint(result.status, MARK[result.status])} [${result.level}] ${result.id}: ${result.description}\n`,
          );
          out.write(`${indent(result.message ?? '(no details)')}\n`);
        }
      }
      const noted = report.results.filter((r) => r.status === 'pass' && r.message);
      if (noted.length) {
        out.write('\nNotes\n');
        for (const result of noted) out.write(`  [${result.level}] ${result.id}: ${result.message}\n`);
      }
      out.write('\nBy level\n');
      const counts = levelCounts(report);
      const width = Math.max(...counts.map((c) => c.level.length), 5);
      for (const c of counts) {
        const parts = [`${c.passed}/${c.total} passed`];
        if (c.failed) parts.push(`${c.failed} failed`);
        if (c.errored) parts.push(`${c.errored} error${c.errored === 1 ? '' : 's'}`);
        out.write(`  ${c.level.padEnd(width)}  ${parts.join(', ')}\n`);
      }
      const total = report.results.length;
      const summary = `${total} scenario${total === 1 ? '' : 's'}: ${report.passed} passed, ${report.failed} failed, ${report.errored} error${report.errored === 1 ? '' : 's'} (${seconds(report.elapsedMs)})`;
      out.write(`\n${paint(report.failed + report.errored ? 'fail' : 'pass', summary)}\n`);
    },
  };
}
