/**
 * Stable error codes. Tests and callers match on `code`, never on message text.
 */
export type ProbekitErrorCode =
  | 'ERR_PROBEKIT_INVALID_OPTION'
  | 'ERR_PROBEKIT_INVALID_DURATION'
  | 'ERR_PROBEKIT_INVALID_SCRIPT'
  | 'ERR_PROBEKIT_INVALID_SCENARIO'
  | 'ERR_PROBEKIT_PORT_IN_USE'
  | 'ERR_PROBEKIT_LISTEN'
  | 'ERR_PROBEKIT_STOPPED'
  | 'ERR_PROBEKIT_ABORTED'
  | 'ERR_PROBEKIT_USAGE'
  | 'ERR_PROBEKIT_PROTOCOL';

/**
 * The one error type probekit throws. Messages follow
 * `Failed to <verb> <thing>: <reason>. <hint>.` and include the offending value.
 *
 * @example
 * try { withInterval(0) } catch (e) { if (e instanceof ProbekitError) console.log(e.code) }
 */
export class ProbekitError extends Error {
  readonly code: ProbekitErrorCode;

  constructor(code: ProbekitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProbekitError';
    this.code = code;
  }
}

/** Renders a value for an error message: strings quoted, everything else as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
