import { DEFAULTS } from '../../../checker/options.js';
import { profileNamed, REFERENCE_PROFILE } from '../../../checker/profiles/catalogue.js';
import { compareTraces, sortDiffs, type TraceDiff } from '../../../scenario/compare.js';
import type { Scenario, Trace, TraceSignal } from '../../../scenario/types.js';
import { type BehaviourContext, type DerivedSignal, judgeBehaviour, type SeenProbe } from './behaviour.js';
import {
  anchorOnObservedEnds,
  type Observation,
  observedTrace,
  timeoutDiffs,
  visibleToEndpoint,
} from './observed-trace.js';

/** Everything a real-time case is judged on. */
export interface VerdictInput {
  /** The scenario as run (scaled). */
  readonly scenario: Scenario;
  /** The reference trace for it (scaled), invisible probes included. */
  readonly expected: Trace;
  readonly observation: Observation;
  readonly tolerance: number;
  readonly requestTimeoutMs: number;
  /** The path the implementation was told to probe. */
  readonly probePath: string;
  /** Names the implementation in the observed trace. */
  readonly source: string;
  /**
   * The Dapr version the run is judged as (default `dapr-1.0`). Behaviour is derived by that
   * profile's loop; the stall and blocking rules apply to the versions whose one loop blocks on
   * a channel of one (v0.6–v1.10.4) and are left out for the others.
   */
  readonly profile?: string;
}

/** The differences found, and what a report shows around them. */
export interface Verdict {
  /** Behaviour first, then timing-only, earliest first. */
  readonly diffs: TraceDiff[];
  /** What was observed: requests the endpoint saw, values the implementation printed. */
  readonly actual: Trace;
  /** The fixture's own expected events, as far as an endpoint can see them. */
  readonly shownExpected: Trace;
  /** How the expected signals were derived, for a behaviour failure. */
  readonly explanation: string[];
}

/**
 * Blocking on an unread signal (Dapr's channel of one): with the consumer reading late, the
 * second signal cannot be handed over, so no request may arrive after the probe that caused it
 * until the consumer's first read (the first line it printed). And the consumer must not read
 * before its read delay, or nothing is being tested.
 */
function judgeBlocking(
  seen: readonly SeenProbe[],
  derived: readonly DerivedSignal[],
  actual: readonly TraceSignal[],
  context: BehaviourContext,
): TraceDiff[] {
  if (context.readDelayMs <= 0) return [];
  const diffs: TraceDiff[] = [];
  const firstRead = actual[0]?.at ?? Number.POSITIVE_INFINITY;
  if (firstRead < context.readDelayMs - context.tolerance) {
    diffs.push({
      kind: 'read-too-early',
      index: 0,
      at: firstRead,
      expected: `the first read at ${context.readDelayMs}ms (PROBEKIT_READ_DELAY_MS) or later`,
      actual: `a value printed at ${Math.round(firstRead)}ms`,
    });
  }
  const window = blockedWindow(seen, derived, actual, context);
  if (!window) return diffs;
  const cause = seen[(derived[1] as DerivedSignal).cause] as SeenProbe;
  const blockedFrom = window.from;
  const blockedUntil = Math.min(window.until, context.durationMs) - context.tolerance;
  if (blockedFrom >= blockedUntil) return diffs;
  const during = seen.find((p) => p.visible && p.start > cause.start && p.start < blockedUntil);
  if (during) {
    diffs.push({
      kind: 'probe-while-blocked',
      index: seen.indexOf(during),
      at: during.start,
      expected: `no probe from ${Math.round(blockedFrom)}ms (the second unread signal blocks the loop) until the first read${
        Number.isFinite(firstRead) ? ` at ${Math.round(firstRead)}ms` : ''
      }`,
      actual: `a probe at ${Math.round(during.start)}ms`,
    });
  }
  return diffs;
}

/**
 * Judges one real-time run by the scenario's level. Every level judges **behaviour**: the
 * printed signals against what Dapr v1.0's counter emits for the responses the implementation
 * actually received, in order and after their causes (see {@link judgeBehaviour}) — noise in
 * the schedule cannot flip it. `timing` adds the **schedule**: probe times (first tick, dropped
 * and stale ticks) and when timed-out probes were given up, within the tolerance.
 * `backpressure` adds **blocking**: no probe while a second signal waits to be read.
 *
 * @example
 * const { diffs, actual } = judgeRun({ scenario, expected, observation, tolerance: 10,
 *   requestTimeoutMs: 50, probePath: '/healthz', source: 'exec: ./checker' });
 */
export function judgeRun(input: VerdictInput): Verdict {
  const { scenario, expected, observation, tolerance, requestTimeoutMs } = input;
  const actual = observedTrace(observation, {
    source: input.source,
    durationMs: scenario.durationMs,
    requestTimeoutMs,
    tolerance,
  });
  const shownExpected = visibleToEndpoint(expected);
  const profile = profileNamed(input.profile ?? REFERENCE_PROFILE);
  // The stall and blocking rules are about one loop that blocks on a channel of one: Dapr
  // v0.6–v1.10.4. A goroutine per tick (v1.10.5), an unbuffered channel (v1.13) or a callback
  // (the app health checker) block differently, and are judged on behaviour and coverage.
  const channelOfOne = profile.loop.kind === 'sequential';
  const context: BehaviourContext = {
    durationMs: scenario.durationMs,
    requestTimeoutMs,
    failureThreshold: scenario.options.failureThreshold ?? profile.defaults.failureThreshold,
    successStatusCode: scenario.options.successStatusCode ?? profile.defaults.successStatusCode,
    readDelayMs: scenario.readDelayMs ?? 0,
    tolerance,
    probePath: input.probePath,
    intervalMs: scenario.options.intervalMs ?? profile.defaults.interval,
    profile: profile.name,
  };
  const behaviour = judgeBehaviour(
    observation.entries,
    observation.origin,
    actual.signals,
    expected,
    context,
  );
  const diffs = [
    ...behaviour.diffs,
    ...coverageDiffs(behaviour.seen, shownExpected, scenario, tolerance, requestTimeoutMs),
    ...(channelOfOne ? stallDiffs(behaviour.seen, behaviour.derived, actual.signals, context, scenario) : []),
  ];
  if (channelOfOne && (scenario.level === 'backpressure' || context.readDelayMs > 0)) {
    diffs.push(...judgeBlocking(behaviour.seen, behaviour.derived, actual.signals, context));
  }
  if (scenario.level === 'timing') {
    const schedule = compareTraces(anchorOnObservedEnds(shownExpected, actual), actual, { tolerance }).filter(
      (d) => d.kind.endsWith('probe') || d.kind === 'probe-time' || d.kind === 'probe-outcome',
    );
    diffs.push(...schedule, ...timeoutDiffs(actual, requestTimeoutMs, tolerance));
  }
  return { diffs: sortDiffs(diffs), actual, shownExpected, explanation: behaviour.explanation };
}

/**
 * A checker that stops probing cannot be judged by its signals alone (it has nothing to say), so
 * behaviour also needs the probes: about as many requests as the reference makes up to one
 * interval before the end, less a few that a stalled process may push past the cut.
 */
function coverageDiffs(
  seen: readonly SeenProbe[],
  shownExpected: Trace,
  scenario: Scenario,
  tolerance: number,
  requestTimeoutMs: number,
): TraceDiff[] {
  const interval = scenario.options.intervalMs ?? DEFAULTS.interval;
  const visible = seen.filter((p) => p.visible);
  // A request the client never gave up on, long past its deadline: the timeout is not enforced
  // (a stall would have to last a whole interval more to look like this).
  const last = visible.at(-1);
  const givenUpBy =
    last === undefined ? Number.POSITIVE_INFINITY : last.start + requestTimeoutMs + Math.max(interval, 100);
  if (last?.pending === true && givenUpBy < scenario.durationMs - tolerance) {
    return [
      {
        kind: 'missing-probe',
        index: visible.length,
        at: givenUpBy,
        expected: `the request at ${Math.round(last.start)}ms given up at ${Math.round(last.start + requestTimeoutMs)}ms (request timeout ${requestTimeoutMs} ms), and probing going on`,
        actual: `it was still waiting for the client at the cut, ${Math.round(scenario.durationMs - last.start)} ms after it arrived (is the request timeout enforced?)`,
      },
    ];
  }
  const horizon = scenario.durationMs - interval - tolerance;
  const expected = shownExpected.probes.filter((p) => p.start <= horizon);
  // Slack for probes a stalled process pushed past the cut: two, or a quarter of a long run.
  const slack = Math.max(2, Math.floor(expected.length / 4));
  if (visible.length >= expected.length - slack) return [];
  const firstMissing = expected[visible.length] ?? expected[expected.length - 1];
  return [
    {
      kind: 'missing-probe',
      index: visible.length,
      at: firstMissing?.start ?? 0,
      expected: `at least ${expected.length - slack} requests by ${Math.round(horizon)}ms (the reference makes ${expected.length})`,
      actual: `${visible.length} request${visible.length === 1 ? '' : 's'} in the whole run`,
    },
  ];
}

/**
 * When the loop may wait without probing: from the probe that caused the second signal the
 * consumer has not read (a channel of one holds the first) until the consumer's first read.
 */
function blockedWindow(
  seen: readonly SeenProbe[],
  derived: readonly DerivedSignal[],
  actual: readonly TraceSignal[],
  context: BehaviourContext,
): { from: number; until: number } | undefined {
  const firstRead = actual[0]?.at ?? Number.POSITIVE_INFINITY;
  const second = derived[1];
  if (context.readDelayMs <= 0 || !second) return undefined;
  const cause = seen[second.cause] as SeenProbe;
  const from = cause.end ?? cause.start;
  return from < firstRead ? { from, until: firstRead } : undefined;
}

/**
 * A loop that waits for the consumer although nothing blocks it (no second unread signal) is a
 * behaviour difference the signals may not show: Dapr v1.1 re-sends `false` on every failure and
 * blocks where v1.0 probes on. Seen from outside: a gap of more than two intervals after which
 * the next request comes right after the consumer's first read (the read released the loop). A
 * gap that ends anywhere else is a stalled process on a busy machine, which behaviour ignores
 * (a checker that stops probing for good fails the coverage rule instead).
 */
function stallDiffs(
  seen: readonly SeenProbe[],
  derived: readonly DerivedSignal[],
  actual: readonly TraceSignal[],
  context: BehaviourContext,
  scenario: Scenario,
): TraceDiff[] {
  const firstRead = actual[0]?.at;
  if (context.readDelayMs <= 0 || firstRead === undefined) return [];
  const interval = scenario.options.intervalMs ?? DEFAULTS.interval;
  const blocked = blockedWindow(seen, derived, actual, context);
  const released = Math.max(2 * context.tolerance, 20);
  for (let k = 0; k + 1 < seen.length; k++) {
    // Invisible probes (refused, never sent) stand at their expected times: they keep the loop going too.
    const probe = seen[k] as SeenProbe;
    const next = seen[k + 1] as SeenProbe;
    const end = probe.end ?? probe.start;
    if (next.start - end <= 2 * interval) continue;
    if (next.start < firstRead - context.tolerance || next.start > firstRead + released) continue;
    if (blocked && end >= blocked.from - context.tolerance) continue;
    return [
      {
        kind: 'missing-probe',
        index: k + 1,
        at: end + interval,
        expected: `a probe within ${interval} ms of the end of the one at ${Math.round(probe.start)}ms (nothing blocks the loop: no second unread signal)`,
        actual: `the next probe at ${Math.round(next.start)}ms, right after the first read at ${Math.round(firstRead)}ms: the loop waited for the consumer`,
      },
    ];
  }
  return [];
}
