import type { Writable } from 'node:stream';
import { unexpectedPassText } from '../expect-fail.js';
import { type CaseResult, type LevelCounts, type Report, verdictOf } from '../report.js';
import { firstLine, levelCounts, type Reporter } from './reporter.js';

/** Characters XML 1.0 does not allow anywhere (a process's stderr may contain them). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must go.
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Escapes text for XML content and attribute values (newlines kept as character references in
 * attributes), dropping characters XML 1.0 cannot hold.
 *
 * @example
 * escapeXml('a <b> & "c"'); // 'a &lt;b&gt; &amp; &quot;c&quot;'
 */
export function escapeXml(text: string, attribute = false): string {
  const escaped = text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  return attribute ? escaped.replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;') : escaped;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${escapeXml(String(value), true)}"`)
    .join(' ');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** The element that says how a case went, if it did not simply pass. */
function outcome(result: CaseResult): string | undefined {
  const text = escapeXml(result.message ?? '');
  switch (verdictOf(result)) {
    case 'failed': {
      const type = result.repeat?.classification === 'flaky' ? 'flaky' : 'trace-mismatch';
      return `      <failure ${attrs({ message: firstLine(result.message), type })}>${text}</failure>`;
    }
    case 'errored':
      return `      <error ${attrs({ message: firstLine(result.message), type: 'error' })}>${text}</error>`;
    case 'skipped':
      return `      <skipped ${attrs({ message: result.message ?? '' })}/>`;
    case 'expected-failure': {
      const message = `expected to fail: ${result.expectedFailure?.reason ?? ''}`;
      return `      <skipped ${attrs({ message, type: 'expected-failure' })}>${text}</skipped>`;
    }
    case 'unexpected-pass': {
      const message = unexpectedPassText(result);
      return `      <failure ${attrs({ message, type: 'unexpected-pass' })}>${escapeXml(message)}</failure>`;
    }
    default:
      return undefined;
  }
}

function testcase(result: CaseResult, suite: string): string {
  const head = `    <testcase ${attrs({
    name: result.id,
    classname: `probekit.conformance.${suite}.${result.level}`,
    time: secs(result.elapsedMs),
  })}`;
  const body: string[] = [];
  const shown = outcome(result);
  if (shown) body.push(shown);
  else if (result.message) body.push(`      <system-out>${escapeXml(result.message)}</system-out>`);
  if (result.stderr) body.push(`      <system-err>${escapeXml(result.stderr)}</system-err>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

/** JUnit counts: an unexpected pass is a failure, an expected failure a skip (as pytest writes them). */
function junitCounts(c: Omit<LevelCounts, 'passed'>) {
  return {
    failures: c.failed + c.unexpectedPasses,
    errors: c.errored,
    skipped: c.skipped + c.expectedFailures,
  };
}

/**
 * For CI: JUnit XML when the run ends — one `<testsuite>` per level, one `<testcase>` per
 * scenario (`classname` `probekit.conformance.<suite>.<level>`, `name` the scenario id). A
 * failure's `message` is the diff's first line and its text the whole trace diff (`type`
 * `flaky` when some runs of `--repeat` passed); an error's text is its message. A skipped case
 * has `<skipped message="why"/>`; an expected failure is a `<skipped type="expected-failure">`
 * and an unexpected pass a `<failure type="unexpected-pass">`, as pytest writes strict xfails.
 * The process's stderr tail goes to `<system-err>`, notes to `<system-out>`.
 *
 * @example
 * const reporter = junitReporter(createWriteStream('conformance.xml'));
 */
export function junitReporter(out: Writable): Reporter {
  return {
    begin() {},
    result() {},
    end(report: Report) {
      const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites ${attrs({
          name: `probekit conformance ${report.suite}: ${report.implementation}`,
          tests: report.results.length,
          ...junitCounts({ ...report, skipped: report.skipped.length }),
          time: secs(report.elapsedMs),
        })}>`,
      ];
      for (const counts of levelCounts(report)) {
        const results = report.results.filter((r) => r.level === counts.level);
        const time = results.reduce((sum, r) => sum + r.elapsedMs, 0);
        lines.push(
          `  <testsuite ${attrs({
            name: `${report.suite}.${counts.level}`,
            tests: counts.total,
            ...junitCounts(counts),
            time: secs(time),
          })}>`,
          '    <properties>',
          `      <property ${attrs({ name: 'implementation', value: report.implementation })}/>`,
          '    </properties>',
          ...results.map((r) => testcase(r, report.suite)),
          '  </testsuite>',
        );
      }
      lines.push('</testsuites>');
      out.write(`${lines.join('\n')}\n`);
    },
  };
}
