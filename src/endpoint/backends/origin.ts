/**
 * The placeholder a header value may hold for the origin of the request's URL
 * (`http://127.0.0.1:8080`). A script is written before its server listens, so an absolute
 * `Location` cannot name the port: `302 [location="{origin}/healthz/ok"]` can. Every backend
 * that sends headers replaces it (the real server with the request's `Host`, msw with the
 * request URL's origin); the in-process transport reports only a status, so it has none to send.
 *
 * @example
 * parseScript('302 [location="{origin}/healthz/ok"], 200...');
 */
export const ORIGIN_PLACEHOLDER = '{origin}';

/**
 * Replaces {@link ORIGIN_PLACEHOLDER} in every header value with `origin` (no trailing slash).
 * Returns the same object when nothing changes, so the common case allocates nothing.
 *
 * @example
 * withOrigin({ location: '{origin}/ok' }, 'http://127.0.0.1:8080'); // { location: 'http://127.0.0.1:8080/ok' }
 */
export function withOrigin(
  headers: Readonly<Record<string, string>> | undefined,
  origin: string,
): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  let replaced: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (!value.includes(ORIGIN_PLACEHOLDER)) continue;
    replaced ??= { ...headers };
    replaced[name] = value.replaceAll(ORIGIN_PLACEHOLDER, origin);
  }
  return replaced ?? headers;
}

// host[:port]: a name or IPv4 address, or a bracketed IPv6 address. Anything else (an empty or
// odd Host) falls back to the server's own origin rather than being echoed into a header.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin of a request to a plain-HTTP server: `http://` and its `Host` header, as the client
 * addressed it (Go's routers build absolute redirects the same way), or `fallback` when the
 * header is missing or malformed.
 *
 * @example
 * requestOrigin('127.0.0.1:8080', 'http://127.0.0.1:8080'); // 'http://127.0.0.1:8080'
 */
export function requestOrigin(host: string | undefined, fallback: string): string {
  return host !== undefined && HOST.test(host) ? `http://${host}` : fallback;
}
