import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../src/endpoint/backends/server/server.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { parseScript, printScript, ScriptSyntaxError } from '../../src/endpoint/script/dsl/index.js';
import { explain, type PassStep } from '../../src/endpoint/script/model.js';
import { toDefinition, validateDefinition } from '../../src/endpoint/script/schema.js';

const first = (script: string) => parseScript(script).routes[0]?.script[0];

describe('the pass step in the DSL', () => {
  it('reads pass, pass [status=503], delay … then pass and slow-body pass over …', () => {
    expect(first('pass')).toEqual({ kind: 'pass' });
    expect(first('pass [status=503]')).toEqual({ kind: 'pass', status: 503 });
    expect(first('delay 200ms then pass')).toEqual({ kind: 'pass', delay: 200 });
    expect(first('slow-body pass over 2s')).toEqual({ kind: 'pass', over: 2000 });
    expect(first('delay 5ms..9ms then slow-body pass [status=500] over 1s')).toEqual({
      kind: 'pass',
      status: 500,
      over: 1000,
      delay: { dist: 'uniform', min: 5, max: 9 },
    });
  });

  it('prints every pass form so that it reads back equal (round trip)', () => {
    const passStep = fc.record(
      {
        kind: fc.constant('pass' as const),
        status: fc.integer({ min: 200, max: 599 }),
        over: fc.integer({ min: 1, max: 3_600_000 }),
        delay: fc.integer({ min: 0, max: 3_600_000 }),
      },
      { requiredKeys: ['kind'] },
    );
    fc.assert(
      fc.property(fc.array(passStep, { minLength: 1, maxLength: 5 }), (steps: PassStep[]) => {
        const definition = validateDefinition({ routes: [{ path: '*', script: steps }] });
        expect(parseScript(printScript(definition))).toEqual(definition);
      }),
      { numRuns: 200 },
    );
    expect(printScript(parseScript('pass*2, 503, reset, slow-body pass [status=503] over 2s, pass...'))).toBe(
      'pass*2, 503, reset, slow-body pass [status=503] over 2s, pass...',
    );
  });

  it('explains pass in words', () => {
    expect(explain(parseScript('pass*2, delay 1s then pass [status=503], slow-body pass over 2s'))).toBe(
      'any path: pass to the upstream twice, then pass to the upstream with its status replaced by 503 after 1s, then pass to the upstream and its body dribbled over 2s, then the last step repeats',
    );
  });

  it('refuses what pass cannot take, with a hint', () => {
    const fails = (script: string, text: string) => {
      const error = (() => {
        try {
          parseScript(script);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ScriptSyntaxError);
      expect((error as Error).message).toContain(text);
    };
    fails('slow-headers pass', 'slow-headers cannot pass');
    fails('pass [x-a="1"]', "pass takes only a status to replace the upstream's");
    fails('pass [status="503"]', 'expected "=" and a status');
    fails('pass [status=99]', 'out of range');
    fails('pass [status=503', 'expected "]"');
  });

  it('accepts pass in JSON and rejects unknown properties on it', () => {
    expect(
      toDefinition({ routes: [{ path: '*', script: [{ kind: 'pass', status: 503, over: 10 }] }] }),
    ).toEqual(parseScript('slow-body pass [status=503] over 10ms'));
    expect(() =>
      validateDefinition({ routes: [{ path: '*', script: [{ kind: 'pass', body: 'x' }] }] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_SCRIPT' }));
  });
});

describe('pass without an upstream', () => {
  it('is refused when the script is loaded by the in-process and msw endpoint and by the mock server', async () => {
    const expected = expect.objectContaining({
      code: 'ERR_PROBEKIT_INVALID_SCRIPT',
      message: expect.stringContaining('no upstream to pass to'),
    });
    expect(() => flakyEndpoint('200, pass...')).toThrow(expected);
    expect(() => flakyEndpoint('200, down from 1s as pass')).toThrow(expected);
    await expect(startMockServer('(200 | pass)...')).rejects.toThrow(expected);
  });

  it('is refused when a later script is set on a mock server, which keeps its old script', async () => {
    const server = await startMockServer('200');
    try {
      expect(() => server.setScript('pass')).toThrow(
        expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_SCRIPT' }),
      );
      expect(printScript(server.definition)).toBe('200');
    } finally {
      await server.close();
    }
  });
});
