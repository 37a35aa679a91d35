import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { aggregateRuns } from '../../src/conformance/common/repeat.js';
import {
  type CaseResult,
  failingResults,
  makeReport,
  type Report,
  reportSucceeded,
} from '../../src/conformance/common/report.js';
import { createReporter, type Reporter } from '../../src/conformance/common/reporters/index.js';
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
    const none = { skipped: 0, expectedFailures: 0, unexpectedPasses: 0 };
    expect(parsed.byLevel).toEqual({
      core: { passed: 2, failed: 1, errored: 0, ...none },
      timing: { passed: 0, failed: 0, errored: 1, ...none },
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

// A second run: a skip, a flaky case over four runs, one failing every run, an expected
// failure, an expected failure that passed, and a failure with the process's stderr.
const skip: CaseResult = {
  id: 'tie-at-timeout',
  level: 'timing',
  description: 'An answer at the timeout instant.',
  rules: ['probe.timeout'],
  status: 'skip',
  diffs: [],
  message: 'virtual time only: a tie # real time cannot stage',
  elapsedMs: 0,
};
const run = (status: 'pass' | 'fail', at: number, kind: 'extra-signal' | 'signal-time' = 'extra-signal') =>
  status === 'pass'
    ? { ...pass, elapsedMs: 400 }
    : {
        ...fail,
        id: pass.id,
        diffs: [{ kind, index: 1, at, expected: 'no signal', actual: `false at ${at}ms` }],
        message: `First divergence at ${at}ms: ${kind.replace('-', ' ')} #1\n  expected: no signal`,
        elapsedMs: 400,
      };
const flaky = aggregateRuns([
  run('pass', 0),
  run('fail', 301),
  run('pass', 0),
  run('fail', 305),
  run('fail', 300, 'signal-time'),
]);
const alwaysFails = aggregateRuns([
  { ...fail, elapsedMs: 600 },
  { ...fail, elapsedMs: 610 },
]);
const expected: CaseResult = {
  ...fail,
  id: 'all-503-single-false-xfail',
  expectedFailure: { reason: 'emits false past the threshold (#12)', file: 'known.txt' },
};
const unexpected: CaseResult = {
  ...pass,
  id: 'hang-times-out-xpass',
  expectedFailure: { reason: 'no request timeout yet', file: 'known.txt' },
};
const withStderr: CaseResult = {
  ...fail,
  id: 'fail-with-stderr',
  stderr: 'traceback: boom <here>\nlast line\n',
};
const mixed = [skip, flaky, alwaysFails, expected, unexpected, withStderr];
const mixedReport = makeReport('checker', 'exec: ./mine', mixed, 9000);

function renderMixed(name: string): string {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const reporter = createReporter(name, out);
  reporter.begin({
    suite: 'checker',
    implementation: mixedReport.implementation,
    total: mixed.length,
    repeat: 5,
  });
  for (const result of mixed) reporter.result(result);
  reporter.end(mixedReport);
  return chunks.join('');
}

describe('the report of a run with skips, repeats and expected failures', () => {
  it('counts skips, flaky cases, expected failures and unexpected passes apart', () => {
    expect(mixedReport).toMatchObject({
      passed: 0,
      failed: 3,
      errored: 0,
      flaky: 1,
      expectedFailures: 1,
      unexpectedPasses: 1,
      skipped: [{ id: 'tie-at-timeout', level: 'timing', reason: skip.message }],
    });
    expect(reportSucceeded(mixedReport)).toBe(false);
    expect(failingResults(mixedReport).map((r) => r.id)).toEqual([
      'hang-times-out',
      'all-503-single-false',
      'hang-times-out-xpass',
      'fail-with-stderr',
    ]);
  });

  it('succeeds with only skips and expected failures besides passes', () => {
    expect(reportSucceeded(makeReport('checker', 'x', [pass, skip, expected], 1))).toBe(true);
  });

  it('classifies a case by its runs: flaky, failed every run, passed every run', () => {
    expect(flaky.status).toBe('fail');
    expect(flaky.repeat).toMatchObject({ runs: 5, passes: 2, classification: 'flaky' });
    expect(flaky.repeat?.results).toHaveLength(5);
    expect(flaky.repeat?.spread).toEqual([
      { headline: 'extra signal #1', count: 2 },
      { headline: 'signal time #1', count: 1 },
    ]);
    expect(flaky.repeat?.diffKinds).toEqual({ 'extra-signal': 2, 'signal-time': 1 });
    expect(flaky.message?.split('\n')[0]).toBe('flaky: failed 3 of 5 runs');
    expect(flaky.message).toContain('First failing run (#2):\nFirst divergence at 301ms');
    expect(flaky.elapsedMs).toBe(2000);
    expect(alwaysFails.repeat?.classification).toBe('failed');
    expect(alwaysFails.message?.split('\n')[0]).toBe('failed every run (2 of 2 failed)');
    const steady = aggregateRuns([pass, pass, pass]);
    expect(steady).toMatchObject({
      status: 'pass',
      repeat: { runs: 3, passes: 3, classification: 'passed' },
    });
  });

  it('groups errors by their first line with the durations blanked out', () => {
    const exited = (ms: number) => ({
      ...error,
      message: `Failed to run scenario x: it exited with code 3, ${ms} ms after it was spawned.`,
    });
    const result = aggregateRuns([exited(12), exited(15), pass]);
    expect(result.status).toBe('error');
    // Regression: a case that errored in some runs and passed in others was not counted flaky.
    expect(makeReport('checker', 'x', [result], 1)).toMatchObject({ errored: 1, flaky: 1 });
    expect(result.repeat?.spread).toEqual([
      {
        headline: 'error: Failed to run scenario x: it exited with code 3, N ms after it was spawned.',
        count: 2,
      },
    ]);
  });

  it('human: marks each kind of case, then lists failures with stderr, expected failures and skips', () => {
    const text = renderMixed('human');
    expect(text).toMatch(/^6 scenarios, each run 5 times in rounds$/m);
    expect(text).toMatch(/^- \[timing\] tie-at-timeout \(skipped\)$/m);
    expect(text).toMatch(/^✗ \[core\] hang-times-out \(flaky, 2\/5 runs passed\) 2\.0 s$/m);
    expect(text).toMatch(/^✗ \[core\] all-503-single-false \(failed every run, 0\/2 runs passed\) 1\.2 s$/m);
    expect(text).toMatch(
      /^x \[core\] all-503-single-false-xfail \(expected failure: emits false past the threshold \(#12\)\)/m,
    );
    expect(text).toMatch(/^✗ \[core\] hang-times-out-xpass \(expected to fail but passed\)/m);
    const failures = text.slice(text.indexOf('Failures and errors'), text.indexOf('Expected failures'));
    expect(failures).toContain(
      'flaky: failed 3 of 5 runs\n      2× extra signal #1\n      1× signal time #1',
    );
    expect(failures).toContain(
      'expected to fail but passed: remove it from known.txt (it said: "no request timeout yet")',
    );
    expect(failures).toContain('stderr (last lines):\n    | traceback: boom <here>\n    | last line');
    expect(failures).not.toContain('tie-at-timeout');
    expect(text).toMatch(
      /Expected failures\n {2}\[core\] all-503-single-false-xfail: emits false past the threshold \(#12\) \(known\.txt\)/,
    );
    expect(text).toContain(
      'Skipped\n  virtual time only: a tie # real time cannot stage\n    [timing] tie-at-timeout\n',
    );
    expect(text).toMatch(/^ {2}core +0\/5 passed, 3 failed, 1 expected failure, 1 unexpected pass$/m);
    expect(text).toMatch(/^ {2}timing +0\/0 passed, 1 skipped$/m);
    expect(text).toContain(
      '6 scenarios: 0 passed, 3 failed, 0 errors, 1 of them flaky, 1 skipped, 1 expected failure, 1 unexpected pass (9.0 s)\ncore 0/5, timing 0/0\n',
    );
  });

  it('human: prints each run of a repeated case as it finishes', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    createReporter('human', out).run?.(run('fail', 301), 2, 5);
    expect(chunks.join('')).toBe('[2/5] ✗ [core] hang-times-out 400 ms\n');
  });

  it('human: prints the passes per level on one line', () => {
    expect(render('human')).toMatch(/\(1\.2 s\)\ncore 2\/3, timing 0\/1\n$/);
  });

  it('JSON: gives each repeated case its runs, passes, classification and every run', () => {
    const parsed = JSON.parse(renderMixed('json')) as Report;
    const repeated = parsed.results.find((r) => r.id === 'hang-times-out');
    expect(repeated?.repeat).toMatchObject({ runs: 5, passes: 2, classification: 'flaky' });
    expect(repeated?.repeat?.results.map((r) => r.status)).toEqual(['pass', 'fail', 'pass', 'fail', 'fail']);
    expect(parsed.results[0]).toMatchObject({ status: 'skip', message: skip.message });
    expect(parsed.skipped).toHaveLength(1);
    expect(parsed.results.find((r) => r.id === 'hang-times-out-xpass')?.expectedFailure).toEqual({
      reason: 'no request timeout yet',
      file: 'known.txt',
    });
  });

  it('JUnit: counts and marks skips, expected failures, unexpected passes, flaky cases and stderr', () => {
    const xml = renderMixed('junit');
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuites [^>]*tests="6" failures="4" errors="0" skipped="2"/);
    expect(xml).toMatch(/<testsuite name="checker\.timing" tests="1" failures="0" errors="0" skipped="1"/);
    expect(xml).toMatch(/<testsuite name="checker\.core" tests="5" failures="4" errors="0" skipped="1"/);
    expect(xml).toMatch(
      /<testcase name="tie-at-timeout" [^>]*>\n {6}<skipped message="virtual time only: a tie # real time cannot stage"\/>\n {4}<\/testcase>/,
    );
    expect(xml).toMatch(/<failure message="flaky: failed 3 of 5 runs" type="flaky">/);
    expect(xml).toMatch(
      /<skipped message="expected to fail: emits false past the threshold \(#12\)" type="expected-failure">First divergence/,
    );
    expect(xml).toMatch(
      /<failure message="expected to fail but passed: remove it from known\.txt \(it said: &quot;no request timeout yet&quot;\)" type="unexpected-pass">/,
    );
    expect(xml).toMatch(/<system-err>traceback: boom &lt;here&gt;\nlast line\n<\/system-err>/);
  });

  it('TAP: SKIP for skips, TODO for expected failures, runs in the YAML of repeated cases', () => {
    const lines = renderMixed('tap').split('\n');
    expect(lines.filter((line) => /^(not )?ok \d+ /.test(line))).toEqual([
      'ok 1 - [timing] tie-at-timeout # SKIP virtual time only: a tie \\# real time cannot stage',
      'not ok 2 - [core] hang-times-out',
      'not ok 3 - [core] all-503-single-false',
      'not ok 4 - [core] all-503-single-false-xfail # TODO expected to fail: emits false past the threshold (\\#12)',
      'not ok 5 - [core] hang-times-out-xpass',
      'not ok 6 - [core] fail-with-stderr',
    ]);
    const flakyAt = lines.indexOf('not ok 2 - [core] hang-times-out');
    expect(lines.slice(flakyAt + 1, flakyAt + 9)).toEqual(
      expect.arrayContaining(['  runs: 5', '  passes: 2', '  classification: flaky']),
    );
    const xpassAt = lines.indexOf('not ok 5 - [core] hang-times-out-xpass');
    expect(lines[xpassAt + 2]).toBe(
      '  message: "expected to fail but passed: remove it from known.txt (it said: \\"no request timeout yet\\")"',
    );
    expect(lines[xpassAt + 3]).toBe('  severity: unexpected-pass');
    expect(lines).toContain('  stderr: |-');
    expect(lines).toContain('    traceback: boom <here>');
    expect(lines).toContain('# timing: 0 passed, 0 failed, 0 errors, 1 skipped');
    expect(lines).toContain(
      '# 0 passed, 3 failed, 0 errors, 1 skipped, 1 expected failures, 1 unexpected passes',
    );
  });
});
