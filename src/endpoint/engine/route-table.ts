import { ANY_METHOD, ANY_PATH, type Route } from '../script/model.js';

/**
 * Whether a route path is a glob (`/v1.0/*`): it has a `*` and is not `*` alone (every path).
 *
 * @example
 * isPathGlob('/v1.0/*'); // true; isPathGlob('*') and isPathGlob('/healthz') are false
 */
export function isPathGlob(path: string): boolean {
  return path !== ANY_PATH && path.includes('*');
}

/**
 * A matcher for a path glob: `*` stands for any run of characters (none included), `/`
 * included, so `/v1.0/*` matches `/v1.0/healthz` and `/v1.0/healthz/outbound`. Everything
 * else matches itself, byte for byte (no decoding, no case folding).
 *
 * Literal parts are found left to right with `indexOf`, never with a regular expression:
 * `/*a*a*a*b` against a 16 KB path would make a backtracking regex take minutes; this takes
 * at most (path length × pattern length) steps.
 *
 * @example
 * const matches = globMatcher('/v1.0/*');
 * matches('/v1.0/healthz'); // true
 * matches('/v1.1/healthz'); // false
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  const fixed = first.length + last.length;
  return (path) => {
    // The first and last parts may not overlap: `/a*a` does not match `/a`.
    if (path.length < fixed || !path.startsWith(first) || !path.endsWith(last)) return false;
    const end = path.length - last.length;
    let at = first.length;
    for (const part of middle) {
      // The leftmost place is always right: it leaves the most room for the parts after it.
      const found = path.indexOf(part, at);
      if (found === -1 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/** The routes for one method (or for any method), by how they name the path. */
interface Tier<T> {
  readonly exact: Map<string, T>;
  readonly globs: Array<{ readonly matches: (path: string) => boolean; readonly entry: T }>;
  any: T | undefined;
}

/**
 * Finds the route for a request. Precedence (docs/dsl.md, "Routing by method"):
 *
 * 1. a route for the request's method and exactly its path (`GET /healthz`);
 * 2. a route for its method and a glob that matches (`GET /v1.0/*`), the first written;
 * 3. a route for its method and every path (`GET *`);
 * 4. then the same three for routes of any method (`/healthz`, `/v1.0/*`, `*`).
 *
 * The method decides first because a route that names one is the narrower claim: `POST *: 405`
 * answers every POST, `/healthz` included.
 *
 * @example
 * const table = new RouteTable(definition.routes.map((route) => ({ route })));
 * table.lookup('POST', '/healthz')?.route;
 */
export class RouteTable<T extends { readonly route: Route }> {
  readonly #byMethod = new Map<string, Tier<T>>();
  readonly #anyMethod: Tier<T> = { exact: new Map(), globs: [], any: undefined };

  constructor(entries: readonly T[]) {
    for (const entry of entries) {
      const { method, path } = entry.route;
      let tier = this.#anyMethod;
      if (method !== undefined && method !== ANY_METHOD) {
        tier = this.#byMethod.get(method) ?? { exact: new Map(), globs: [], any: undefined };
        this.#byMethod.set(method, tier);
      }
      // A valid definition has one route per method and path; on a duplicate the first wins.
      if (path === ANY_PATH) tier.any ??= entry;
      else if (isPathGlob(path)) tier.globs.push({ matches: globMatcher(path), entry });
      else if (!tier.exact.has(path)) tier.exact.set(path, entry);
    }
  }

  /** The route for a request's method and pathname (no query string), if any. */
  lookup(method: string, pathname: string): T | undefined {
    const own = this.#byMethod.get(method);
    return (own && find(own, pathname)) ?? find(this.#anyMethod, pathname);
  }
}

function find<T>(tier: Tier<T>, pathname: string): T | undefined {
  const exact = tier.exact.get(pathname);
  if (exact !== undefined) return exact;
  for (const glob of tier.globs) if (glob.matches(pathname)) return glob.entry;
  return tier.any;
}
