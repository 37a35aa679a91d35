import { describe, expect, it } from 'vitest';
import { parseScript, ScriptSyntaxError } from '../../src/endpoint/script/dsl/index.js';
import { LIMITS } from '../../src/endpoint/script/model.js';
import { toDefinition, validateDefinition } from '../../src/endpoint/script/schema.js';
import { ProbekitError } from '../../src/errors.js';

/** What a call threw (the test fails if it did not throw). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function nested(levels: number): unknown {
  let item: unknown = { kind: 'hang' };
  for (let i = 0; i < levels; i++) item = { kind: 'repeat', times: 2, item };
  return { routes: [{ path: '*', script: [item] }] };
}

describe('a definition too deep or too big for the schema', () => {
  it('rejects one nested 5,000 deep with the depth limit in the message (regression: ajv overflowed the stack with a bare RangeError)', () => {
    const error = thrown(() => validateDefinition(nested(5000)));
    expect(error).toBeInstanceOf(ProbekitError);
    expect(error).toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_SCRIPT',
      message: expect.stringContaining(`nests more than ${LIMITS.maxJsonDepth} levels deep`),
    });
    expect((error as Error).message.length).toBeLessThan(600);
  });

  it('rejects a definition that contains itself, as too deep', () => {
    const route: Record<string, unknown> = { path: '*', script: [] };
    (route.script as unknown[]).push({ kind: 'group', items: [route] });
    expect(() => validateDefinition({ routes: [route] })).toThrow(/levels deep/);
  });

  it('still reports the nesting rule of the script itself below the JSON limit', () => {
    expect(() => validateDefinition(nested(LIMITS.maxDepth + 1))).toThrow(
      new RegExp(`nests more than ${LIMITS.maxDepth} deep`),
    );
  });

  it('names a value JSON cannot hold, with its pointer', () => {
    expect(() =>
      validateDefinition({
        routes: [{ path: '*', script: [{ kind: 'status', status: 200, body: () => 'x' }] }],
      }),
    ).toThrow(/\/routes\/0\/script\/0\/body is a function, which JSON cannot hold/);
  });
});

describe('toDefinition with something that is not a script', () => {
  it.each([
    ['a function', () => 1],
    ['a number', 42],
    ['a symbol', Symbol('x')],
    ['null', null],
  ])(
    'rejects %s with ERR_PROBEKIT_INVALID_SCRIPT (regression: a function threw a TypeError)',
    (what, value) => {
      const error = thrown(() => toDefinition(value));
      expect(error).toBeInstanceOf(ProbekitError);
      expect(error).toMatchObject({
        code: 'ERR_PROBEKIT_INVALID_SCRIPT',
        message: expect.stringContaining(`the definition is ${what}, not an object`),
      });
    },
  );
});

describe('a DSL script too long, or with a very long line', () => {
  it('rejects a 16-million-character script with the length limit (regression: the lexer overflowed the stack)', () => {
    const error = thrown(() => parseScript(`"${'a'.repeat(16_000_000)}"`));
    expect(error).toBeInstanceOf(ScriptSyntaxError);
    expect((error as Error).message).toContain(`more than the limit of ${LIMITS.maxScriptChars}`);
  });

  it('reads a string of millions of characters without overflowing, up to the body limit', () => {
    const error = thrown(() => parseScript(`200 "${'a'.repeat(3_000_000)}"`));
    expect((error as Error).message).toContain(`the body is longer than ${LIMITS.maxBodyChars} characters`);
    expect(parseScript(`200 "${'a\\n'.repeat(400_000)}"`).routes[0]?.script[0]).toMatchObject({
      body: 'a\n'.repeat(400_000),
    });
  });

  it('quotes only a window of a long line around the column, and keeps the message short', () => {
    const error = thrown(() => parseScript(`${'200, '.repeat(2_000)}hng, ${'503, '.repeat(2_000)}200`));
    const syntax = error as ScriptSyntaxError;
    expect(syntax.column).toBe(10_001);
    const [line, caret] = syntax.excerpt.split('\n') as [string, string];
    expect(line.length).toBeLessThan(130);
    expect(line).toMatch(/^ {2}….*hng, 503.*…$/);
    expect(line[caret.indexOf('^')]).toBe('h');
    expect(syntax.message).toContain('Did you mean "hang"?');
  });

  it('keeps an unknown megabyte-long word out of its message and its excerpt', () => {
    const error = thrown(() => parseScript(`200, ${'x'.repeat(1_000_000)}`)) as ScriptSyntaxError;
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    expect(error.message.length).toBeLessThan(600);
    expect(error.excerpt.length).toBeLessThan(140);
    expect(error.found?.length).toBeLessThan(60);
  });
});
