/**
 * How strict a scenario is. `core`: any Dapr-compatible checker must pass (values and order of
 * signals, probe outcomes). `timing`: the exact Go-ticker schedule (dropped and stale ticks).
 * `backpressure`: the channel of one that blocks the loop while nobody reads.
 */
export type ScenarioLevel = 'core' | 'timing' | 'backpressure';

/** The checker options a scenario sets; an absent one means "use your default". */
export interface ScenarioOptions {
  initialDelayMs?: number;
  intervalMs?: number;
  requestTimeoutMs?: number;
  failureThreshold?: number;
  successStatusCode?: number;
}

/**
 * A checker scenario: a JSON-serialisable definition of one run. The endpoint plays `script`
 * (the endpoint DSL, see docs/dsl.md); the consumer starts reading after `readDelayMs`; the run
 * lasts `durationMs`. Fixture files add the `expected` trace.
 */
export interface Scenario {
  id: string;
  description: string;
  /** Rule ids from the catalogue (`src/scenario/rules.ts`) this scenario pins down. */
  rules: string[];
  level: ScenarioLevel;
  options: ScenarioOptions;
  /** The endpoint's behaviour script, in the endpoint DSL (e.g. `"200, 503*3, hang, 200..."`). */
  script: string;
  /** Seeds the endpoint's random choices (default 0): the same seed replays the same run. */
  seed?: number;
  /** When the consumer starts reading the signals (ms from the start). Default 0. */
  readDelayMs?: number;
  durationMs: number;
  /**
   * Why the scenario can only run in virtual time (e.g. a tie that real time cannot stage): a
   * process run (`--exec`) skips it and shows this reason; in process it runs as usual.
   */
  virtualOnly?: string;
  /**
   * The endpoint's keep-alive idle timeout (ms): how long a real mock server keeps an idle
   * connection open. When absent, a real-time runner picks one longer than the run
   * (`mockIdleTimeoutMs`), so no connection is closed between probes. In-process and msw
   * endpoints have no connections and ignore it.
   */
  idleTimeoutMs?: number;
  expected?: Trace;
}

/**
 * A probe's outcome in a trace: the status as a string (`"200"`, `"503"`), or the failure that
 * produced no response: `timeout`, `refused`, `reset`, `closed`, `malformed`, `invalid-url`,
 * `tls:<reason>` (`tls:unknown-ca`, `tls:wrong-host`, `tls:expired`, `tls:handshake`, …),
 * `error:<CODE>`.
 */
export type TraceOutcome = string;

/** One probe as a trace records it. Times are ms since the check started. */
export interface TraceProbe {
  index: number;
  start: number;
  /** When the probe's outcome was known (absent when the implementation cannot report it). */
  end?: number;
  outcome?: TraceOutcome;
  success?: boolean;
  /** The failure count after this probe (absent when the implementation cannot report it). */
  failureCount?: number;
  /**
   * `false` when the checker failed the probe without sending a request (requestTimeout 0, an
   * unparsable address). Such probes are invisible to an endpoint, so comparisons skip them.
   */
  sent?: boolean;
  /**
   * How many requests the endpoint saw for this probe, when not one: redirects followed and
   * requests sent again on a new connection (Dapr profiles with Go's net/http client).
   */
  requests?: number;
}

/** One value the consumer received. */
export interface TraceSignal {
  at: number;
  value: boolean;
  /** When the loop emitted it, if different from `at` (the consumer read it late). */
  emittedAt?: number;
}

/**
 * What happened in one run, on one time axis (ms since the check started). Traces are what
 * the conformance suites compare, what the teaching views render, and what a bug report
 * attaches. Fields other than `probes` and `signals` are present where the implementation
 * can report them.
 */
export interface Trace {
  /** Where the trace came from, e.g. `simulate`, `probekit check`, `exec: ./my-checker`. */
  source?: string;
  durationMs: number;
  /** When the initial delay ended. */
  delayEnd?: number;
  probes: TraceProbe[];
  signals: TraceSignal[];
  /** Ticks that came due: delivered ones and the due times of dropped ones. */
  ticks?: { delivered: number[]; dropped: number[] };
  /** Periods when the loop was blocked on an unread signal (`to` absent: still blocked at the end). */
  blocked?: Array<{ from: number; to?: number }>;
  /** The scenario's options in force, for renderers (interval, threshold, …). */
  options?: ScenarioOptions;
}
