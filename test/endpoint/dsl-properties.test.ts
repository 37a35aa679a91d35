import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript, printScript } from '../../src/endpoint/script/dsl/index.js';
import { validateDefinition } from '../../src/endpoint/script/schema.js';
import { ProbekitError } from '../../src/errors.js';
import { definitionArbitrary } from './arbitraries.js';

/** Parses, and fails the property unless it parses or throws a ProbekitError. */
function parsesOrExplains(source: string): void {
  try {
    parseScript(source);
  } catch (error) {
    if (!(error instanceof ProbekitError)) throw error;
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    expect(error.message).toMatch(/^Failed to (parse|read) the endpoint (script|definition)/);
  }
}

const VOCABULARY = [
  '200',
  '503',
  '204',
  '99',
  '1.5s',
  '120ms',
  '0',
  'hang',
  'reset',
  'close',
  'malformed',
  'refuse',
  'slow-headers',
  'slow-body',
  'delay',
  'then',
  'down',
  'up',
  'from',
  'until',
  'as',
  'cycle',
  'end',
  'over',
  'normal',
  'exp',
  ',',
  ';',
  ':',
  '*',
  '|',
  '@',
  '(',
  ')',
  '[',
  ']',
  '=',
  '...',
  '..',
  '"x"',
  '"',
  '/healthz',
  '/v1.0/*',
  'GET',
  'POST',
  'get',
  'x-a',
  '#',
  '\n',
  '$',
];

describe('the DSL round-trips every valid definition', () => {
  it('parses the printed form of a random definition back to the same definition', () => {
    fc.assert(
      fc.property(definitionArbitrary, (definition) => {
        expect(parseScript(printScript(definition))).toEqual(definition);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts as JSON exactly what it prints, unchanged', () => {
    fc.assert(
      fc.property(definitionArbitrary, (definition) => {
        expect(validateDefinition(JSON.parse(JSON.stringify(definition)))).toEqual(definition);
      }),
      { numRuns: 300 },
    );
  });

  it('prints the same text again after a round trip', () => {
    fc.assert(
      fc.property(definitionArbitrary, (definition) => {
        const text = printScript(definition);
        expect(printScript(parseScript(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the parser never fails with anything but a ProbekitError', () => {
  it('survives random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), parsesOrExplains), { numRuns: 1000 });
  });

  it('survives random sequences of DSL tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 25 }), (tokens) =>
        parsesOrExplains(tokens.join(' ')),
      ),
      { numRuns: 1500 },
    );
  });

  it('survives valid scripts with one character deleted, doubled or replaced', () => {
    fc.assert(
      fc.property(
        definitionArbitrary,
        fc.nat(),
        fc.constantFrom('delete', 'double', 'replace'),
        fc.constantFrom(...VOCABULARY),
        (definition, at, how, replacement) => {
          const text = printScript(definition);
          const i = at % Math.max(1, text.length);
          const mutated =
            how === 'delete'
              ? text.slice(0, i) + text.slice(i + 1)
              : how === 'double'
                ? text.slice(0, i) + text.slice(i, i + 1) + text.slice(i)
                : text.slice(0, i) + replacement + text.slice(i + 1);
          parsesOrExplains(mutated);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('survives deep nesting without overflowing the stack', () => {
    parsesOrExplains(`${'('.repeat(100_000)}200`);
    parsesOrExplains(`200${'*2'.repeat(10_000)}`);
  });
});
