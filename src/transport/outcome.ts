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
  | { readonly kind: 'error'; readonly code: string };

/** Outcome kinds that carry no status. */
export type FailureKind = Exclude<ProbeOutcome['kind'], 'status' | 'error'>;

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
 * was cancelled, e.g. by `stop()`) is `{ kind: 'error', code: 'ABORT_ERR' }`.
 *
 * @example
 * outcomeOfError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })); // { kind: 'refused' }
 */
export function outcomeOfError(error: unknown): ProbeOutcome {
  const code = errorCode(error);
  // Node's and undici's HTTP parser codes (HPE_*) all mean the bytes were not HTTP.
  const kind =
    code === undefined
      ? undefined
      : (KIND_BY_CODE[code] ?? (code.startsWith('HPE_') ? 'malformed' : undefined));
  if (kind) return { kind };
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

/** One short word for an outcome: `200`, `timeout`, `reset`, … (used in traces and timelines). */
export function describeOutcome(outcome: ProbeOutcome): string {
  if (outcome.kind === 'status') return String(outcome.status);
  if (outcome.kind === 'error') return `error:${outcome.code}`;
  return outcome.kind;
}
