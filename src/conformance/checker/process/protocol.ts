import type { Scenario, ScenarioOptions } from '../../../scenario/types.js';

/**
 * The version of the checker process protocol (docs/conformance.md). It is passed to every
 * implementation as `PROBEKIT_PROTOCOL`; a change that an existing adapter could trip on bumps it.
 *
 * @example
 * if (process.env.PROBEKIT_PROTOCOL !== String(CHECKER_PROTOCOL_VERSION)) process.exit(2);
 */
export const CHECKER_PROTOCOL_VERSION = 1;

/**
 * The environment variable per scenario option; an option the scenario leaves out is not set.
 *
 * @example
 * OPTION_VARIABLES.intervalMs; // "PROBEKIT_INTERVAL_MS"
 */
export const OPTION_VARIABLES: Readonly<Record<keyof ScenarioOptions, string>> = Object.freeze({
  initialDelayMs: 'PROBEKIT_INITIAL_DELAY_MS',
  intervalMs: 'PROBEKIT_INTERVAL_MS',
  requestTimeoutMs: 'PROBEKIT_REQUEST_TIMEOUT_MS',
  failureThreshold: 'PROBEKIT_FAILURE_THRESHOLD',
  successStatusCode: 'PROBEKIT_SUCCESS_STATUS_CODE',
});

/**
 * Every variable the protocol defines (inherited ones are removed before a case is run).
 *
 * @example
 * PROTOCOL_VARIABLES.includes('PROBEKIT_READ_DELAY_MS'); // true
 */
export const PROTOCOL_VARIABLES: readonly string[] = Object.freeze([
  'PROBEKIT_PROTOCOL',
  'PROBEKIT_URL',
  'PROBEKIT_READ_DELAY_MS',
  ...Object.values(OPTION_VARIABLES),
]);

/**
 * The protocol variables for one (already scaled) scenario whose endpoint is at `url`.
 *
 * @example
 * protocolEnv(scenario, 'http://127.0.0.1:40123/healthz');
 * // { PROBEKIT_PROTOCOL: '1', PROBEKIT_URL: 'http://127.0.0.1:40123/healthz', PROBEKIT_INTERVAL_MS: '100', … }
 */
export function protocolEnv(scenario: Scenario, url: string): Record<string, string> {
  const env: Record<string, string> = {
    PROBEKIT_PROTOCOL: String(CHECKER_PROTOCOL_VERSION),
    PROBEKIT_URL: url,
  };
  for (const [key, variable] of Object.entries(OPTION_VARIABLES) as Array<[keyof ScenarioOptions, string]>) {
    const value = scenario.options[key];
    if (value !== undefined) env[variable] = String(value);
  }
  if (scenario.readDelayMs !== undefined && scenario.readDelayMs > 0) {
    env.PROBEKIT_READ_DELAY_MS = String(scenario.readDelayMs);
  }
  return env;
}

/**
 * The environment a case's process gets: the caller's environment without any inherited
 * protocol variable (so "unset" really means "use your default"), plus the case's own.
 *
 * @example
 * childEnv(process.env, protocolEnv(scenario, url)); // PATH, HOME… and the PROBEKIT_* of this case
 */
export function childEnv(base: NodeJS.ProcessEnv, own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (!PROTOCOL_VARIABLES.includes(name)) env[name] = value;
  }
  return { ...env, ...own };
}

/** One stdout line, as the protocol reads it. */
export type ProtocolLine =
  | { readonly kind: 'start' }
  | { readonly kind: 'signal'; readonly value: boolean }
  /** Blank lines and `#` comments: allowed, ignored. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'invalid'; readonly text: string };

/** Longest stdout line kept for an error message. */
const MAX_QUOTED = 200;

/**
 * Reads one stdout line (without its `\n`). Surrounding whitespace (and a `\r`) is ignored;
 * the words are lower-case.
 *
 * @example
 * parseProtocolLine('true'); // { kind: 'signal', value: true }
 * parseProtocolLine('# probing'); // { kind: 'ignored' }
 */
export function parseProtocolLine(line: string): ProtocolLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'ignored' };
  if (text === 'true') return { kind: 'signal', value: true };
  if (text === 'false') return { kind: 'signal', value: false };
  if (text === 'start') return { kind: 'start' };
  return {
    kind: 'invalid',
    text: text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text,
  };
}
