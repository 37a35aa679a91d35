import type { Writable } from 'node:stream';
import { unexpectedPassText } from '../expect-fail.js';
import { type CaseResult, type Report, type Verdict, verdictOf } from '../report.js';
import { firstLine, levelCounts, levelLine, type Reporter, type ReporterOptions } from './reporter.js';

const MARK: Record<Verdict, string> = {
  passed: '✓',
  failed: '✗',
  errored: '!',
  skipped: '-',
  'expected-failure': 'x',
  'unexpected-pass': '✗',
};
const ANSI = {
  pass: '\u001b[32m',
  fail: '\u001b[31m',
  error: '\u001b[33m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
};
type Paint = keyof typeof ANSI;
const PAINT: Record<Verdict, Paint> = {
  passed: 'pass',
  failed: 'fail',
  errored: 'error',
  skipped: 'dim',
  'expected-failure': 'dim',
  'unexpected-pass': 'fail',
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What follows the id on a case's line: its verdict when not plain, and its pass rate. */
function label(result: CaseResult): string {
  const parts: string[] = [];
  const repeat = result.repeat;
  if (repeat) {
    const rate = `${repeat.passes}/${repeat.runs} runs passed`;
    parts.push(
      repeat.classification === 'flaky'
        ? `flaky, ${rate}`
        : repeat.classification === 'failed'
          ? `failed every run, ${rate}`
          : rate,
    );
  }
  switch (verdictOf(result)) {
    case 'errored':
      parts.unshift('error');
      break;
    case 'skipped':
      // The reason goes to the Skipped section, once per reason: many cases often share one.
      parts.push('skipped');
      break;
    case 'expected-failure':
      parts.push(`expected failure: ${result.expectedFailure?.reason ?? ''}`);
      break;
    case 'unexpected-pass':
      parts.push('expected to fail but passed');
      break;
    default:
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** The details of a case that needs attention: its diff or error, and its stderr tail. */
function details(result: CaseResult): string {
  const text =
    verdictOf(result) === 'unexpected-pass' ? unexpectedPassText(result) : (result.message ?? '(no details)');
  const stderr = result.stderr?.trimEnd();
  if (!stderr) return indent(text);
  return `${indent(text)}\n    stderr (last lines):\n${indent(stderr, '    | ')}`;
}

/**
 * For people: one line per case as it finishes (`✓` pass, `✗` fail, `!` error, `-` skipped,
 * `x` expected failure, with level and id; with `--repeat`, one line per run as it finishes,
 * then one per case with its pass rate), then the diff, error and stderr tail of every case
 * that failed, the expected failures, the skipped cases under each reason, counts per level, a summary
 * line and the passes per level on one line (`core 30/32, timing 12/12, backpressure 5/5`).
 *
 * @example
 * const reporter = humanReporter(process.stdout, { color: process.stdout.isTTY });
 */
export function humanReporter(out: Writable, { color = false }: ReporterOptions = {}): Reporter {
  const paint = (how: Paint, text: string) => (color ? `${ANSI[how]}${text}${ANSI.reset}` : text);
  const mark = (result: CaseResult) => paint(PAINT[verdictOf(result)], MARK[verdictOf(result)]);
  return {
    begin(info) {
      out.write(`probekit conformance ${info.suite}: ${info.implementation}\n`);
      const what = plural(info.total, 'scenario');
      const repeat = info.repeat && info.repeat > 1 ? `, each run ${info.repeat} times in rounds` : '';
      out.write(`${what}${info.details ? `, ${info.details}` : ''}${repeat}\n\n`);
    },
    run(result, round, rounds) {
      const time = paint('dim', seconds(result.elapsedMs));
      out.write(
        `[${round}/${rounds}] ${mark(result)} [${result.level}] ${result.id}${label(result)} ${time}\n`,
      );
    },
    result(result: CaseResult) {
      const time = result.status === 'skip' ? '' : ` ${paint('dim', seconds(result.elapsedMs))}`;
      out.write(`${mark(result)} [${result.level}] ${result.id}${label(result)}${time}\n`);
    },
    end(report) {
      const section = (
        title: string,
        how: Paint,
        verdicts: readonly Verdict[],
        body: (r: CaseResult) => string,
      ) => {
        const picked = report.results.filter((r) => verdicts.includes(verdictOf(r)));
        if (!picked.length) return;
        out.write(`\n${paint(how, title)}\n`);
        for (const result of picked) out.write(body(result));
      };
      section('Failures and errors', 'fail', ['failed', 'errored', 'unexpected-pass'], (result) => {
        const head = `\n${mark(result)} [${result.level}] ${result.id}: ${result.description}\n`;
        return `${head}${details(result)}\n`;
      });
      section('Expected failures', 'dim', ['expected-failure'], (result) => {
        const why = `${result.expectedFailure?.reason ?? ''} (${result.expectedFailure?.file ?? ''})`;
        return `  [${result.level}] ${result.id}: ${why}\n    ${firstLine(result.message)}\n`;
      });
      // Map.groupBy needs Node 21.
      const skipped = new Map<string, CaseResult[]>();
      for (const r of report.results.filter((r) => r.status === 'skip')) {
        const reason = r.message ?? '';
        skipped.set(reason, [...(skipped.get(reason) ?? []), r]);
      }
      if (skipped.size) {
        out.write(`\n${paint('dim', 'Skipped')}\n`);
        for (const [reason, results] of skipped) {
          out.write(`  ${reason || '(no reason given)'}\n`);
          for (const r of results) out.write(`    [${r.level}] ${r.id}\n`);
        }
      }
      const noted = report.results.filter((r) => verdictOf(r) === 'passed' && r.message);
      if (noted.length) {
        out.write('\nNotes\n');
        for (const result of noted) out.write(`  [${result.level}] ${result.id}: ${result.message}\n`);
      }
      out.write('\nBy level\n');
      const counts = levelCounts(report);
      const width = Math.max(...counts.map((c) => c.level.length), 5);
      for (const c of counts) {
        const parts = [`${c.passed}/${c.ran} passed`];
        if (c.failed) parts.push(`${c.failed} failed`);
        if (c.errored) parts.push(plural(c.errored, 'error'));
        if (c.skipped) parts.push(`${c.skipped} skipped`);
        if (c.expectedFailures) parts.push(plural(c.expectedFailures, 'expected failure'));
        if (c.unexpectedPasses)
          parts.push(plural(c.unexpectedPasses, 'unexpected pass', 'unexpected passes'));
        out.write(`  ${c.level.padEnd(width)}  ${parts.join(', ')}\n`);
      }
      out.write(`\n${paint(failing(report) ? 'fail' : 'pass', summaryLine(report))}\n`);
      out.write(`${levelLine(report)}\n`);
    },
  };
}

function failing(report: Report): boolean {
  return report.failed + report.errored + report.unexpectedPasses > 0;
}

/**
 * The run in one line: `49 scenarios: 45 passed, 1 failed, 0 errors, 1 of them flaky,
 * 2 skipped, 1 expected failure (57.1 s)`; the counts that are zero after errors are left out.
 */
function summaryLine(report: Report): string {
  const parts = [`${report.passed} passed`, `${report.failed} failed`, plural(report.errored, 'error')];
  if (report.flaky) parts.push(`${report.flaky} of them flaky`);
  if (report.skipped.length) parts.push(`${report.skipped.length} skipped`);
  if (report.expectedFailures) parts.push(plural(report.expectedFailures, 'expected failure'));
  if (report.unexpectedPasses) {
    parts.push(plural(report.unexpectedPasses, 'unexpected pass', 'unexpected passes'));
  }
  return `${plural(report.results.length, 'scenario')}: ${parts.join(', ')} (${seconds(report.elapsedMs)})`;
}
