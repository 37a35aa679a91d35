import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkRepeat } from '../../src/conformance/checker/process/suite.js';
import {
  markExpectedFailure,
  parseExpectFail,
  unexpectedPassText,
  unknownExpectedIds,
} from '../../src/conformance/common/expect-fail.js';
import { createEta } from '../../src/conformance/common/progress.js';
import { type CaseResult, verdictOf } from '../../src/conformance/common/report.js';
import { commandLine, shellQuote } from '../../src/conformance/common/rerun.js';
import { ProbekitError } from '../../src/errors.js';

const result = (status: CaseResult['status']): CaseResult => ({
  id: 'hang-times-out',
  level: 'core',
  description: 'A hanging request is a failure.',
  rules: [],
  status,
  diffs: [],
  elapsedMs: 1,
});

describe('the expect-fail file', () => {
  it('reads one "id  reason" a line, skipping blank lines and # comments', () => {
    const expected = parseExpectFail(
      '# known failures of my-checker\n\nhang-times-out \t no request timeout yet (#4)  \r\n  # indented comment\nall-503-single-false emits false past the threshold\n',
      'known.txt',
    );
    expect(expected.file).toBe('known.txt');
    expect([...expected.reasons]).toEqual([
      ['hang-times-out', 'no request timeout yet (#4)'],
      ['all-503-single-false', 'emits false past the threshold'],
    ]);
  });

  it('rejects a line without a reason and an id listed twice, naming the line', () => {
    const code = (text: string) => {
      try {
        parseExpectFail(text, 'known.txt');
      } catch (error) {
        return [(error as ProbekitError).code, (error as Error).message];
      }
      return undefined;
    };
    expect(code('\nhang-times-out\n')).toEqual([
      'ERR_PROBEKIT_INVALID_OPTION',
      expect.stringMatching(
        /^Failed to read the expect-fail file known\.txt: line 2 \("hang-times-out"\) has no reason\./,
      ),
    ]);
    expect(code('a x\nb y\na z\n')?.[1]).toMatch(/line 3 lists "a" a second time/);
  });

  it('names the ids that are not scenarios', () => {
    const expected = parseExpectFail('a x\nb y\nc z\n', 'f');
    expect(unknownExpectedIds(expected, ['a', 'c', 'd'])).toEqual(['b']);
  });

  it('marks listed results only, and never a skipped one', () => {
    const expected = parseExpectFail('hang-times-out  no timeout yet\n', 'known.txt');
    expect(verdictOf(markExpectedFailure(result('fail'), expected))).toBe('expected-failure');
    expect(verdictOf(markExpectedFailure(result('error'), expected))).toBe('expected-failure');
    const passed = markExpectedFailure(result('pass'), expected);
    expect(verdictOf(passed)).toBe('unexpected-pass');
    expect(unexpectedPassText(passed)).toBe(
      'expected to fail but passed: remove it from known.txt (it said: "no timeout yet")',
    );
    expect(verdictOf(markExpectedFailure(result('skip'), expected))).toBe('skipped');
    expect(markExpectedFailure({ ...result('fail'), id: 'other' }, expected).expectedFailure).toBeUndefined();
  });
});

describe('the rerun command line', () => {
  const words = [
    'probekit',
    '--exec',
    'python3 "my checker.py" --flag=$HOME',
    "it's",
    'back\\slash',
    'two\nlines',
    '--only',
    'a,b',
    '',
  ];

  it('leaves plain words bare and single-quotes the rest', () => {
    expect(shellQuote('--time-scale')).toBe('--time-scale');
    expect(shellQuote('a,b')).toBe('a,b');
    expect(shellQuote('node a.mjs')).toBe("'node a.mjs'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('reads back as the same words in /bin/sh', () => {
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${commandLine(words)}`], {
      encoding: 'utf8',
    });
    expect(printed.split('\0').slice(0, -1)).toEqual(words);
  });
});

describe('the time left of a real-time run', () => {
  it('starts from the scenarios durations and adds the overhead learnt from finished runs', () => {
    const eta = createEta([{ durationMs: 1000 }, { durationMs: 2000 }, { durationMs: 500 }]);
    expect(eta.line()).toBe('0/3, about 4 s left');
    eta.done(1600); // 600 ms beyond its scenario
    expect(eta.line()).toBe('1/3, about 4 s left'); // 2000 + 500 + 2 × 600
    eta.done(2000);
    expect(eta.line()).toBe('2/3, about 1 s left'); // 500 + 300
    eta.done(800);
    expect(eta.line()).toBe('3/3, about 0 s left');
  });

  it('counts minutes for long runs', () => {
    expect(createEta(Array.from({ length: 60 }, () => ({ durationMs: 1500 }))).line()).toBe(
      '0/60, about 1 min 30 s left',
    );
  });
});

describe('the repeat count', () => {
  it('accepts whole numbers from 1 to 1000 and names anything else', () => {
    expect(checkRepeat(1)).toBe(1);
    expect(checkRepeat(1000)).toBe(1000);
    for (const bad of [0, 1001, 2.5, Number.NaN, '3']) {
      expect(() => checkRepeat(bad)).toThrow(ProbekitError);
    }
    expect(() => checkRepeat(0)).toThrow(
      /Failed to repeat the cases: 0 is not a whole number from 1 to 1000/,
    );
  });
});
