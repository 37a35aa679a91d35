import { describeValue, ProbekitError } from '../errors.js';
import { transportError } from './outcome.js';

/**
 * What happens to a probe whose keep-alive connection the server closed while it sat idle.
 *
 * - `'no-retry'` — Dapr's fasthttp client (v0.11.3 … v1.10.4, `MaxIdemponentCallAttempts: 1`):
 *   the probe is written to the dead connection and fails as `closed` (`ECONNCLOSED`), never
 *   reaching the server; the next probe opens a new connection.
 * - `'retry'` — Go's `net/http` (Dapr v0.6 … v0.11.2 and v1.10.5 on): a closed idle connection
 *   is noticed and dropped, and a GET that fails before any response byte on a *reused*
 *   connection is sent again on another one (the server sees both requests); a failure on a
 *   fresh connection is final.
 *
 * @example
 * httpTransport({ idleConnections: 'retry' }); // Go net/http, as Dapr v1.10.5+ probes
 */
export type IdleConnectionRule = 'no-retry' | 'retry';

/**
 * When a probe's answer counts: after the whole body (`'body'`, fasthttp reads the response
 * before `DoTimeout` returns) or as soon as the status line and headers arrive (`'headers'`,
 * Go's `Client.Do` returns then; the body is drained in the background).
 *
 * @example
 * httpTransport({ settleAt: 'headers' }); // a slow body never delays or fails the probe
 */
export type SettlePoint = 'body' | 'headers';

/**
 * The client rules of one Dapr version's HTTP client, as {@link httpTransport} options.
 *
 * @example
 * const goDefaultClient: HttpClientRules = {
 *   idleConnections: 'retry',
 *   reuseConnections: true,
 *   followRedirects: 10,
 *   settleAt: 'headers',
 * };
 */
export interface HttpClientRules {
  readonly idleConnections: IdleConnectionRule;
  readonly reuseConnections: boolean;
  readonly followRedirects: number;
  readonly settleAt: SettlePoint;
}

/**
 * The rules `httpTransport()` follows unless told otherwise: Dapr v1.0's fasthttp client.
 *
 * @example
 * httpTransport({ ...DEFAULT_HTTP_CLIENT_RULES, followRedirects: 10 });
 */
export const DEFAULT_HTTP_CLIENT_RULES: HttpClientRules = Object.freeze({
  idleConnections: 'no-retry',
  reuseConnections: true,
  followRedirects: 0,
  settleAt: 'body',
});

/** Go's `defaultCheckRedirect` gives up at 10; more than this is surely a mistake. */
const MAX_FOLLOW_REDIRECTS = 1000;

function invalid(name: string, expected: string, value: unknown, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to create the HTTP transport: ${name} must be ${expected}, got ${describeValue(value)}. ${hint}.`,
  );
}

/**
 * Checks the client-rule options of `httpTransport()` and fills in the defaults.
 *
 * @example
 * const rules = readClientRules({ followRedirects: 10 }); // { idleConnections: 'no-retry', … }
 */
export function readClientRules(options: Partial<Record<keyof HttpClientRules, unknown>>): HttpClientRules {
  const { idleConnections, reuseConnections, followRedirects, settleAt } = options;
  if (idleConnections !== undefined && idleConnections !== 'no-retry' && idleConnections !== 'retry') {
    throw invalid(
      'idleConnections',
      "'no-retry' or 'retry'",
      idleConnections,
      "Leave it out for 'no-retry' (Dapr v1.0's fasthttp)",
    );
  }
  if (reuseConnections !== undefined && typeof reuseConnections !== 'boolean') {
    throw invalid('reuseConnections', 'true or false', reuseConnections, 'Leave it out for true');
  }
  if (
    followRedirects !== undefined &&
    (!Number.isSafeInteger(followRedirects) ||
      (followRedirects as number) < 0 ||
      (followRedirects as number) > MAX_FOLLOW_REDIRECTS)
  ) {
    throw invalid(
      'followRedirects',
      `an integer from 0 to ${MAX_FOLLOW_REDIRECTS}`,
      followRedirects,
      "Use 10 for Go's default client, or leave it out for 0 (redirects are not followed)",
    );
  }
  if (settleAt !== undefined && settleAt !== 'body' && settleAt !== 'headers') {
    throw invalid(
      'settleAt',
      "'body' or 'headers'",
      settleAt,
      "Leave it out for 'body' (Dapr v1.0's fasthttp)",
    );
  }
  return {
    idleConnections: idleConnections ?? DEFAULT_HTTP_CLIENT_RULES.idleConnections,
    reuseConnections: reuseConnections ?? DEFAULT_HTTP_CLIENT_RULES.reuseConnections,
    followRedirects: (followRedirects as number | undefined) ?? DEFAULT_HTTP_CLIENT_RULES.followRedirects,
    settleAt: settleAt ?? DEFAULT_HTTP_CLIENT_RULES.settleAt,
  };
}

/**
 * The statuses Go's client follows (`redirectBehavior`, net/http/client.go); 300 and 304 are not.
 *
 * @example
 * isRedirectStatus(307); // true
 */
export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * The `Location` header of a response in undici's raw form (`[name, value, name, value, …]`),
 * or undefined. Go follows a redirect only when it has one.
 *
 * @example
 * findLocation([Buffer.from('Location'), Buffer.from('/next')]); // '/next'
 */
export function findLocation(headers: readonly (Buffer | string)[] | null | undefined): string | undefined {
  if (!headers) return undefined;
  for (let index = 0; index + 1 < headers.length; index += 2) {
    const name = headers[index] as Buffer | string;
    if (name.length !== 8) continue;
    const text = typeof name === 'string' ? name : name.toString('latin1');
    if (text.toLowerCase() !== 'location') continue;
    const value = headers[index + 1] as Buffer | string;
    const location = (typeof value === 'string' ? value : value.toString('latin1')).trim();
    return location === '' ? undefined : location;
  }
  return undefined;
}

/**
 * The error of a probe that reached `limit` redirect answers (Go: "stopped after 10 redirects").
 *
 * @example
 * throw tooManyRedirectsError('http://127.0.0.1:8080/loop', 10);
 */
export function tooManyRedirectsError(url: string, limit: number): Error & { code: string } {
  return Object.assign(
    new Error(
      `Failed to probe ${describeValue(url)}: stopped after ${limit} redirects. The endpoint redirects in a loop (or further than followRedirects allows).`,
    ),
    { code: 'ERR_TOO_MANY_REDIRECTS' },
  );
}

/**
 * The error of a redirect whose `Location` is not an http(s) URL.
 *
 * @example
 * throw badLocationError('http://127.0.0.1:8080/', 'ftp://x/');
 */
export function badLocationError(url: string, location: string): Error & { code: string } {
  return transportError(
    'invalid-url',
    `Failed to follow the redirect from ${describeValue(url)}: its Location ${describeValue(location)} is not an http(s) URL. Fix the endpoint's Location header.`,
  );
}

/**
 * The error of a probe written to a keep-alive connection the server had closed while idle,
 * as fasthttp does (`'no-retry'`): nothing reached the server.
 *
 * @example
 * probe.failUnsent(deadConnectionError('http://127.0.0.1:8080/healthz'));
 */
export function deadConnectionError(url: string): Error & { code: string } {
  return transportError(
    'closed',
    `Failed to probe ${describeValue(url)}: the connection was closed before a complete response arrived (the server had closed this idle keep-alive connection; like Dapr's fasthttp client, the probe went to it and was not retried). Make the server's keep-alive timeout longer than the probe interval, or use idleConnections: 'retry'.`,
  );
}
