/**
 * Why a probe ended, as recorded in traces. `status` is any HTTP response (success or not);
 * every other kind is a failure that produced no response.
 */
export type ProbeOutcome =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'closed' }
  /** Bytes that are not a valid HTTP/1.1 response (a parse error, a status below 100, overlong headers, conflicting lengths). */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'invalid-url' }
  /** The TLS handshake failed (`tls:unknown-ca`, …); `code` is Node's or OpenSSL's own. */
  | { readonly kind: 'tls'; readonly reason: TlsFailureReason; readonly code: string }
  | { readonly kind: 'error'; readonly code: string };

/**
 * Why a TLS handshake failed, as traces name it (`tls:<reason>`):
 * - `unknown-ca`: the certificate is self-signed or signed by a CA the client does not trust;
 * - `wrong-host`: the certificate does not name the host or IP address probed;
 * - `expired` / `not-yet-valid`: now is outside the certificate's validity;
 * - `bad-certificate`: any other reason the certificate was rejected (revoked, bad signature, …);
 * - `handshake`: no TLS was spoken at all, e.g. a plain-HTTP server on the https port
 *   (OpenSSL's "wrong version number"), or the handshake broke off.
 */
export type TlsFailureReason =
  | 'unknown-ca'
  | 'wrong-host'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-certificate'
  | 'handshake';

/** Outcome kinds that carry no status. */
export type FailureKind = Exclude<ProbeOutcome['kind'], 'status' | 'error' | 'tls'>;

/** Error `code`s a transport uses for each failure kind. */
export const FAILURE_CODES: Readonly<Record<FailureKind, string>> = {
  timeout: 'ETIMEDOUT',
  refused: 'ECONNREFUSED',
  reset: 'ECONNRESET',
  closed: 'ECONNCLOSED',
  malformed: 'HPE_INVALID_CONSTANT',
  'invalid-url': 'ERR_INVALID_URL',
};

const KIND_BY_CODE: Readonly<Record<string, FailureKind>> = {
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNCLOSED: 'closed',
  UND_ERR_SOCKET: 'closed',
  UND_ERR_CLOSED: 'closed',
  // undici's names for a response that breaks HTTP/1.1 (llhttp's HPE_HEADER_OVERFLOW and
  // HPE_UNEXPECTED_CONTENT_LENGTH): the bytes are not a usable response.
  UND_ERR_HEADERS_OVERFLOW: 'malformed',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'malformed',
  ERR_INVALID_URL: 'invalid-url',
  UND_ERR_INVALID_ARG: 'invalid-url',
};

/**
 * Node's codes for a rejected certificate (OpenSSL's verify results, and Node's own host check)
 * by what they mean to someone probing a server. Other `ERR_SSL_*` / `ERR_TLS_*` codes, and
 * `EPROTO`, mean the handshake itself failed.
 */
const TLS_REASON_BY_CODE: Readonly<Record<string, TlsFailureReason>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown-ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-host',
  HOSTNAME_MISMATCH: 'wrong-host',
  IP_ADDRESS_MISMATCH: 'wrong-host',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  CERT_SIGNATURE_FAILURE: 'bad-certificate',
  CERT_REVOKED: 'bad-certificate',
  CERT_UNTRUSTED: 'bad-certificate',
  CERT_REJECTED: 'bad-certificate',
  CERT_CHAIN_TOO_LONG: 'bad-certificate',
  INVALID_CA: 'bad-certificate',
  INVALID_PURPOSE: 'bad-certificate',
  PATH_LENGTH_EXCEEDED: 'bad-certificate',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'bad-certificate',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'bad-certificate',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'bad-certificate',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'bad-certificate',
  EPROTO: 'handshake',
};

/**
 * The TLS failure an error `code` names, or undefined when it is not one.
 *
 * @example
 * tlsFailureReason('CERT_HAS_EXPIRED'); // 'expired'
 * tlsFailureReason('ERR_SSL_WRONG_VERSION_NUMBER'); // 'handshake' (a plain-HTTP server)
 */
export function tlsFailureReason(code: string | undefined): TlsFailureReason | undefined {
  if (code === undefined) return undefined;
  const reason = TLS_REASON_BY_CODE[code];
  if (reason !== undefined) return reason;
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') ? 'handshake' : undefined;
}

/**
 * `DOMException`s carry a numeric `code`; their `name` is what identifies them. These are the
 * reasons `AbortSignal.timeout()` and a bare `controller.abort()` leave on a signal.
 */
const CODE_BY_DOM_NAME: Readonly<Record<string, string>> = {
  TimeoutError: 'ETIMEDOUT',
  AbortError: 'ABORT_ERR',
  // undici 7's parser errors carry no `code`.
  HTTPParserError: 'HPE_INVALID_CONSTANT',
};

/**
 * Maps a transport's rejection to an outcome by its `code` (also looking at `cause.code`).
 * An abort reason that is a `TimeoutError` counts as a timeout; a plain `AbortError` (the probe
 * was cancelled, e.g. by `stop()`) is `{ kind: 'error', code: 'ABORT_ERR' }`. A TLS failure is
 * `{ kind: 'tls', reason, code }` (see {@link TlsFailureReason}).
 *
 * @example
 * outcomeOfError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })); // { kind: 'refused' }
 * outcomeOfError(Object.assign(new Error('expired'), { code: 'CERT_HAS_EXPIRED' })); // { kind: 'tls', reason: 'expired', code: 'CERT_HAS_EXPIRED' }
 */
export function outcomeOfError(error: unknown): ProbeOutcome {
  const code = errorCode(error);
  // Node's and undici's HTTP parser codes (HPE_*) all mean the bytes were not HTTP.
  const kind =
    code === undefined
      ? undefined
      : (KIND_BY_CODE[code] ?? (code.startsWith('HPE_') ? 'malformed' : undefined));
  if (kind) return { kind };
  const reason = tlsFailureReason(code);
  if (reason !== undefined) return { kind: 'tls', reason, code: code as string };
  return { kind: 'error', code: code ?? 'EUNKNOWN' };
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (current as { name?: unknown }).name;
    if (typeof name === 'string' && Object.hasOwn(CODE_BY_DOM_NAME, name)) return CODE_BY_DOM_NAME[name];
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Creates an `Error` with a `code`, as transports reject with; `cause` keeps the original error.
 *
 * @example
 * throw transportError('refused', 'Failed to probe "http://127.0.0.1:1/": connection refused.');
 */
export function transportError(
  kind: FailureKind,
  message: string,
  options?: { cause?: unknown },
): Error & { code: string } {
  return Object.assign(new Error(message, options), { code: FAILURE_CODES[kind] });
}

/**
 * One short word for an outcome: `200`, `timeout`, `reset`, `tls:unknown-ca`, … (used in traces
 * and timelines).
 */
export function describeOutcome(outcome: ProbeOutcome): string {
  if (outcome.kind === 'status') return String(outcome.status);
  if (outcome.kind === 'error') return `error:${outcome.code}`;
  if (outcome.kind === 'tls') return `tls:${outcome.reason}`;
  return outcome.kind;
}
