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
const MISSING_HOST: GoRequestRejection = Object.freeze({
  status: 400,
  reason: 'Bad Request: missing required Host header',
  body: '400 Bad Request: missing required Host header',
});

/**
 * What Go's request parser (Go 1.19 `readRequest`, in its order) rejects that Node's llhttp
 * accepts, for a request Node has already parsed:
 *
 * - a request line without a version (`GET /healthz`, HTTP/0.9 shape): Go's
 *   `parseRequestLine` fails, 400; llhttp calls it HTTP/0.9 and hands it over.
 * - `Transfer-Encoding` other than exactly one `chunked` on HTTP/1.1 (`xchunked`, `identity`,
 *   `gzip`): Go's `parseTransferEncoding` answers 501; llhttp only fails later, on the body,
 *   after the handler has answered. Go ignores the header on HTTP/1.0, and so does this.
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
  if (http11 && req.headers.host === undefined && req.method !== 'CONNECT') return MISSING_HOST;
  return undefined;
}

function hasUnsupportedTransferEncoding(req: IncomingMessage): boolean {
  const value = req.headers['transfer-encoding'];
  if (value === undefined) return false;
  if (value.toLowerCase() !== 'chunked') return true;
  // Node joins repeated lines with ", ", which the test above already refuses, except when
  // one line was empty; Go refuses any second line ("too many transfer encodings").
  let lines = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).length === 17 && (raw[i] as string).toLowerCase() === 'transfer-encoding') lines++;
  }
  return lines !== 1;
}
