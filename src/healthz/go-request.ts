import type { IncomingMessage } from 'node:http';

/**
 * A request Go's `net/http` server refuses before any handler runs, with the exact status
 * line reason and body it writes (see `goRejection`).
 *
 * @example
 * const rejection: GoRequestRejection = { status: 400, reason: 'Bad Request', body: '400 Bad Request' };
 */
export interface GoRequestRejection {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
}

const MALFORMED: GoRequestRejection = Object.freeze({
  status: 400,
  reason: 'Bad Request',
  body: '400 Bad Request',
});
const UNSUPPORTED_TE: GoRequestRejection = Object.freeze({
  status: 501,
  reason: 'Not Implemented',
  body: 'Unsupported transfer encoding',
});
/** Go's `badRequestError(text)`: `400 Bad Request: <text>` in the status line and the body. */
function badRequest(text: string): GoRequestRejection {
  const reason = `Bad Request: ${text}`;
  return Object.freeze({ status: 400, reason, body: `400 ${reason}` });
}
const MISSING_HOST = badRequest('missing required Host header');
const MALFORMED_HOST = badRequest('malformed Host header');
const TOO_MANY_HOSTS = badRequest('too many Host headers');

/** The bytes Go's `httpguts.ValidHostHeader` allows in a Host header. */
const HOST_BYTES = /^[0-9A-Za-z!$%&'()*+,\-.:;=[\]_~]*$/;

/**
 * What Go's request parser (Go 1.19 `readRequest`, in its order) rejects that Node's llhttp
 * accepts, for a request Node has already parsed:
 *
 * - a request line without a version (`GET /healthz`, HTTP/0.9 shape): Go's
 *   `parseRequestLine` fails, 400; llhttp calls it HTTP/0.9 and hands it over.
 * - `Transfer-Encoding` other than exactly one `chunked` on HTTP/1.1 (`xchunked`, `identity`,
 *   `gzip`): Go's `parseTransferEncoding` answers 501; llhttp only fails later, on the body,
 *   after the handler has answered. Go ignores the header on HTTP/1.0, and so does this.
 * - more than one `Host` line, or one with bytes `httpguts.ValidHostHeader` refuses (`a b`):
 *   400 `too many Host headers` / `malformed Host header`; Node keeps the first and goes on.
 * - an HTTP/1.1 request without `Host` (CONNECT excepted): 400. This one applies to both
 *   flavours (`goParser` false keeps only it), the others to the control plane's Go server.
 *
 * @example
 * const rejection = goRequestRejection(req, true);
 * if (rejection) writeGoRejection(res, rejection.status, rejection.reason, rejection.body);
 */
export function goRequestRejection(req: IncomingMessage, goParser: boolean): GoRequestRejection | undefined {
  const http11 = req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
  if (goParser) {
    if (req.httpVersionMajor === 0) return MALFORMED;
    if (http11 && hasUnsupportedTransferEncoding(req)) return UNSUPPORTED_TE;
  }
  const host = req.headers.host;
  if (http11 && host === undefined && req.method !== 'CONNECT') return MISSING_HOST;
  if (goParser && host !== undefined) {
    // Node keeps the first of repeated Host lines; Go refuses them, and odd bytes in one.
    const lines = countHeaderLines(req.rawHeaders, 'host');
    if (lines === 1 && !HOST_BYTES.test(host)) return MALFORMED_HOST;
    if (lines > 1) return TOO_MANY_HOSTS;
  }
  return undefined;
}

function countHeaderLines(raw: readonly string[], lowerName: string): number {
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) lines++;
  }
  return lines;
}

function hasUnsupportedTransferEncoding(req: IncomingMessage): boolean {
  const value = req.headers['transfer-encoding'];
  if (value === undefined) return false;
  if (value.toLowerCase() !== 'chunked') return true;
  // Node joins repeated lines with ", ", which the test above already refuses, except when
  // one line was empty; Go refuses any second line ("too many transfer encodings").
  return countHeaderLines(req.rawHeaders, 'transfer-encoding') !== 1;
}
