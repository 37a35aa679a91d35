import { resolveOptions, withProfile } from '../checker/options.js';
import { type ProfileName, profileNamed, REFERENCE_PROFILE } from '../checker/profiles/catalogue.js';
import { checkSeed } from '../endpoint/engine/rng.js';
import { ProbekitError } from '../errors.js';
import { simulateEvents, simulateEventsYielding } from './des/simulate-events.js';
import { optionsFromScenario } from './reference-adapter.js';
import type { Scenario, ScenarioOptions, Trace } from './types.js';
import { assertRunnable } from './validate.js';

/**
 * The most endpoints one fleet run takes: a summary of each is kept until the run ends.
 *
 * @example
 * spec.endpoints <= MAX_FLEET_ENDPOINTS;
 */
export const MAX_FLEET_ENDPOINTS = 100_000;

/**
 * The most ticks one endpoint of a fleet may run (10× `simulate()`'s `MAX_SIMULATED_TICKS`): its
 * whole trace is in memory while it is summarised, about 100 bytes a probe, so 1 M ticks is
 * ~100 MB at worst (e.g. 11.5 days at 1 s, or 1000 s at 1 ms).
 *
 * @example
 * durationMs / intervalMs <= MAX_FLEET_ENDPOINT_TICKS;
 */
export const MAX_FLEET_ENDPOINT_TICKS = 1_000_000;

/**
 * The most ticks a whole fleet run may add up to (endpoints × ticks each): the simulator takes
 * about 1 s of CPU per 800k probes here, so this is about two minutes; more is a typo.
 *
 * @example
 * endpoints * (durationMs / intervalMs) <= MAX_FLEET_TICKS;
 */
export const MAX_FLEET_TICKS = 100_000_000;

/** What a fleet run simulates: N endpoints, each playing a script under the reference checker. */
export interface FleetSpec {
  /**
   * One script per endpoint. Or give `script` and `endpoints` for N endpoints playing the
   * same script (each with its own seed, so random steps differ).
   */
  readonly scripts?: readonly string[];
  /** The script every endpoint plays (with `endpoints`). */
  readonly script?: string;
  /** How many endpoints play `script` (default 1). */
  readonly endpoints?: number;
  /** The checker's options for every endpoint; absent ones take Dapr v1.0's defaults. */
  readonly options?: ScenarioOptions;
  /** How long each endpoint runs, in whole ms of virtual time. */
  readonly durationMs: number;
  /** Endpoint `i` gets seed `seed + i` (wrapping past 4294967295). Default 0. */
  readonly seed?: number;
  /** The Dapr version every endpoint's checker is (default `dapr-1.0`): see `PROFILE_NAMES`. */
  readonly profile?: string;
}

/** What one endpoint of a fleet did. Times are ms of virtual time since the checks started. */
export interface FleetEndpointSummary {
  /** 0-based, in the order of `scripts` (or of seeds). */
  readonly index: number;
  readonly seed: number;
  readonly script: string;
  readonly probes: number;
  /** Probes that ended without success (one in flight at the end has no outcome: not counted). */
  readonly failedProbes: number;
  readonly trueSignals: number;
  readonly falseSignals: number;
  /**
   * `true` → `false` transitions of the signals (a first signal `false` is not a flap). A `false`
   * answered by a `true` in the same ms (a stale tick starts the next probe at once) is a flap of
   * 0 ms unhealthy.
   */
  readonly flaps: number;
  /** Time from each `false` signal to the next `true`, or to the end of the run. */
  readonly unhealthyMs: number;
  /** When the first `false` came, or `null` if none did. */
  readonly firstFalseAt: number | null;
  /** The last signal's value, or `null` if there was no signal. */
  readonly healthyAtEnd: boolean | null;
}

/** Nearest-rank percentiles of one number across the fleet's endpoints. */
export interface FleetDistribution {
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** The fleet run's result: every endpoint, totals and distributions. Deterministic for a spec. */
export interface FleetSummary {
  readonly durationMs: number;
  /** The Dapr profile every checker ran. */
  readonly profile: ProfileName;
  /** The options each endpoint's checker ran with, defaults filled in. */
  readonly options: Required<ScenarioOptions>;
  readonly endpoints: readonly FleetEndpointSummary[];
  readonly totals: {
    readonly endpoints: number;
    readonly probes: number;
    readonly failedProbes: number;
    readonly trueSignals: number;
    readonly falseSignals: number;
    readonly flaps: number;
    readonly unhealthyMs: number;
    /** Endpoints that emitted at least one `false`. */
    readonly everUnhealthy: number;
    /** Endpoints whose last signal was `false`. */
    readonly unhealthyAtEnd: number;
  };
  readonly distribution: {
    readonly probes: FleetDistribution;
    readonly falseSignals: FleetDistribution;
    readonly flaps: FleetDistribution;
    readonly unhealthyMs: FleetDistribution;
  };
}

/** A fleet spec read and checked: one entry per endpoint, and the run's size. */
export interface FleetPlan {
  readonly scripts: readonly string[];
  readonly seeds: readonly number[];
  readonly options: ScenarioOptions;
  readonly durationMs: number;
  /** The Dapr profile every checker runs. */
  readonly profile: ProfileName;
  /** Ticks per endpoint: an upper bound on its probes (one probe per delivered tick). */
  readonly ticksPerEndpoint: number;
  /** Ticks of the whole fleet: an upper bound on its probes. */
  readonly totalTicks: number;
}

const invalid = (message: string) => new ProbekitError('ERR_PROBEKIT_INVALID_OPTION', message);

const isWholeMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads and checks a fleet spec without running it: the size bounds, whole-ms times (the event
 * simulator's domain), the checker's options, and every distinct script (parsed once, so a bad
 * line 900 fails before anything runs). Says how many probes the run makes at most.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for a bad spec or size,
 *   `ERR_PROBEKIT_INVALID_SCRIPT` for a bad script.
 * @example
 * planFleet({ script: '200...', endpoints: 1000, options: { intervalMs: 1000 }, durationMs: 3_600_000 })
 *   .totalTicks; // 3_600_000
 */
export function planFleet(spec: FleetSpec): FleetPlan {
  const options = spec.options ?? {};
  // The checker's own rules first: its messages name the option in its words.
  const resolved = resolveOptions([
    withProfile(spec.profile ?? REFERENCE_PROFILE),
    ...optionsFromScenario(options),
  ]);
  const profile = resolved.profile.name;
  // v1.13 probes every unhealthyInterval while unhealthy: the faster of its two tickers bounds it.
  const fastest =
    resolved.profile.loop.kind === 'phased'
      ? Math.min(resolved.interval, resolved.unhealthyInterval)
      : resolved.interval;
  const scripts = scriptsOf(spec);
  const { durationMs } = spec;
  const times = { durationMs, ...options } as Record<string, unknown>;
  for (const name of ['durationMs', 'intervalMs', 'initialDelayMs', 'requestTimeoutMs']) {
    const value = times[name];
    // durationMs has no default: the run's length is the caller's to say.
    if ((value !== undefined || name === 'durationMs') && !isWholeMs(value)) {
      throw invalid(
        `Failed to plan the fleet run: ${name} ${String(value)} is not a whole number of ms from 0. Round it: the event simulator runs in whole milliseconds.`,
      );
    }
  }
  const seed = checkSeed(spec.seed, 'fleet seed');
  const ticksPerEndpoint = Math.floor(durationMs / fastest);
  if (ticksPerEndpoint > MAX_FLEET_ENDPOINT_TICKS) {
    throw invalid(
      `Failed to plan the fleet run: ${durationMs} ms at an interval of ${fastest} ms is ${ticksPerEndpoint} ticks per endpoint, over ${MAX_FLEET_ENDPOINT_TICKS}. Shorten the run or lengthen the interval.`,
    );
  }
  const totalTicks = ticksPerEndpoint * scripts.length;
  if (totalTicks > MAX_FLEET_TICKS) {
    throw invalid(
      `Failed to plan the fleet run: ${scripts.length} endpoints × ${ticksPerEndpoint} ticks is ${totalTicks} ticks, over ${MAX_FLEET_TICKS} (minutes of CPU). Use fewer endpoints, a shorter run or a longer interval.`,
    );
  }
  // Each distinct script once, through the very path a run takes (parse, compile, path rules).
  const seen = new Set<string>();
  scripts.forEach((script, index) => {
    if (seen.has(script)) return;
    seen.add(script);
    // The schema's checks here, once per script rather than once per endpoint (a tenth of the
    // CPU of a run of many short endpoints): what varies per endpoint is only the seed. Its
    // message names the endpoint already.
    const scenario = scenarioOf(script, seed, options, durationMs);
    assertRunnable(scenario, `endpoint ${index} of the fleet`, MAX_FLEET_ENDPOINT_TICKS);
    try {
      simulateEvents({ ...scenario, durationMs: 0 }, profile);
    } catch (error) {
      if (!(error instanceof ProbekitError)) throw error;
      throw new ProbekitError(
        error.code,
        `${error.message.replace(/\.$/, '')} (the script of endpoint ${index}: ${JSON.stringify(script.slice(0, 80))}).`,
        { cause: error },
      );
    }
  });
  const seeds = scripts.map((_, index) => (seed + index) >>> 0);
  // Frozen copies, so what was checked is what runs.
  const plan: FleetPlan = Object.freeze({
    scripts: Object.freeze([...scripts]),
    seeds: Object.freeze(seeds),
    options: Object.freeze({ ...options }),
    durationMs,
    profile,
    ticksPerEndpoint,
    totalTicks,
  });
  planned.add(plan);
  return plan;
}

/** The plans planFleet made: simulateFleet runs these without checking them again. */
const planned = new WeakSet<FleetPlan>();

function scriptsOf(spec: FleetSpec): readonly string[] {
  if (spec.scripts !== undefined) {
    if (spec.script !== undefined || spec.endpoints !== undefined) {
      throw invalid(
        'Failed to plan the fleet run: it has both scripts and script/endpoints. Give one script per endpoint in scripts, or one script and a number of endpoints.',
      );
    }
    if (!Array.isArray(spec.scripts) || spec.scripts.some((s) => typeof s !== 'string')) {
      throw invalid('Failed to plan the fleet run: scripts is not a list of strings. Pass ["200...", …].');
    }
    if (spec.scripts.length === 0 || spec.scripts.length > MAX_FLEET_ENDPOINTS) {
      throw invalid(
        `Failed to plan the fleet run: scripts has ${spec.scripts.length} entries. Give from 1 to ${MAX_FLEET_ENDPOINTS}.`,
      );
    }
    return spec.scripts;
  }
  if (typeof spec.script !== 'string') {
    throw invalid('Failed to plan the fleet run: it has no script. Pass script (with endpoints) or scripts.');
  }
  const endpoints = spec.endpoints ?? 1;
  if (!Number.isSafeInteger(endpoints) || endpoints < 1 || endpoints > MAX_FLEET_ENDPOINTS) {
    throw invalid(
      `Failed to plan the fleet run: endpoints ${String(endpoints)} is not a whole number from 1 to ${MAX_FLEET_ENDPOINTS}. Pass e.g. 1000.`,
    );
  }
  return new Array<string>(endpoints).fill(spec.script);
}

function scenarioOf(script: string, seed: number, options: ScenarioOptions, durationMs: number): Scenario {
  return {
    id: 'fleet',
    description: 'fleet endpoint',
    rules: [],
    level: 'core',
    options,
    script,
    seed,
    durationMs,
  };
}

/** Options for {@link simulateFleet}. */
export interface FleetRunOptions {
  /**
   * Stops the run: it rejects with the signal's reason at once. The endpoint in progress, at most
   * {@link MAX_FLEET_ENDPOINT_TICKS} ticks, finishes in the background in slices; no further one starts.
   */
  readonly signal?: AbortSignal;
  /** Called after each endpoint (e.g. for a progress line). */
  readonly onEndpoint?: (done: number, total: number) => void;
}

/**
 * Runs a fleet of endpoints, each under the reference checker (Dapr v1.0) on the discrete-event
 * simulator, in virtual time, and summarises what the signals said: per endpoint, probes,
 * `true`/`false` signals, flaps, time unhealthy and the first `false`; fleet totals and
 * nearest-rank percentiles. The same spec gives the same summary, to the millisecond.
 *
 * Bounded by {@link MAX_FLEET_ENDPOINTS}, {@link MAX_FLEET_ENDPOINT_TICKS} and
 * {@link MAX_FLEET_TICKS} (not `simulate()`'s cap, which is meant for one traced run). Yields
 * to the event loop as it goes, so I/O and Ctrl-C are served, and rejects as soon as
 * `options.signal` aborts.
 *
 * @param spec - what to run, or a plan {@link planFleet} made (run without checking it again;
 *   any other object is checked as a spec).
 * @throws {ProbekitError} as {@link planFleet}, before anything runs.
 * @example
 * const summary = await simulateFleet({
 *   script: '(200@99 | 503@1)...', endpoints: 1000, durationMs: 3_600_000, seed: 1,
 *   options: { intervalMs: 1000, initialDelayMs: 0, failureThreshold: 2 },
 * });
 * summary.totals.flaps; // flaps across the fleet in that hour
 */
export async function simulateFleet(
  spec: FleetSpec | FleetPlan,
  { signal, onEndpoint }: FleetRunOptions = {},
): Promise<FleetSummary> {
  const plan = planned.has(spec as FleetPlan) ? (spec as FleetPlan) : planFleet(spec as FleetSpec);
  const { scripts, seeds, options, durationMs, profile } = plan;
  const endpoints: FleetEndpointSummary[] = [];
  for (let index = 0; index < scripts.length; index++) {
    signal?.throwIfAborted();
    const script = scripts[index] as string;
    const seed = seeds[index] as number;
    const scenario = scenarioOf(script, seed, options, durationMs);
    const running = simulateEventsYielding(scenario, profile);
    if (running === undefined) {
      throw invalid(`Failed to simulate endpoint ${index}: its times are not whole ms. Round them.`);
    }
    const trace = signal ? await untilAborted(running, signal) : await running;
    signal?.throwIfAborted();
    endpoints.push(summarizeEndpoint(trace as Trace, index, seed, script));
    onEndpoint?.(index + 1, scripts.length);
  }
  return summarizeFleet(endpoints, durationMs, options, profile);
}

/**
 * `work`, or `undefined` as soon as `signal` aborts. One listener per call, removed after: a
 * single abort promise raced against every endpoint would keep each race's result (its whole
 * trace) reachable until the run ends (measured: 750 MB peak for 1000 endpoints × 1 h at 1 s).
 */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
  });
  signal.addEventListener('abort', onAbort, { once: true });
  // Abandoned on abort: it ends in the background, and must not become an unhandled rejection.
  work.catch(() => {});
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function summarizeEndpoint(trace: Trace, index: number, seed: number, script: string): FleetEndpointSummary {
  let failedProbes = 0;
  for (const probe of trace.probes) if (probe.success === false) failedProbes++;
  let trueSignals = 0;
  let falseSignals = 0;
  let flaps = 0;
  let unhealthyMs = 0;
  let firstFalseAt: number | null = null;
  // The signal's `at` is when the consumer got it: from the start here, so also when it was sent.
  let last: boolean | null = null;
  let falseSince = 0;
  for (const { at, value } of trace.signals) {
    if (value) {
      trueSignals++;
      if (last === false) unhealthyMs += at - falseSince;
    } else {
      falseSignals++;
      if (last === true) flaps++;
      if (firstFalseAt === null) firstFalseAt = at;
      // A false never follows a false (only a success ends a streak), but be safe: keep the first.
      if (last !== false) falseSince = at;
    }
    last = value;
  }
  if (last === false) unhealthyMs += trace.durationMs - falseSince;
  return {
    index,
    seed,
    script,
    probes: trace.probes.length,
    failedProbes,
    trueSignals,
    falseSignals,
    flaps,
    unhealthyMs,
    firstFalseAt,
    healthyAtEnd: last,
  };
}

function summarizeFleet(
  endpoints: FleetEndpointSummary[],
  durationMs: number,
  options: ScenarioOptions,
  profile: ProfileName,
): FleetSummary {
  const sum = (pick: (e: FleetEndpointSummary) => number) => endpoints.reduce((n, e) => n + pick(e), 0);
  const defaults = profileNamed(profile).defaults;
  return {
    durationMs,
    profile,
    options: {
      intervalMs: options.intervalMs ?? defaults.interval,
      initialDelayMs: options.initialDelayMs ?? defaults.initialDelay,
      requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeout,
      failureThreshold: options.failureThreshold ?? defaults.failureThreshold,
      successStatusCode: options.successStatusCode ?? defaults.successStatusCode,
    },
    endpoints,
    totals: {
      endpoints: endpoints.length,
      probes: sum((e) => e.probes),
      failedProbes: sum((e) => e.failedProbes),
      trueSignals: sum((e) => e.trueSignals),
      falseSignals: sum((e) => e.falseSignals),
      flaps: sum((e) => e.flaps),
      unhealthyMs: sum((e) => e.unhealthyMs),
      everUnhealthy: endpoints.filter((e) => e.falseSignals > 0).length,
      unhealthyAtEnd: endpoints.filter((e) => e.healthyAtEnd === false).length,
    },
    distribution: {
      probes: distribution(endpoints.map((e) => e.probes)),
      falseSignals: distribution(endpoints.map((e) => e.falseSignals)),
      flaps: distribution(endpoints.map((e) => e.flaps)),
      unhealthyMs: distribution(endpoints.map((e) => e.unhealthyMs)),
    },
  };
}

/** Nearest-rank percentiles: each is a value some endpoint actually had. */
function distribution(values: number[]): FleetDistribution {
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { min: sorted[0] ?? 0, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.at(-1) ?? 0 };
}

/**
 * The `k` endpoints that were unhealthy longest (then most flaps, most `false`s, lowest index):
 * the ones to look at in a large fleet.
 *
 * @example
 * worstEndpoints(summary, 10).map((e) => e.index);
 */
export function worstEndpoints(summary: FleetSummary, k: number): FleetEndpointSummary[] {
  return [...summary.endpoints]
    .sort(
      (a, b) =>
        b.unhealthyMs - a.unhealthyMs ||
        b.flaps - a.flaps ||
        b.falseSignals - a.falseSignals ||
        a.index - b.index,
    )
    .slice(0, Math.max(0, k));
}
