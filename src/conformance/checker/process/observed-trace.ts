import { decisionDuration } from '../../../endpoint/engine/decision.js';
import type { JournalEntry } from '../../../endpoint/engine/journal.js';
import type { TraceDiff } from '../../../scenario/compare.js';
import type { Trace, TraceOutcome, TraceProbe, TraceSignal } from '../../../scenario/types.js';

/** What a real-time run observed, in clock ms. */
export interface Observation {
  /** The run's t = 0 (clock ms): when the implementation printed `start`, or when it was spawned. */
  readonly origin: number;
  /** The requests the mock server received. */
  readonly entries: readonly JournalEntry[];
  /** The values the implementation printed, with when each line arrived (clock ms). */
  readonly signals: ReadonlyArray<{ readonly at: number; readonly value: boolean }>;
}

/** How the trace is cut and which outcomes count as too close to call. */
export interface ObservedTraceOptions {
  readonly source: string;
  readonly durationMs: number;
  /** The request timeout in force (the scenario's, or Dapr's default). */
  readonly requestTimeoutMs: number;
  /** Outcomes settled within this many ms of the probe's deadline are left out (real time cannot call them). */
  readonly tolerance: number;
}

/** The outcome a probe had, as the endpoint saw it; `undefined` while it was still pending. */
function outcomeOf(entry: JournalEntry): TraceOutcome | undefined {
  if (entry.fate === 'pending') return undefined;
  // The client went away before the endpoint was done: it gave up waiting.
  if (entry.fate === 'aborted') return 'timeout';
  switch (entry.decision.action) {
    case 'respond':
      return String(entry.decision.status);
    case 'reset':
      return 'reset';
    case 'close':
      return 'closed';
    case 'malformed':
      return 'malformed';
    default:
      return entry.decision.action;
  }
}

/**
 * Builds the trace an outsider can observe from a real-time run: one probe per request the
 * mock server received (start = arrival, end and outcome = what became of it: the decision
 * when the endpoint finished, `timeout` when the client gave up first) and one signal per
 * `true`/`false` line, all in ms since `origin`. Failure counts are unknown and left out.
 *
 * An outcome that was settled within `tolerance` of the probe's deadline (start + request
 * timeout) is left out too: which side of the deadline a response lands on is a race in real
 * time, and the signals still show what the implementation made of it.
 *
 * @example
 * const actual = observedTrace({ origin, entries: server.journal.entries(), signals },
 *   { source: 'exec: ./checker', durationMs: 450, requestTimeoutMs: 50, tolerance: 10 });
 */
export function observedTrace(observation: Observation, options: ObservedTraceOptions): Trace {
  const { origin } = observation;
  const probes = [...observation.entries]
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map((entry, index): TraceProbe => {
      const start = entry.time - origin;
      const probe: TraceProbe = { index, start };
      if (entry.endedAt !== undefined) probe.end = entry.endedAt - origin;
      const outcome = outcomeOf(entry);
      const deadline = start + options.requestTimeoutMs;
      // When the endpoint meant to be done, whichever side of the deadline it ended up on.
      const planned =
        entry.decision.action === 'hang'
          ? Number.POSITIVE_INFINITY
          : start + decisionDuration(entry.decision);
      if (outcome !== undefined && Math.abs(planned - deadline) > options.tolerance) {
        probe.outcome = outcome;
      }
      return probe;
    });
  const signals: TraceSignal[] = observation.signals.map((s) => ({ at: s.at - origin, value: s.value }));
  return { source: options.source, durationMs: options.durationMs, probes, signals };
}

/**
 * The part of an expected trace a real endpoint can see: probes that never reached it —
 * refused connections, requests never sent (`sent: false`, an unparsable address) — are
 * removed, failure counts (internal to the checker) are dropped, and a malformed response is
 * called `malformed` whichever way the trace names it.
 *
 * @example
 * compareTraces(visibleToEndpoint(scenario.expected), actual, { tolerance: 10 });
 */
export function visibleToEndpoint(expected: Trace): Trace {
  const probes = expected.probes
    .filter((p) => p.sent !== false && p.outcome !== 'refused' && p.outcome !== 'invalid-url')
    .map(({ failureCount: _count, success: _success, ...probe }, index) => {
      const visible: TraceProbe = { ...probe, index };
      // Older traces name a malformed response by the parser's code (`error:HPE_…`).
      if (probe.outcome?.startsWith('error:HPE_')) visible.outcome = 'malformed';
      return visible;
    });
  return { ...expected, probes };
}

/**
 * Re-anchors expected times that real time cannot keep absolute. A probe that starts the moment
 * the previous one ends (a stale tick taken at once) starts a round trip after the previous
 * response in real time, and over a chain of slow probes those round trips pile up (2–3 ms
 * each on loopback, more on a loaded machine). So such a probe is expected at the end of the
 * previous probe *as the endpoint saw it*, and a signal the checker sends when a probe ends is
 * expected at that probe's observed end. Times on the ticker's grid, the initial delay or the
 * consumer's own read delay stay absolute. The ends used as anchors are the endpoint's own
 * (a response it finished) or checked by {@link timeoutDiffs} (a client that gave up).
 *
 * Probes are matched by position; a trace with a missing or extra probe fails anyway.
 *
 * @example
 * const anchored = anchorOnObservedEnds(visibleToEndpoint(expected), actual);
 * const diffs = compareTraces(anchored, actual, { tolerance });
 */
export function anchorOnObservedEnds(expected: Trace, actual: Trace): Trace {
  const probes = expected.probes.map((p) => ({ ...p }));
  for (let i = 1; i < probes.length; i++) {
    const previous = expected.probes[i - 1] as TraceProbe;
    const observedPrevious = actual.probes[i - 1];
    const probe = probes[i] as TraceProbe;
    const original = expected.probes[i] as TraceProbe;
    if (previous.end === undefined || original.start !== previous.end) continue;
    if (observedPrevious?.end === undefined) continue;
    const shift = observedPrevious.end - original.start;
    probe.start = original.start + shift;
    if (original.end !== undefined) probe.end = original.end + shift;
  }
  const signals = expected.signals.map((signal) => {
    // A signal read late was timed by the consumer's own clock: it stays where it is.
    if (signal.emittedAt !== undefined) return { ...signal };
    let anchor: number | undefined;
    expected.probes.forEach((p, i) => {
      const observedEnd = actual.probes[i]?.end;
      if (p.end === signal.at && observedEnd !== undefined) anchor = observedEnd;
    });
    return anchor === undefined ? { ...signal } : { ...signal, at: anchor };
  });
  return { ...expected, probes, signals };
}

/**
 * Checks when the client gave up on each probe that timed out: about `requestTimeoutMs` after
 * the request arrived. (The end of a timed-out probe is the implementation's doing, and
 * {@link anchorOnObservedEnds} relies on it.)
 *
 * @example
 * timeoutDiffs(actual, 50, 10); // [] when every timeout came 40–60 ms after its request
 */
export function timeoutDiffs(actual: Trace, requestTimeoutMs: number, tolerance: number): TraceDiff[] {
  const diffs: TraceDiff[] = [];
  for (const probe of actual.probes) {
    if (probe.outcome !== 'timeout' || probe.end === undefined) continue;
    const deadline = probe.start + requestTimeoutMs;
    if (Math.abs(probe.end - deadline) <= tolerance) continue;
    diffs.push({
      kind: 'probe-time',
      index: probe.index,
      at: deadline,
      expected: `gives up at ${round(deadline)}ms (request at ${round(probe.start)}ms + timeout ${requestTimeoutMs}ms)`,
      actual: `gave up at ${round(probe.end)}ms`,
    });
  }
  return diffs;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
