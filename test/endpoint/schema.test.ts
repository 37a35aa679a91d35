import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scriptFromDaprTrace } from '../../src/endpoint/script/dapr-trace.js';
import { parseScript, printScript } from '../../src/endpoint/script/dsl/index.js';
import { endpointScriptSchema, toDefinition, validateDefinition } from '../../src/endpoint/script/schema.js';
import { ProbekitError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function rejection(input: unknown): ProbekitError {
  try {
    validateDefinition(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    return error as ProbekitError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

const route = (script: unknown[], extra: Record<string, unknown> = {}) => ({
  routes: [{ path: '*', script, ...extra }],
});

describe('the JSON form', () => {
  it('ships the schema as a file identical to the one the code validates with', () => {
    const file = JSON.parse(readFileSync(`${root}schema/endpoint-script.schema.json`, 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(endpointScriptSchema)));
  });

  it('accepts what the DSL produces, and a $schema reference', () => {
    const definition = parseScript('/healthz: 200*2, (200@3 | 503), delay 10ms..20ms then reset');
    expect(validateDefinition({ $schema: './schema/endpoint-script.schema.json', ...definition })).toEqual(
      definition,
    );
  });

  it('returns the canonical form, dropping defaults the DSL cannot tell apart', () => {
    expect(
      validateDefinition(route([{ kind: 'status', status: 200, headers: {} }], { end: 'last', windows: [] })),
    ).toEqual(route([{ kind: 'status', status: 200 }]));
  });

  it('names the JSON pointer, the value and a hint when the schema says no', () => {
    expect(rejection(route([{ kind: 'status', status: 600 }])).message).toBe(
      'Failed to read the endpoint definition: /routes/0/script/0/status must be <= 599 (got 600). See schema/endpoint-script.schema.json, or write the script in the DSL (docs/dsl.md).',
    );
    expect(rejection(route([{ kind: 'teapot' }])).message).toContain(
      '/routes/0/script/0 has an unknown kind "teapot"',
    );
    expect(rejection(route([{ kind: 'hang', delay: 5 }])).message).toContain(
      '/routes/0/script/0 has an unknown property "delay"',
    );
    expect(rejection({ routes: [{ script: [] }] }).message).toContain('/routes/0 lacks the property "path"');
    expect(
      rejection(route([{ kind: 'status', status: 200, headers: { Connection: 'close' } }])).message,
    ).toContain('header name probekit does not accept: "Connection"');
    expect(rejection(null).message).toContain('the definition is null, not an object');
  });

  it('enforces the rules a schema cannot say, as the DSL does', () => {
    const forever = { kind: 'forever', item: { kind: 'status', status: 200 } };
    expect(rejection(route([forever, { kind: 'hang' }])).message).toContain(
      '/routes/0/script/0 repeats forever but is not the last item',
    );
    expect(rejection(route([{ kind: 'repeat', times: 2, item: forever }])).message).toContain(
      'repeats forever',
    );
    expect(rejection(route([{ kind: 'refuse' }])).message).toContain('is a refuse step without "for"');
    expect(
      rejection(
        route([
          { kind: 'choice', options: [{ step: { kind: 'refuse', for: 5 } }, { step: { kind: 'hang' } }] },
        ]),
      ).message,
    ).toContain('/routes/0/script/0/options/0/step is refuse, which cannot be a choice');
    expect(rejection(route([], { windows: [{ from: 5, until: 5 }] })).message).toContain(
      '/routes/0/windows/0/until (5) is not after "from" (5)',
    );
    expect(
      rejection(route([], { flap: { up: 1, down: 1, step: { kind: 'refuse', for: 3 } } })).message,
    ).toContain('/routes/0/flap/step/for is not allowed here');
    expect(rejection(route([])).message).toContain('is empty and the route has no windows or flap');
    expect(rejection(route([forever], { end: 'cycle' })).message).toContain('can never apply');
    expect(
      rejection({
        routes: [
          { path: '/a', script: [{ kind: 'hang' }] },
          { path: '/a', script: [{ kind: 'hang' }] },
        ],
      }).message,
    ).toContain('/routes/1/path repeats the path "/a"');
  });

  it('takes either form through toDefinition', () => {
    expect(toDefinition('200...')).toEqual(
      toDefinition({
        routes: [{ path: '*', script: [{ kind: 'forever', item: { kind: 'status', status: 200 } }] }],
      }),
    );
  });
});

describe('converting Dapr trace scripts', () => {
  it('turns items and afterScript into steps and a forever', () => {
    expect(scriptFromDaprTrace(['200', 'hang', 'close', 'delay:120:503', '302'], '200')).toEqual({
      routes: [
        {
          path: '*',
          script: [
            { kind: 'status', status: 200 },
            { kind: 'hang' },
            { kind: 'close' },
            { kind: 'status', status: 503, delay: 120 },
            { kind: 'status', status: 302, headers: { location: '/target' } },
            { kind: 'forever', item: { kind: 'status', status: 200 } },
          ],
        },
      ],
    });
    expect(printScript(scriptFromDaprTrace(['503'], '503'))).toBe('503, 503...');
    expect(printScript(scriptFromDaprTrace([], '200'))).toBe('200...');
  });

  it('converts every recorded trace', () => {
    const dir = `${root}fixtures/dapr-traces/`;
    for (const name of readdirSync(dir).filter((n) => /^S.*\.json$/.test(n))) {
      const trace = JSON.parse(readFileSync(dir + name, 'utf8')) as { script: string[]; afterScript: string };
      const definition = scriptFromDaprTrace(trace.script, trace.afterScript);
      expect(definition.routes[0]?.script).toHaveLength(trace.script.length + 1);
    }
  });

  it('names an item it does not know', () => {
    expect(() => scriptFromDaprTrace(['200', 'sleep'])).toThrow(/item #1 "sleep" is not a trace item/);
    expect(() => scriptFromDaprTrace(['delay:x:200'])).toThrow(ProbekitError);
  });
});

describe('the checker scenarios’ scripts', () => {
  it('all parse', () => {
    const dir = `${root}fixtures/checker/`;
    let count = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const scenario = JSON.parse(readFileSync(dir + name, 'utf8')) as { script?: string };
      if (typeof scenario.script !== 'string') continue;
      expect(() => parseScript(scenario.script as string), name).not.toThrow();
      count++;
    }
    expect(count).toBeGreaterThan(0);
  });
});
