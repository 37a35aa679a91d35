import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Where the `Date` header comes from: an explicit source (the `httpDate` option), or, when
 * `custom` is undefined, Node's own cached date wherever Node's layout already equals Go's,
 * and `fallback` elsewhere.
 *
 * @example
 * const dates: DateSource = { custom: () => '<http-date>', fallback: createHttpDate() };
 */
export interface DateSource {
  readonly custom: (() => string) | undefined;
  readonly fallback: () => string;
}

/**
 * Writes a complete response laid out the way Go's `net/http` lays it out, so our bytes match
 * the recorded Dapr responses:
 *
 *   <handler headers, sorted>  Date  Content-Length  Connection
 *
 * Node would put `Connection` before `Content-Length` and add `Keep-Alive`, so the framing
 * headers are written explicitly here. Content-Length follows Go: the body length, except a
 * HEAD response with an empty body, and never for 1xx/204/304.
 *
 * Connection follows Go too: HTTP/1.1 says `close` only when the connection will close (the
 * client asked, or the server is draining: see `res.shouldKeepAlive`); a kept-alive HTTP/1.1
 * response carries no Connection header; HTTP/1.0 says `keep-alive` when it is kept alive and
 * nothing otherwise.
 *
 * @example
 * writeGoResponse(req, res, 200, NO_HEADERS, '', { custom: undefined, fallback: createHttpDate() });
 */
export function writeGoResponse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  handlerHeaders: readonly string[],
  body: string,
  dates: DateSource,
): void {
  const keepAlive = res.shouldKeepAlive;
  const http11 = req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
  if (keepAlive && http11 && dates.custom === undefined && handlerHeaders.length === 0 && body === '') {
    // The probe's hot path. Here Node's own layout is byte-identical to Go's (Date, then an
    // implicit Content-Length: 0 unless HEAD or 204), and its cached Date costs nothing.
    res.statusCode = status;
    res.removeHeader('Connection');
    res.end();
    return;
  }
  const head = req.method === 'HEAD';
  const date = (dates.custom ?? dates.fallback)();
  const headers = handlerHeaders.length === 0 ? ['Date', date] : [...handlerHeaders, 'Date', date];
  if (bodyAllowed(status) && (!head || body.length > 0)) {
    headers.push('Content-Length', lengthOf(body));
  }
  if (http11) {
    if (keepAlive) res.removeHeader('Connection');
    else headers.push('Connection', 'close');
  } else if (keepAlive) {
    headers.push('Connection', 'keep-alive');
  } else {
    // HTTP/1.0 closes by default; Go sends no Connection header then.
    res.removeHeader('Connection');
  }
  res.writeHead(status, headers);
  if (head || body.length === 0) res.end();
  else res.end(body, 'latin1');
}

/**
 * Handler headers for responses that set none.
 *
 * @example
 * writeGoResponse(req, res, 503, NO_HEADERS, '', dates);
 */
export const NO_HEADERS: readonly string[] = Object.freeze([]);

function bodyAllowed(status: number): boolean {
  return !(status < 200 || status === 204 || status === 304);
}

const SMALL_LENGTHS = Array.from({ length: 128 }, (_, n) => String(n));

function lengthOf(body: string): string {
  // Bodies here are ASCII/latin1 byte strings, so chars are bytes.
  return SMALL_LENGTHS[body.length] ?? String(body.length);
}

/**
 * The raw bytes Go's server writes when it rejects a request before any handler runs
 * (`net/http` conn.serve): no Date, no Content-Length, and the connection is closed.
 * `publicError` is the status and reason, e.g. `400 Bad Request`.
 *
 * @example
 * socket.end(goRejection('400 Bad Request'));
 */
export function goRejection(publicError: string): string {
  return `HTTP/1.1 ${publicError}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${publicError}`;
}

/**
 * Answers a request the way Go's server rejects one before any handler runs (see
 * {@link goRejection}), through the response object so Node keeps its bookkeeping. The body
 * is the status and reason unless given (Go's 501 says `Unsupported transfer encoding`).
 *
 * @example
 * writeGoRejection(res, 400, 'Bad Request: missing required Host header');
 */
export function writeGoRejection(
  res: ServerResponse,
  status: number,
  reason: string,
  body = `${status} ${reason}`,
): void {
  res.sendDate = false;
  // No framing headers: the body runs to the end of the connection, as Go's does.
  res.removeHeader('Content-Length');
  res.removeHeader('Transfer-Encoding');
  res.writeHead(status, reason, ['Content-Type', 'text/plain; charset=utf-8', 'Connection', 'close']);
  res.end(body, 'latin1');
}
