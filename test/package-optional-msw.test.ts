import { describe, expect, it } from 'vitest';
import { loadMsw } from '../src/endpoint/backends/msw.js';
import { ProbekitError } from '../src/errors.js';

/** A loader that behaves like `require` when the package is not in node_modules. */
function missing(specifier: string): never {
  throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('msw is an optional peer dependency', () => {
  it('says how to install msw when the package is not installed', () => {
    let caught: unknown;
    try {
      loadMsw(missing);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProbekitError);
    expect((caught as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((caught as ProbekitError).message).toMatch(
      /^Failed to create msw handlers: the msw package is not installed\. Run npm install -D msw/,
    );
    expect((caught as ProbekitError).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
  });

  it('names the load error when msw is installed but fails to load', () => {
    const broken = () => {
      throw new SyntaxError('Unexpected token in msw/lib/core/index.js');
    };
    expect(() => loadMsw(broken)).toThrow(
      /^Failed to create msw handlers: the msw package could not be loaded \(Unexpected token in msw\/lib\/core\/index\.js\)\./,
    );
  });

  it('asks the loader for the package named "msw" and returns what it loaded', () => {
    const asked: string[] = [];
    const fake = { http: 'fake http' };
    const loaded = loadMsw((specifier) => {
      asked.push(specifier);
      return fake;
    });
    expect(asked).toEqual(['msw']);
    expect(loaded).toBe(fake);
  });

  it('loads the real msw (a devDependency here) by default', () => {
    const msw = loadMsw();
    expect(typeof msw.http.all).toBe('function');
    expect(typeof msw.HttpResponse.error).toBe('function');
  });
});
