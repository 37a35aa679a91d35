import { type Agent, request as httpRequest } from 'node:http';
import { type Clock, systemClock } from '../../time/clock.js';
import { atDeadline } from '../../time/deadline.js';
import type { ServerRequest } from './types.js';

/**
 * Where the server under test listens.
 *
 * @example
 * const address: ServerAddress = { hostname: '127.0.0.1', port: 8080 };
 */
export interface ServerAddress {
  /** `127.0.0.1`, `::1`, `localhost` … (no brackets). */
  readonly hostname: string;
  readonly port: number;
}

/**
 * What came back, as it came: header names with their own case, in order, duplicates kept.
 *
 * @example
 * const observed: ObservedResponse = { status: 503, rawHeaders: ['Date', '…', 'Content-Length', '0'], body: '' };
 */
export interface ObservedResponse {
  readonly status: number;
  /** `[name, value, name, value, …]` as Node's `rawHeaders`. */
  readonly rawHeaders: readonly string[];
  /** The body as latin1 (one char per byte), so any byte shows up in a diff. */
  readonly body: string;
  /**
   * Set when the connection carried something after the response, e.g. a body sent with a
   * response to HEAD: Node's parser reports `Data after "Connection: close"`.
   */
  readonly afterResponse?: string;
}

/**
 * How an exchange failed before a whole response arrived.
 *
 * @example
 * const failure: ExchangeFailure = { code: 'ETIMEDOUT', message: 'no complete response within 2000 ms' };
 */
export interface ExchangeFailure {
  /** `ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, … */
  readonly code: string;
  readonly message: string;
}

/**
 * The outcome of one exchange.
 *
 * @example
 * const outcome: ExchangeOutcome = await exchange(address, { method: 'GET', path: '/healthz' }, { agent });
 * if (!outcome.ok) console.log(outcome.failure.code);
 */
export type ExchangeOutcome =
  | { readonly ok: true; readonly response: ObservedResponse }
  | { readonly ok: false; readonly failure: ExchangeFailure };

/**
 * Options of one exchange.
 *
 * @example
 * const options: ExchangeOptions = { agent: new Agent({ keepAlive: false }), timeoutMs: 500 };
 */
export interface ExchangeOptions {
  /** A fresh agent per run keeps connections apart from anything else in the process. */
  readonly agent: Agent;
  /** ms until the exchange is abandoned as `ETIMEDOUT` (default 2000). */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

/** Methods whose empty request body Node's client announces with `Content-Length: 0`. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The headers probekit sends: the case's own, plus `Connection: close` (the recorded Dapr
 * responses were answers to such requests) unless the case sets Connection itself.
 *
 * @example
 * requestHeaders({ method: 'GET', path: '/healthz' }); // { Connection: 'close' }
 */
export function requestHeaders(request: ServerRequest): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers };
  const named = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!named.has('connection')) headers.Connection = 'close';
  if (BODY_METHODS.has(request.method) && !named.has('content-length')) headers['Content-Length'] = '0';
  return headers;
}

/**
 * Sends one request over real HTTP/1.1 and collects the whole response (status, raw headers,
 * body), or says how it failed. Never rejects, never outlives `timeoutMs`.
 *
 * @example
 * const agent = new Agent({ keepAlive: false });
 * const outcome = await exchange({ hostname: '127.0.0.1', port: 8080 }, { method: 'GET', path: '/healthz' }, { agent });
 * if (outcome.ok) console.log(outcome.response.status);
 */
export function exchange(
  address: ServerAddress,
  request: ServerRequest,
  { agent, timeoutMs = 2000, clock = systemClock }: ExchangeOptions,
): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let response: { status: number; rawHeaders: string[]; chunks: Buffer[] } | undefined;
    let afterResponse: string | undefined;
    const settle = (outcome: ExchangeOutcome) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      resolve(outcome);
    };
    const fail = (code: string, message: string) => settle({ ok: false, failure: { code, message } });
    const req = httpRequest(
      {
        hostname: address.hostname,
        port: address.port,
        method: request.method,
        path: request.path,
        headers: requestHeaders(request),
        agent,
      },
      (res) => {
        response = { status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, chunks: [] };
        const collected = response;
        res.on('data', (chunk: Buffer) => collected.chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERR', error.message));
        // 'close' comes after the socket is done, so bytes after the response are seen first.
        res.on('close', () => {
          if (!res.complete) {
            fail('ECONNRESET', 'the connection closed before the response was complete');
            return;
          }
          const observed: ObservedResponse = {
            status: collected.status,
            rawHeaders: collected.rawHeaders,
            body: Buffer.concat(collected.chunks).toString('latin1'),
          };
          settle({ ok: true, response: afterResponse ? { ...observed, afterResponse } : observed });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (response) {
        // The response was whole; what went wrong came after it on the connection.
        afterResponse = error.message;
        return;
      }
      fail(error.code ?? 'ERR', error.message);
    });
    const deadline = atDeadline(clock, clock.now + timeoutMs, () => {
      fail('ETIMEDOUT', `no complete response within ${timeoutMs} ms`);
      req.destroy();
    });
    req.end();
  });
}

/**
 * Header values by lower-case name (duplicates joined with `, `, as HTTP allows).
 *
 * @example
 * headerMap(['Allow', 'GET, OPTIONS']).get('allow'); // 'GET, OPTIONS'
 */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const previous = map.get(name);
    map.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return map;
}

/**
 * The header names of a response, in order, as sent.
 *
 * @example
 * headerNames(['Date', 'x', 'Content-Length', '0']); // ['Date', 'Content-Length']
 */
export function headerNames(rawHeaders: readonly string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 0);
}
