import { isIP } from 'node:net';
import { describeValue, ProbekitError } from '../../../errors.js';

/** Where the fault proxy forwards `pass` requests: an `http://` or `https://` origin on an IP address. */
export interface Upstream {
  /** `http://host:port` (or `https://`), without a trailing slash. */
  readonly origin: string;
  /** Whether the upstream speaks TLS (`https://`). */
  readonly secure: boolean;
  /** An IP address (`localhost` is read as 127.0.0.1; no name is ever resolved). */
  readonly host: string;
  readonly port: number;
}

function invalid(value: unknown, reason: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to start the fault proxy: the upstream ${describeValue(value)} ${reason}. Write it like http://127.0.0.1:8080 (or https://).`,
  );
}

/**
 * Reads the upstream URL: `http://` or `https://`, an IP address or `localhost` (taken as 127.0.0.1:
 * probekit never resolves a hostname), and no path, query or credentials (the proxy forwards
 * each request's own path).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` naming the value.
 * @example
 * parseUpstream('http://127.0.0.1:8080'); // { origin: 'http://127.0.0.1:8080', secure: false, host: '127.0.0.1', port: 8080 }
 */
export function parseUpstream(value: unknown): Upstream {
  if (typeof value !== 'string' || !URL.canParse(value)) throw invalid(value, 'is not a URL');
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(value, 'is not an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw invalid(value, 'has credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '')
    throw invalid(value, 'has a path, a query or a fragment (the proxy forwards each request path as it is)');
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const host = bare === 'localhost' ? '127.0.0.1' : bare;
  if (isIP(host) === 0)
    throw invalid(value, 'names a host that is not an IP address (probekit never resolves names)');
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const scheme = secure ? 'https' : 'http';
  return { origin: `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`, secure, host, port };
}
