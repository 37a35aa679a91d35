/**
 * Go's URL path handling, as `net/http`'s `ServeMux` (Go 1.19) applies it before routing.
 *
 * Strings here are byte strings: one char per byte (Node hands request targets over as
 * latin1), so `%FF` and raw UTF-8 survive a round trip exactly as they do in Go.
 */

const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Decodes `%XX` escapes like Go's `url.PathUnescape` (`+` stays `+`). Returns `undefined` for
 * a malformed escape, which Go's request parser answers with 400 Bad Request.
 *
 * @example
 * unescapePath('/heal%74hz'); // '/healthz'
 */
export function unescapePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char !== '%') {
      out += char;
      continue;
    }
    const high = hexValue(raw.charCodeAt(i + 1));
    const low = hexValue(raw.charCodeAt(i + 2));
    if (high < 0 || low < 0) return undefined;
    out += String.fromCharCode(high * 16 + low);
    i += 2;
  }
  return out;
}

/**
 * Decodes `%XX` escapes and leaves malformed ones as they are (fasthttp's lenient decoding,
 * used by Dapr's sidecar).
 *
 * @example
 * unescapePathLenient('/v1.0/%zz'); // '/v1.0/%zz'
 */
export function unescapePathLenient(raw: string): string {
  if (!raw.includes('%')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    const high = char === '%' ? hexValue(raw.charCodeAt(i + 1)) : -1;
    const low = char === '%' ? hexValue(raw.charCodeAt(i + 2)) : -1;
    if (high < 0 || low < 0) {
      out += char;
      continue;
    }
    out += String.fromCharCode(high * 16 + low);
    i += 2;
  }
  return out;
}

/** Go's `path.Clean` for a rooted path: collapses `//`, drops `.`, resolves `..`. */
function cleanRooted(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * Go's `net/http.cleanPath`: the canonical form `ServeMux` redirects to, keeping a trailing
 * slash.
 *
 * @example
 * cleanPath('//healthz'); // '/healthz'
 * cleanPath('/a/../b/');  // '/b/'
 */
export function cleanPath(path: string): string {
  if (path === '') return '/';
  const rooted = path[0] === '/' ? path : `/${path}`;
  const cleaned = cleanRooted(rooted);
  if (rooted.endsWith('/') && cleaned !== '/') return `${cleaned}/`;
  return cleaned;
}

function keepsInPath(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    // - _ . ~ (unreserved) and $ & + , / : ; = @ (reserved, allowed in a path by Go)
    '-_.~$&+,/:;=@'.includes(String.fromCharCode(code))
  );
}

/**
 * Go's `url.URL{Path: p}.String()` for a rooted path: escapes what `encodePath` escapes.
 *
 * @example
 * escapePath('/a b?'); // '/a%20b%3F'
 */
export function escapePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i) & 0xff;
    out += keepsInPath(code) ? (path[i] as string) : `%${HEX[code >> 4]}${HEX[code & 15]}`;
  }
  return out;
}

/**
 * Go's `html.EscapeString` as `http.Redirect` applies it to the link in its body.
 *
 * @example
 * htmlEscape('/a?x=1&y="2"'); // '/a?x=1&amp;y=&#34;2&#34;'
 */
export function htmlEscape(text: string): string {
  return text.replace(/[&'<>"]/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      default:
        return '&#34;';
    }
  });
}

/** A request target split the way Go's `url.ParseRequestURI` splits it. */
export interface RequestTarget {
  /** The raw (still escaped) path; `''` for an absolute URL without a path. */
  readonly rawPath: string;
  /** Everything after the first `?`, or `undefined` when there is no `?`. */
  readonly rawQuery: string | undefined;
}

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/;

/**
 * Splits a request target into path and query. Returns `undefined` for targets Go's request
 * parser rejects with 400 (neither origin form `/…` nor absolute form `scheme://…`).
 *
 * @example
 * splitTarget('/healthz?verbose=1'); // { rawPath: '/healthz', rawQuery: 'verbose=1' }
 */
export function splitTarget(target: string): RequestTarget | undefined {
  let rest = target;
  if (rest[0] !== '/') {
    const absolute = ABSOLUTE.exec(rest);
    if (!absolute) return undefined;
    rest = rest.slice(absolute[0].length);
  }
  const question = rest.indexOf('?');
  if (question < 0) return { rawPath: rest, rawQuery: undefined };
  return { rawPath: rest.slice(0, question), rawQuery: rest.slice(question + 1) };
}
