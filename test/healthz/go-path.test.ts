import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanPath, escapePath, htmlEscape, splitTarget, unescapePath } from '../../src/healthz/go-path.js';

describe('cleanPath mirrors Go net/http cleanPath', () => {
  it.each([
    ['', '/'],
    ['healthz', '/healthz'],
    ['//healthz', '/healthz'],
    ['/a/./b', '/a/b'],
    ['/a/../../b', '/b'],
    ['/a/b/..', '/a'],
    ['/a//b/', '/a/b/'],
    ['/..', '/'],
    ['/', '/'],
  ])('%j → %j', (input, expected) => {
    expect(cleanPath(input)).toBe(expected);
  });

  it('is idempotent for any path', () => {
    fc.assert(fc.property(fc.string(), (path) => cleanPath(cleanPath(path)) === cleanPath(path)));
  });
});

describe('escaping and unescaping paths', () => {
  it('escapes what Go encodePath escapes, byte by byte', () => {
    expect(escapePath('/a b?#%\u00ff')).toBe('/a%20b%3F%23%25%FF');
    expect(escapePath("/-_.~$&+,/:;=@!*'()")).toBe('/-_.~$&+,/:;=@%21%2A%27%28%29');
  });

  it('unescape(escape(p)) is p for any byte string', () => {
    const byteString = fc.uint8Array().map((bytes) => String.fromCharCode(...bytes));
    fc.assert(fc.property(byteString, (path) => unescapePath(escapePath(path)) === path));
  });

  it('rejects a malformed escape', () => {
    expect(unescapePath('/%zz')).toBeUndefined();
    expect(unescapePath('/%4')).toBeUndefined();
    expect(unescapePath('/a+b%41')).toBe('/a+bA');
  });
});

describe('request targets', () => {
  it('splits at the first question mark and strips an absolute URL', () => {
    expect(splitTarget('/healthz?a=1?b')).toEqual({ rawPath: '/healthz', rawQuery: 'a=1?b' });
    expect(splitTarget('http://host:1/healthz')).toEqual({ rawPath: '/healthz', rawQuery: undefined });
    expect(splitTarget('healthz')).toBeUndefined();
  });

  it('html-escapes like Go html.EscapeString', () => {
    expect(htmlEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
