import type { Scenario, ScenarioOptions } from '../../../scenario/types.js';
import type { Clock } from '../../../time/clock.js';
import { monotonicToClock } from '../../../time/monotonic.js';
import type { LineTimer } from '../../common/child-process.js';

/**
 * The version of the checker process protocol (docs/conformance.md). It is passed to every
 * implementation as `PROBEKIT_PROTOCOL`; a change that an existing adapter could trip on, or
 * output an older probekit would refuse, bumps it. Version 2 added the optional monotonic
 * timestamp on each line; every version-1 output is valid version 2.
 *
 * @example
 * if (!['1', '2'].includes(process.env.PROBEKIT_PROTOCOL ?? '')) process.exit(2);
 */
export const CHECKER_PROTOCOL_VERSION = 2;

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
  'PROBEKIT_SCENARIO',
  'PROBEKIT_URL',
  'PROBEKIT_READ_DELAY_MS',
  ...Object.values(OPTION_VARIABLES),
]);

/**
 * The protocol variables for one (already scaled) scenario whose endpoint is at `url`.
 *
 * @example
 * protocolEnv(scenario, 'http://127.0.0.1:40123/healthz');
 * // { PROBEKIT_PROTOCOL: '2', PROBEKIT_SCENARIO: 'hang-times-out', PROBEKIT_URL: 'http://127.0.0.1:40123/healthz', PROBEKIT_INTERVAL_MS: '100', … }
 */
export function protocolEnv(scenario: Scenario, url: string): Record<string, string> {
  const env: Record<string, string> = {
    PROBEKIT_PROTOCOL: String(CHECKER_PROTOCOL_VERSION),
    // For the implementation's logs and its own skip lists; nothing in it changes the protocol.
    PROBEKIT_SCENARIO: scenario.id,
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

/**
 * One stdout line, as the protocol reads it. `monotonicNs` is the optional second field of
 * version 2: when the event happened, on the machine's monotonic clock, in nanoseconds.
 */
export type ProtocolLine =
  | { readonly kind: 'start'; readonly monotonicNs?: bigint }
  | { readonly kind: 'signal'; readonly value: boolean; readonly monotonicNs?: bigint }
  /** Blank lines and `#` comments: allowed, ignored. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'invalid'; readonly text: string };

/** Longest stdout line kept for an error message. */
const MAX_QUOTED = 200;

const LINE = /^(start|true|false)(?:[ \t]+([0-9]+))?$/;

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

/**
 * Reads one stdout line (without its `\n`). Surrounding whitespace (and a `\r`) is ignored;
 * the words are lower-case; a timestamp is a run of decimal digits after a space.
 *
 * @example
 * parseProtocolLine('true'); // { kind: 'signal', value: true }
 * parseProtocolLine('false 5312973400112'); // { kind: 'signal', value: false, monotonicNs: 5312973400112n }
 * parseProtocolLine('# probing'); // { kind: 'ignored' }
 */
export function parseProtocolLine(line: string): ProtocolLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'ignored' };
  const match = LINE.exec(text);
  if (!match) {
    return {
      kind: 'invalid',
      text: text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text,
    };
  }
  const stamp = match[2] === undefined ? {} : { monotonicNs: BigInt(match[2]) };
  if (match[1] === 'start') return { kind: 'start', ...stamp };
  return { kind: 'signal', value: match[1] === 'true', ...stamp };
}

/**
 * How far (ms) a timestamp may lie after the line's arrival, or before the spawn: the two
 * clocks are read in different processes, and probekit's own offset is measured to a µs.
 */
export const TIMESTAMP_SLACK_MS = 1;

const CLOCK_HINT =
  'Print the monotonic clock in integer nanoseconds, taken when the event happens: Python time.monotonic_ns(), Node process.hrtime.bigint(), Go unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts), Java System.nanoTime(), Rust clock_gettime(CLOCK_MONOTONIC)';

function duration(ms: number): string {
  const size = Math.abs(ms);
  if (size < 10_000) return `${size.toFixed(1)} ms`;
  if (size < 2 * 86_400_000) return `${(size / 1000).toFixed(1)} s`;
  return `${Math.round(size / 86_400_000)} days`;
}

/** What a timestamp that is out of bounds most likely is, when that can be told. */
function likelyMistake(ns: bigint, fits: (ns: bigint) => boolean): string | undefined {
  if (fits(ns * 1000n)) return 'it looks like microseconds, not nanoseconds';
  if (fits(ns * 1_000_000n)) return 'it looks like milliseconds, not nanoseconds';
  if (fits(ns * 1_000_000_000n)) return 'it looks like seconds, not nanoseconds';
  // Monotonic ns reach 10^18 after 31 years of uptime; the wall clock passed it in 2001.
  if (ns >= 10n ** 18n) return 'it looks like the wall clock (CLOCK_REALTIME, ns since 1970)';
  if (ns * 1_000_000n >= 10n ** 18n) return 'it looks like the wall clock in milliseconds (Date.now())';
  return undefined;
}

/**
 * The line timer of the checker protocol (version 2): a line with a timestamp happened at that
 * timestamp, put on `clock`'s axis (the one the mock server's journal is stamped on); a line
 * without one happened when it arrived, as in version 1. A timestamp later than the line's
 * arrival, earlier than the spawn (each beyond {@link TIMESTAMP_SLACK_MS}), or earlier than the
 * previous line's timestamp is a protocol problem that names the line and the likely mistake.
 * One timer per process: it remembers the previous timestamp. `toClock` is for tests.
 *
 * @example
 * const child = spawnImplementation(command, { env, clock, timeLine: protocolLineTimer(clock) });
 */
export function protocolLineTimer(
  clock: Clock,
  toClock: (ns: bigint) => number = monotonicToClock(clock),
): LineTimer {
  let previous: { readonly ns: bigint; readonly line: string } | undefined;
  return (text, arrivedAt, spawnedAt) => {
    const line = parseProtocolLine(text);
    if (line.kind === 'ignored' || line.kind === 'invalid' || line.monotonicNs === undefined)
      return arrivedAt;
    const ns = line.monotonicNs;
    const at = toClock(ns);
    const fits = (candidate: bigint) => {
      const t = toClock(candidate);
      return t >= spawnedAt - TIMESTAMP_SLACK_MS && t <= arrivedAt + TIMESTAMP_SLACK_MS;
    };
    const mistake = () => {
      const guess = likelyMistake(ns, fits);
      return guess ? ` (${guess})` : '';
    };
    if (at > arrivedAt + TIMESTAMP_SLACK_MS) {
      return {
        problem: `printed ${quote(text.trim())}, a time ${duration(at - arrivedAt)} after probekit read that line: a line cannot happen after it was read, so this is not this machine's monotonic clock in ns${mistake()}. ${CLOCK_HINT}`,
      };
    }
    if (at < spawnedAt - TIMESTAMP_SLACK_MS) {
      return {
        problem: `printed ${quote(text.trim())}, a time ${duration(spawnedAt - at)} before the process was spawned: so this is not this machine's monotonic clock in ns${mistake()}. ${CLOCK_HINT}`,
      };
    }
    if (previous !== undefined && ns < previous.ns) {
      return {
        problem: `printed ${quote(text.trim())}, a time ${duration(Number(previous.ns - ns) / 1e6)} before that of the line before it (${quote(previous.line)}): timestamps must not go backwards. Take every timestamp from the one monotonic clock when its event happens, and print the lines in that order`,
      };
    }
    previous = { ns, line: text.trim() };
    return at;
  };
}
