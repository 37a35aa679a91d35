import { readFileSync } from 'node:fs';
import FakeTimers from '@sinonjs/fake-timers';
import AjvModule from 'ajv';
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../src/endpoint/backends/proxy/index.js';
import { startMockServer } from '../../src/endpoint/backends/server/server.js';
import { compile, routeFor } from '../../src/endpoint/engine/engine.js';
import { ScriptPlayer } from '../../src/endpoint/engine/player.js';
import { globMatcher } from '../../src/endpoint/engine/route-table.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { parseScript, printScript, ScriptSyntaxError } from '../../src/endpoint/script/dsl/index.js';
import { type EndpointDefinition, explain, type Route } from '../../src/endpoint/script/model.js';
import { endpointScriptSchema, validateDefinition } from '../../src/endpoint/script/schema.js';
import { startUpstream, type TestUpstream } from '../proxy/upstream.js';

const root = new URL('../../', import.meta.url).pathname;

/** The error `parseScript` throws for a script, or undefined. */
function syntaxError(script: string): ScriptSyntaxError | undefined {
  try {
    parseScript(script);
  } catch (error) {
    if (error instanceof ScriptSyntaxError) return error;
    throw error;
  }
  return undefined;
}

/** Which route (`GET /healthz`, `/v1.0/*`, `*`) answers a request, or `none`. */
function routed(script: string, method: string, path: string): string {
  const route = routeFor(compile(parseScript(script), 0), path, method);
  return route === undefined ? 'none' : route.name;
}

describe('routes by method in the DSL and JSON', () => {
  it('reads a method before the path, and no method (or *) as any method', () => {
    const definition = parseScript('GET /healthz: 200...; POST /healthz: 405...; * /ready: 503; /live: 204');
    expect(definition.routes.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/healthz'],
      ['POST', '/healthz'],
      [undefined, '/ready'],
      [undefined, '/live'],
    ]);
  });

  it('keeps the meaning of every script that names no method (no method property at all)', () => {
    for (const script of ['200, 503...', '/healthz: 200; *: 404', '/a: hang; /b: reset']) {
      for (const route of parseScript(script).routes) expect(Object.hasOwn(route, 'method')).toBe(false);
    }
  });

  it('reads GET * as a route for every path of one method, and path globs', () => {
    expect(parseScript('GET *: 200; /v1.0/*: 204; PUT /a/*/b: 201').routes).toEqual([
      { method: 'GET', path: '*', script: [{ kind: 'status', status: 200 }] },
      { path: '/v1.0/*', script: [{ kind: 'status', status: 204 }] },
      { method: 'PUT', path: '/a/*/b', script: [{ kind: 'status', status: 201 }] },
    ]);
  });

  it('still reads * as a repeat after a step at the start of a route (hang*2)', () => {
    expect(parseScript('hang*2, reset').routes[0]?.script[0]).toEqual({
      kind: 'repeat',
      times: 2,
      item: { kind: 'hang' },
    });
  });

  it('rejects a lower-case method, naming its column and the upper-case spelling', () => {
    const error = syntaxError('/healthz: 200; get /ready: 503');
    expect(error?.code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    expect(error?.column).toBe(16);
    expect(error?.message).toContain('the method "get" is not upper case');
    expect(error?.message).toContain('GET /ready');
    expect(syntaxError('Post *: 405')?.message).toContain('the method "Post" is not upper case');
  });

  it('says what a method needs after it', () => {
    expect(syntaxError('GET: 200')?.message).toContain('expected a path after the method GET');
    expect(syntaxError('POST healthz: 405')?.message).toContain('expected a path after the method POST');
    expect(syntaxError('POST * 405')?.message).toContain('expected ":" after POST *');
    expect(syntaxError('hang /x: 200')?.message).toContain('a route starts with a method or a path');
    expect(syntaxError(`${'X'.repeat(65)} /a: 200`)?.message).toContain('longer than 64 characters');
  });

  it('rejects a second route for the same method and path, and treats * /a as /a', () => {
    expect(syntaxError('GET /a: 200; GET /a: 503')?.message).toContain(
      'GET /a already has a route (at column 1)',
    );
    expect(syntaxError('/a: 200; * /a: 503')?.message).toContain('the path /a already has a route');
    expect(() => parseScript('GET /a: 200; POST /a: 405; /a: 503')).not.toThrow();
    expect(() =>
      validateDefinition({
        routes: [
          { method: 'GET', path: '/a', script: [{ kind: 'hang' }] },
          { method: 'GET', path: '/a', script: [{ kind: 'hang' }] },
        ],
      }),
    ).toThrow('/routes/1/path repeats the route GET "/a"');
  });

  it('accepts method in JSON, drops "*" (any method), and keeps old documents valid', () => {
    const hang = [{ kind: 'hang' }];
    expect(validateDefinition({ routes: [{ method: 'POST', path: '/a', script: hang }] })).toEqual(
      parseScript('POST /a: hang'),
    );
    expect(validateDefinition({ routes: [{ method: '*', path: '/a', script: hang }] })).toEqual({
      routes: [{ path: '/a', script: hang }],
    });
    expect(validateDefinition({ routes: [{ path: '/v1.0/*', script: hang }] })).toEqual(
      parseScript('/v1.0/*: hang'),
    );
  });

  it('rejects a lower-case or malformed method in JSON, naming the pointer and the value', () => {
    const definition = (method: unknown) => ({
      routes: [{ method, path: '/a', script: [{ kind: 'hang' }] }],
    });
    expect(() => validateDefinition(definition('get'))).toThrow(
      'Failed to read the endpoint definition: /routes/0/method is not a method probekit can route by (got "get")',
    );
    expect(() => validateDefinition(definition('GET /a'))).toThrow('(got "GET /a")');
    expect(() => validateDefinition(definition(''))).toThrow('/routes/0/method');
    expect(() => validateDefinition(definition(7))).toThrow('/routes/0/method');
  });

  it('ships a schema file that validates method routes and globs on its own', () => {
    // ajv is CommonJS: under NodeNext its default import is the module object.
    type AjvClass = typeof AjvModule.default;
    const Ajv: AjvClass =
      (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);
    const file = JSON.parse(readFileSync(`${root}schema/endpoint-script.schema.json`, 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(endpointScriptSchema)));
    const validate = new Ajv({ discriminator: true }).compile(file);
    const hang = [{ kind: 'hang' }];
    expect(validate({ routes: [{ method: 'GET', path: '/v1.0/*', script: hang }] })).toBe(true);
    expect(validate({ routes: [{ method: 'get', path: '/healthz', script: hang }] })).toBe(false);
    expect(validate({ routes: [{ method: 'GET', path: 'healthz', script: hang }] })).toBe(false);
  });

  it('prints method routes back as they were read (parse, print, parse is identical)', () => {
    for (const script of [
      'GET /healthz: 200...; POST /healthz: 405...',
      'GET *: 200',
      'POST /v1.0/*: 405 [allow="GET"]; *: 404...',
      'M-SEARCH /a*b*: hang',
    ]) {
      const definition = parseScript(script);
      expect(printScript(definition)).toBe(script);
      expect(parseScript(printScript(definition))).toEqual(definition);
    }
    expect(printScript(parseScript('* /healthz: 200'))).toBe('/healthz: 200');
    expect(printScript(parseScript('* *: 200'))).toBe('200');
  });

  it('explains each route with its method in one line', () => {
    expect(explain(parseScript('GET /healthz: 200...; POST *: 405...; /v1.0/*: 204'))).toBe(
      'GET /healthz: 200 forever | POST any path: 405 forever | /v1.0/*: 204, then the last step repeats',
    );
  });
});

describe('which route a request gets', () => {
  const ALL =
    'GET /v1.0/healthz: 200; GET /v1.0/*: 201; GET *: 202; /v1.0/healthz: 203; /v1.0/*: 204; *: 205';

  it('prefers the method and exact path, then the method and a glob, then the method and *', () => {
    expect(routed(ALL, 'GET', '/v1.0/healthz')).toBe('GET /v1.0/healthz');
    expect(routed(ALL, 'GET', '/v1.0/metadata')).toBe('GET /v1.0/*');
    expect(routed(ALL, 'GET', '/healthz')).toBe('GET *');
  });

  it('falls back to routes of any method in the same order: exact path, glob, *', () => {
    expect(routed(ALL, 'POST', '/v1.0/healthz')).toBe('/v1.0/healthz');
    expect(routed(ALL, 'POST', '/v1.0/metadata')).toBe('/v1.0/*');
    expect(routed(ALL, 'POST', '/healthz')).toBe('*');
  });

  it('lets a route with a method win over an exact path of any method', () => {
    expect(routed('/healthz: 200; POST *: 405', 'POST', '/healthz')).toBe('POST *');
    expect(routed('/healthz: 200; POST *: 405', 'GET', '/healthz')).toBe('/healthz');
  });

  it('takes the first written glob when two match', () => {
    expect(routed('/v1.0/*: 503; /v1.0/healthz/*: 200', 'GET', '/v1.0/healthz/outbound')).toBe('/v1.0/*');
    expect(routed('/v1.0/healthz/*: 200; /v1.0/*: 503', 'GET', '/v1.0/healthz/outbound')).toBe(
      '/v1.0/healthz/*',
    );
  });

  it('matches methods and paths case-sensitively, ignoring the query string', () => {
    expect(routed('GET /healthz: 200', 'get', '/healthz')).toBe('none');
    expect(routed('GET /healthz: 200', 'GET', '/HEALTHZ')).toBe('none');
    expect(routed('GET /healthz: 200', 'HEAD', '/healthz')).toBe('none');
    expect(routed('GET /healthz: 200', 'GET', '/healthz?appid=x')).toBe('GET /healthz');
    expect(routed('/v1.0/*: 200', 'GET', '/v1.0/a?b=/c')).toBe('/v1.0/*');
  });

  it('treats a request without a method as the GET a health check sends', () => {
    const compiled = compile(parseScript('GET /healthz: 200; POST /healthz: 405'), 0);
    expect(routeFor(compiled, '/healthz')?.name).toBe('GET /healthz');
  });

  it('lets * in a glob match any run of characters, none and "/" included', () => {
    const matches = globMatcher('/v1.0/*');
    expect(['/v1.0/', '/v1.0/healthz', '/v1.0/healthz/outbound'].map(matches)).toEqual([true, true, true]);
    expect(['/v1.0', '/v1.1/healthz', '/x/v1.0/healthz'].map(matches)).toEqual([false, false, false]);
    const inner = globMatcher('/a/*/b');
    expect(['/a/x/b', '/a/x/y/b', '/a//b', '/a/b', '/a/x/bc'].map(inner)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    // The first and last literal parts may not share characters.
    expect(globMatcher('/ab*ba')('/aba')).toBe(false);
    expect(globMatcher('/ab*ba')('/abba')).toBe(true);
  });

  it('matches a many-star glob against a 16 KB path without backtracking (a regex would not finish)', () => {
    const path = `/${'a'.repeat(16_000)}`;
    expect(globMatcher('/*a*a*a*a*a*a*a*a*b')(path)).toBe(false);
    expect(globMatcher('/*a*a*a*a*a*a*a*a*')(path)).toBe(true);
  });

  it('agrees with a plain reading of the precedence rules on random routes and requests', () => {
    const methods = ['GET', 'POST', 'HEAD'];
    const segment = fc.constantFrom('a', 'b', 'ab', '*');
    const path = fc.oneof(
      fc.constant('*'),
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
    );
    const key = fc.record({ method: fc.option(fc.constantFrom(...methods), { nil: undefined }), path });
    const routes = fc.uniqueArray(key, {
      minLength: 1,
      maxLength: 6,
      selector: (k) => `${k.method ?? '*'} ${k.path}`,
    });
    const request = fc.record({
      method: fc.constantFrom(...methods),
      path: fc
        .array(fc.constantFrom('a', 'b', 'ab', 'ba', ''), { minLength: 1, maxLength: 4 })
        .map((parts) => `/${parts.join('/')}`),
    });
    /** The rules as docs/dsl.md states them, with regular expressions (short paths only). */
    const reference = (all: Route[], method: string, target: string): Route | undefined => {
      const glob = (p: string) =>
        new RegExp(
          `^${p
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
      const rank = (route: Route): number | undefined => {
        const methodRank = route.method === undefined ? 3 : route.method === method ? 0 : undefined;
        if (methodRank === undefined) return undefined;
        if (route.path === '*') return methodRank + 2;
        if (!route.path.includes('*')) return route.path === target ? methodRank : undefined;
        return glob(route.path).test(target) ? methodRank + 1 : undefined;
      };
      let best: { route: Route; rank: number } | undefined;
      for (const route of all) {
        const r = rank(route);
        if (r !== undefined && (best === undefined || r < best.rank)) best = { route, rank: r };
      }
      return best?.route;
    };
    // Half the requests are made from a route's own path (its stars filled in), so they match.
    const scenario = routes.chain((keys) => {
      const own = keys.map((k) => k.path).filter((p) => p !== '*');
      const fill = fc.constantFrom('', 'a', 'x/y');
      const fromRoute =
        own.length === 0
          ? request
          : fc.record({
              method: fc.constantFrom(...methods),
              path: fc
                .tuple(fc.constantFrom(...own), fc.array(fill, { minLength: 8, maxLength: 8 }))
                .map(([p, fills]) => p.split('*').reduce((out, part, i) => out + fills[i - 1] + part)),
            });
      return fc.tuple(fc.constant(keys), fc.oneof(request, fromRoute));
    });
    fc.assert(
      fc.property(scenario, ([keys, req]) => {
        const definition: EndpointDefinition = {
          routes: keys.map((k) => ({ ...k, script: [{ kind: 'hang' as const }] })),
        };
        const chosen = routeFor(compile(definition, 0), req.path, req.method)?.route;
        expect(chosen).toBe(reference(definition.routes as Route[], req.method, req.path));
      }),
      { numRuns: 500 },
    );
  });
});

describe('playing method routes', () => {
  it('counts each method route on its own: request k of POST gets POST item k', () => {
    const clock = FakeTimers.createClock();
    const player = new ScriptPlayer('GET /h: 200, 503; POST /h: 405, 201', { clock });
    const statuses = ['GET', 'POST', 'POST', 'GET', 'GET'].map((method) => {
      const reception = player.receive(method, '/h', clock.now);
      return reception.refused ? 'refused' : `${method} ${reception.decision.status}`;
    });
    expect(statuses).toEqual(['GET 200', 'POST 405', 'POST 201', 'GET 503', 'GET 503']);
    expect(player.journal.entries().map((e) => `${e.method} ${e.decision.route}`)).toEqual([
      'GET GET /h',
      'POST POST /h',
      'POST POST /h',
      'GET GET /h',
      'GET GET /h',
    ]);
  });

  it('answers an unmatched method with 404, naming the method and path received and the routes configured', () => {
    const clock = FakeTimers.createClock();
    const player = new ScriptPlayer('GET /healthz: 200...', { clock, seed: 7 });
    const reception = player.receive('DELETE', '/healthz', clock.now);
    if (reception.refused) throw new Error('refused');
    expect(reception.decision.status).toBe(404);
    expect(reception.decision.source).toBe('unmatched');
    expect(reception.decision.body).toBe(
      'probekit mock: no route matches DELETE /healthz (request #0, seed 7).\n' +
        'Configured routes:\n  GET /healthz: 200 forever\n',
    );
    expect(player.journal.at(0)?.explain).toBe('404 (no route for this method and path)');
  });
});

describe('routing by method in every backend', () => {
  const SCRIPT = 'GET /healthz: 200 "get"...; POST /healthz: 405 [allow="GET"] "post"...; *: 503 "other"...';

  it('in process: the transport sends GET (a probe carries no method), so it takes the GET route', async () => {
    const clock = FakeTimers.createClock();
    const endpoint = flakyEndpoint('POST *: 405...; GET /healthz: 200...; *: 503...', { clock });
    const signal = new AbortController().signal;
    const response = await endpoint.transport({ url: 'http://endpoint.test/healthz', timeout: 1000, signal });
    const other = await endpoint.transport({ url: 'http://endpoint.test/ready', timeout: 1000, signal });
    expect([response.status, other.status]).toEqual([200, 503]);
    expect(endpoint.journal.entries().map((e) => e.decision.route)).toEqual(['GET /healthz', '*']);
  });

  describe('msw (setupServer from msw/node)', () => {
    const clock = FakeTimers.createClock();
    const endpoint = flakyEndpoint(SCRIPT, { clock, origin: 'http://endpoint.test' });
    const server = setupServer(...endpoint.handlers);
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());

    it('answers GET and POST to the same path from their own routes', async () => {
      const post = await fetch('http://endpoint.test/healthz', { method: 'POST', body: 'x' });
      const get = await fetch('http://endpoint.test/healthz');
      const put = await fetch('http://endpoint.test/healthz', { method: 'PUT', body: 'x' });
      expect([post.status, post.headers.get('allow'), await post.text()]).toEqual([405, 'GET', 'post']);
      expect([get.status, await get.text()]).toEqual([200, 'get']);
      expect([put.status, await put.text()]).toEqual([503, 'other']);
      expect(endpoint.journal.entries().map((e) => `${e.method} ${e.decision.route}`)).toEqual([
        'POST POST /healthz',
        'GET GET /healthz',
        'PUT *',
      ]);
    });
  });

  describe('the mock server (node:http on 127.0.0.1)', () => {
    it('answers POST and GET from their own routes, HEAD from none of them, and 404s an unmatched method', async () => {
      const server = await startMockServer(
        'GET /healthz: 200 "get"...; POST /healthz: 405 [allow="GET"] "post"...; /v1.0/*: 204...',
        { host: '127.0.0.1' },
      );
      try {
        const post = await fetch(`${server.url}/healthz`, { method: 'POST', body: 'x' });
        const get = await fetch(`${server.url}/healthz`);
        const glob = await fetch(`${server.url}/v1.0/healthz/outbound`, { method: 'DELETE' });
        const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
        expect([post.status, post.headers.get('allow'), await post.text()]).toEqual([405, 'GET', 'post']);
        expect([get.status, await get.text()]).toEqual([200, 'get']);
        expect(glob.status).toBe(204);
        expect(head.status).toBe(404);
        const unmatched = await fetch(`${server.url}/healthz`, { method: 'PATCH', body: 'x' });
        expect(unmatched.status).toBe(404);
        const body = await unmatched.text();
        expect(body).toContain('no route matches PATCH /healthz');
        expect(body).toContain('  POST /healthz: 405 with 1 header and a 4-byte body forever\n');
        expect(server.journal.entries().map((e) => `${e.method} ${e.decision.route}`)).toEqual([
          'POST POST /healthz',
          'GET GET /healthz',
          'DELETE /v1.0/*',
          'HEAD ',
          'PATCH ',
        ]);
      } finally {
        await server.close();
      }
    });
  });

  describe('the fault proxy', () => {
    let upstream: TestUpstream;
    beforeAll(async () => {
      upstream = await startUpstream();
    });
    afterAll(async () => {
      await upstream.close();
    });

    it('passes a POST its route passes (with its body), and answers a POST its route refuses itself', async () => {
      const proxy = await startFaultProxy(
        upstream.origin,
        'POST /echo: pass...; POST /healthz: 405 "no posts"...; GET *: pass...; *: 503...',
      );
      try {
        const echo = await fetch(`${proxy.url}/echo`, { method: 'POST', body: 'hello' });
        const refused = await fetch(`${proxy.url}/healthz`, { method: 'POST', body: 'x' });
        const get = await fetch(`${proxy.url}/healthz`);
        const put = await fetch(`${proxy.url}/echo`, { method: 'PUT', body: 'x' });
        const echoed = await echo.text();
        expect([echo.status, echoed.startsWith('POST '), echoed.endsWith(' hello')]).toEqual([
          201,
          true,
          true,
        ]);
        expect([refused.status, await refused.text()]).toEqual([405, 'no posts']);
        expect([get.status, await get.text()]).toEqual([200, 'upstream ok']);
        expect(put.status).toBe(503);
        // Only what a route passed reached the upstream.
        expect(upstream.received).toEqual(['POST /echo', 'GET /healthz']);
        expect(proxy.journal.entries().map((e) => `${e.method} ${e.decision.route}`)).toEqual([
          'POST POST /echo',
          'POST POST /healthz',
          'GET GET *',
          'PUT *',
        ]);
      } finally {
        await proxy.close();
      }
    });
  });
});
