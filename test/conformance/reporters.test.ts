import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CaseResult, makeReport, type Report } from '../../src/conformance/shared/report.js';
import { createReporter, type Reporter } from '../../src/conformance/shared/reporters/index.js';
import { ProbekitError } from '../../src/errors.js';
import { xmlProblems } from '../teach/xml-well-formed.js';

const pass: CaseResult = {
  id: 'hang-times-out',
  level: 'core',
  description: 'A hanging request is a failure.',
  rules: ['probe.timeout'],
  status: 'pass',
  diffs: [],
  elapsedMs: 451,
};
const noted: CaseResult = {
  ...pass,
  id: 'defaults-dapr',
  message: "note: Dapr's time defaults were passed explicitly",
};
const fail: CaseResult = {
  id: 'all-503-single-false',
  level: 'core',
  description: 'One false per streak.',
  rules: ['count.one-false-per-streak'],
  status: 'fail',
  diffs: [{ kind: 'extra-signal', index: 1, at: 300, expected: 'no signal', actual: 'false at 300ms' }],
  message:
    'First divergence at 300ms: extra signal #1\n  expected: no signal\n  actual:   false at 300ms <&> "x"',
  elapsedMs: 652,
};
const error: CaseResult = {
  id: 'delay-250-drops-tick-200',
  level: 'timing',
  description: 'Dropped ticks # and more',
  rules: ['schedule.dropped-ticks'],
  status: 'error',
  diffs: [],
  message: 'Failed to run scenario: it exited with code 3.\nits stderr ended with:\n  | panic\u0007 <boom>',
  elapsedMs: 30,
};
const results = [pass, noted, fail, error];
const report: Report = makeReport('checker', 'exec: ./my-checker --flag "x"', results, 1234);

function render(name: string): string {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const reporter: Reporter = createReporter(name, out);
  reporter.begin({ suite: 'checker', implementation: report.implementation, total: results.length });
  for (const result of results) reporter.result(result);
  reporter.end(report);
  return chunks.join('');
}

describe('the human reporter', () => {
  it('shows each case as it runs, then the diffs, then counts per level', () => {
    const text = render('human');
    expect(text).toMatch(/^✓ \[core\] hang-times-out 451 ms$/m);
    expect(text).toMatch(/^✗ \[core\] all-503-single-false 652 ms$/m);
    expect(text).toMatch(/^! \[timing\] delay-250-drops-tick-200 \(error\) 30 ms$/m);
    const failures = text.slice(text.indexOf('Failures and errors'));
    expect(failures).toMatch(/First divergence at 300ms: extra signal #1/);
    expect(failures).toMatch(/\| panic/);
    expect(text).toMatch(/defaults-dapr: note: Dapr's time defaults/);
    expect(text).toMatch(/^ {2}core +2\/3 passed, 1 failed$/m);
    expect(text).toMatch(/^ {2}timing +0\/1 passed, 1 error$/m);
    expect(text).toMatch(/4 scenarios: 2 passed, 1 failed, 1 error \(1\.2 s\)/);
  });
});

describe('the JSON reporter', () => {
  it('prints the whole report as one JSON document', () => {
    const parsed = JSON.parse(render('json')) as Report;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
    expect(parsed.byLevel).toEqual({
      core: { passed: 2, failed: 1, errored: 0 },
      timing: { passed: 0, failed: 0, errored: 1 },
    });
  });
});

describe('the JUnit reporter', () => {
  const xml = render('junit');

  it('writes well-formed XML, control characters removed', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml.includes('\u0007')).toBe(false);
  });

  it('has one testsuite per level and one testcase per scenario, with totals', () => {
    expect(xml).toMatch(/<testsuites [^>]*tests="4" failures="1" errors="1" skipped="0" time="1\.234"/);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuite name="checker\.core" tests="3" failures="1" errors="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toMatch(
      /<testcase name="hang-times-out" classname="probekit\.conformance\.checker\.core" time="0\.451"\/>/,
    );
  });

  it('puts the diff in the failure and the stderr in the error', () => {
    expect(xml).toMatch(
      /<failure message="First divergence at 300ms: extra signal #1" type="trace-mismatch">First divergence at 300ms: extra signal #1\n {2}expected: no signal\n {2}actual: {3}false at 300ms &lt;&amp;&gt; &quot;x&quot;<\/failure>/,
    );
    expect(xml).toMatch(
      /<error message="Failed to run scenario: it exited with code 3\." type="error">[^<]*\| panic &lt;boom&gt;<\/error>/,
    );
    expect(xml).toMatch(/<system-out>note: Dapr&apos;s time defaults were passed explicitly<\/system-out>/);
  });
});

describe('the TAP reporter', () => {
  const tap = render('tap');
  const lines = tap.split('\n');

  it('starts with the version and the plan', () => {
    expect(lines.slice(0, 2)).toEqual(['TAP version 14', '1..4']);
  });

  it('writes one numbered ok / not ok line per case', () => {
    const points = lines.filter((line) => /^(not )?ok \d+ /.test(line));
    expect(points).toEqual([
      'ok 1 - [core] hang-times-out',
      'ok 2 - [core] defaults-dapr',
      'not ok 3 - [core] all-503-single-false',
      'not ok 4 - [timing] delay-250-drops-tick-200',
    ]);
  });

  it('follows each not ok with an indented YAML block holding the whole diff', () => {
    const start = lines.indexOf('not ok 3 - [core] all-503-single-false');
    expect(lines[start + 1]).toBe('  ---');
    expect(lines[start + 2]).toBe('  message: "First divergence at 300ms: extra signal #1"');
    expect(lines[start + 3]).toBe('  severity: fail');
    const end = lines.indexOf('  ...', start);
    expect(lines.slice(start + 1, end).join('\n')).toMatch(/ {4}actual: {3}false at 300ms/);
    expect(tap).toMatch(/^# core: 2 passed, 1 failed, 0 errors$/m);
  });
});

describe('choosing a reporter', () => {
  it('rejects an unknown name, listing the known ones', () => {
    expect(() => createReporter('xml', new PassThrough())).toThrow(ProbekitError);
    expect(() => createReporter('xml', new PassThrough())).toThrow(/Use one of human, json, junit, tap/);
  });
});
