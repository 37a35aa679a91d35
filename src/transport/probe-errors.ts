import { describeValue, ProbekitError } from '../errors.js';
import { type FailureKind, outcomeOfError, type TlsFailureReason, transportError } from './outcome.js';

const FAILURE_TEXT: Readonly<Record<FailureKind, string>> = {
  refused: 'the connection was refused',
  reset: 'the connection was reset by the peer',
  closed: 'the connection was closed before a complete response arrived',
  malformed: 'the answer is not a valid HTTP response',
  timeout: 'connecting timed out',
  'invalid-url': 'the request was rejected before sending',
};

const FAILURE_HINT: Readonly<Record<FailureKind, string>> = {
  refused: 'Check that the endpoint is listening on that host and port',
  reset: 'The endpoint (or something in between) dropped the connection',
  closed: 'The endpoint closed the connection without answering',
  malformed:
    'Check that the port serves HTTP/1.1 (not TLS or another protocol) and that its responses are well-formed',
  timeout: 'The endpoint did not accept the connection in time',
  'invalid-url': 'Check the URL',
};

const TLS_TEXT: Readonly<Record<TlsFailureReason, string>> = {
  'unknown-ca': 'the certificate is signed by a CA this client does not trust',
  'wrong-host': 'the certificate does not name this host',
  expired: 'the certificate has expired',
  'not-yet-valid': 'the certificate is not valid yet',
  'bad-certificate': 'the certificate was rejected',
  handshake: 'the server does not speak TLS on this port, or broke off the handshake',
};

const TRUST_HINT =
  "Pass the server's CA certificate (httpTransport({ ca }), probekit check --ca FILE), or skip verification ({ rejectUnauthorized: false }, --insecure)";

const TLS_HINT: Readonly<Record<TlsFailureReason, string>> = {
  'unknown-ca': TRUST_HINT,
  'wrong-host': `Probe an address the certificate names, or make one that names it. ${TRUST_HINT}`,
  expired: `Renew the server's certificate, or check this machine's clock. ${TRUST_HINT}`,
  'not-yet-valid': `Check this machine's clock. ${TRUST_HINT}`,
  'bad-certificate': TRUST_HINT,
  handshake: 'Check that the port serves HTTPS (use an http:// URL for a plain-HTTP server)',
};

/**
 * undici's own names for responses its parser accepted but that break HTTP/1.1, with the
 * llhttp code that names the same fault. undici reports a status below 100 by failing one of
 * its internal assertions (`ERR_ASSERTION`): that too is the server's bytes, not a bug of ours.
 */
const MALFORMED_CODES: Readonly<Record<string, string>> = {
  ERR_ASSERTION: 'HPE_INVALID_STATUS',
  UND_ERR_HEADERS_OVERFLOW: 'HPE_HEADER_OVERFLOW',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'HPE_UNEXPECTED_CONTENT_LENGTH',
};

function ownCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Gives a socket or HTTP client error (undici's, or `fetch`'s `TypeError` with its `cause`)
 * probekit's stable failure codes, keeping the original as `cause`. Errors that are not a
 * known failure are returned unchanged.
 *
 * @example
 * normalizeProbeError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), url).code; // 'ECONNREFUSED'
 */
export function normalizeProbeError(error: unknown, url: string): unknown {
  const detail = error instanceof Error ? error.message : String(error);
  const inner = (error as { cause?: unknown } | null)?.cause;
  const malformedAs = MALFORMED_CODES[ownCode(error) ?? ''] ?? MALFORMED_CODES[ownCode(inner) ?? ''];
  if (malformedAs !== undefined) {
    const message = `Failed to probe ${describeValue(url)}: ${FAILURE_TEXT.malformed} (${detail}). ${FAILURE_HINT.malformed}.`;
    return Object.assign(new Error(message, { cause: error }), { code: malformedAs });
  }
  const outcome = outcomeOfError(error);
  if (outcome.kind === 'tls') {
    // The original code stays: it says exactly which check failed, and maps back to the reason.
    const message = `Failed to probe ${describeValue(url)}: the TLS handshake failed, ${TLS_TEXT[outcome.reason]} (${detail}). ${TLS_HINT[outcome.reason]}.`;
    return Object.assign(new Error(message, { cause: error }), { code: outcome.code });
  }
  if (outcome.kind === 'error' || outcome.kind === 'status') return error;
  const message =
    `Failed to probe ${describeValue(url)}: ${FAILURE_TEXT[outcome.kind]} (${detail}). ` +
    `${FAILURE_HINT[outcome.kind]}.`;
  return transportError(outcome.kind, message, { cause: error });
}

/**
 * The error of a probe sent through a transport that was closed.
 *
 * @example
 * throw stoppedError('http://127.0.0.1:8080/healthz');
 */
export function stoppedError(url: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_STOPPED',
    `Failed to probe ${describeValue(url)}: the HTTP transport is closed. Create a new httpTransport() to probe again.`,
  );
}

/**
 * Parses a probe URL; anything but an absolute http(s) URL fails (`ERR_INVALID_URL`) without
 * touching the network.
 *
 * @example
 * const parsed = parseProbeUrl('http://127.0.0.1:8080/healthz');
 * if (parsed instanceof Error) throw parsed;
 */
export function parseProbeUrl(url: unknown): URL | Error {
  const invalid = (reason: string) =>
    transportError(
      'invalid-url',
      `Failed to probe ${describeValue(url)}: ${reason}. Pass an absolute URL like "http://127.0.0.1:8080/healthz".`,
    );
  if (typeof url !== 'string') return invalid('the URL is not a string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid('it is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return invalid(`the scheme ${describeValue(parsed.protocol)} is not http: or https:`);
  }
  if (parsed.hostname === '') return invalid('it has no host');
  return parsed;
}
