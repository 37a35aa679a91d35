import type { Writable } from 'node:stream';
import type { CaseResult, Report } from '../report.js';
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

function testcase(result: CaseResult, suite: string): string {
  const head = `    <testcase ${attrs({
    name: result.id,
    classname: `probekit.conformance.${suite}.${result.level}`,
    time: secs(result.elapsedMs),
  })}`;
  const body: string[] = [];
  if (result.status === 'fail') {
    body.push(
      `      <failure ${attrs({ message: firstLine(result.message), type: 'trace-mismatch' })}>${escapeXml(result.message ?? '')}</failure>`,
    );
  } else if (result.status === 'error') {
    body.push(
      `      <error ${attrs({ message: firstLine(result.message), type: 'error' })}>${escapeXml(result.message ?? '')}</error>`,
    );
  } else if (result.message) {
    body.push(`      <system-out>${escapeXml(result.message)}</system-out>`);
  }
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

/**
 * For CI: JUnit XML when the run ends — one `<testsuite>` per level, one `<testcase>` per
 * scenario (`classname` `probekit.conformance.<suite>.<level>`, `name` the scenario id). A
 * failure's `message` is the diff's first line and its text the whole trace diff; an error's
 * text is its message (with the process's stderr).
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
          failures: report.failed,
          errors: report.errored,
          skipped: 0,
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
            failures: counts.failed,
            errors: counts.errored,
            skipped: 0,
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
