import { step as counterStep, INITIAL_COUNTER } from '../../../checker/counter.js';
import { profileNamed, REFERENCE_PROFILE } from '../../../checker/profiles/catalogue.js';
import { createLoop } from '../../../checker/profiles/machines.js';
import { decisionDuration } from '../../../endpoint/engine/decision.js';
import type { JournalEntry } from '../../../endpoint/engine/journal.js';
import { align, changes } from '../../../scenario/align.js';
import type { TraceDiff } from '../../../scenario/compare.js';
import type { Trace, TraceOutcome, TraceProbe, TraceSignal } from '../../../scenario/types.js';

/**
 * One probe as the behaviour judge sees it: what the implementation could have received. A
 * response that finished near the client's deadline could have been either in time or too late,
 * and a probe no endpoint could see, behind a stalled loop, may not have been made: such probes
 * have two possible outcomes, and the judge takes the reading that explains the printed values.
 */
export interface SeenProbe {
  /** ms since the run's t = 0 (the request's arrival, or the expected time of an invisible probe). */
  readonly start: number;
  /** When its outcome was known to the endpoint (absent for invisible probes). */
  readonly end?: number;
  /** The outcomes it may have had: one, or two when real time cannot call it. */
  readonly outcomes: readonly TraceOutcome[];
  /** `false` for probes that never reach an endpoint (refused, never sent), taken from the expected trace. */
  readonly visible: boolean;
  /** The endpoint was still waiting for the client at the cut (a hang nobody gave up on). */
  readonly pending?: boolean;
  /** The earliest the client may have sent it: the arrival, or the reference's time if that is earlier. */
  readonly earliest?: number;
}

/** What the behaviour judge needs to know about the run. */
export interface BehaviourContext {
  readonly durationMs: number;
  readonly requestTimeoutMs: number;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
  /**
   * The Dapr version whose counter derives the values (default `dapr-1.0`): its loop machine,
   * replayed over the outcomes in order (src/checker/profiles/).
   */
  readonly profile?: string;
  /** `dapr-1.13`'s interval while unhealthy (the replay needs whole settings). */
  readonly intervalForReplay?: number;
  /** ms from t = 0 before the consumer reads (0: at once). */
  readonly readDelayMs: number;
  readonly tolerance: number;
  /** The path the checker was told to probe (a request for any other path was not a probe). */
  readonly probePath: string;
  /** The checker's interval (ms): how late in the run a value may still be caused and not printed. */
  readonly intervalMs: number;
}

/**
 * Until when a value the counter emits must have been printed: a process stalled on a busy
 * machine prints late, and near the end of the run "late" is "after the cut". So a missing value
 * caused in the last half interval (at most 50 ms, at least the tolerance) is not held against
 * the implementation; an extra one is, up to the last tolerance.
 */
function missingCut(context: BehaviourContext): number {
  return context.durationMs - Math.max(context.tolerance, Math.min(context.intervalMs / 2, 50));
}

/** A signal the reference counter emits for the outcomes seen, with the probe that caused it. */
export interface DerivedSignal extends TraceSignal {
  /** Index into the seen probes. */
  readonly cause: number;
}

/** The verdict on what the implementation did with what it saw. */
export interface BehaviourVerdict {
  readonly diffs: TraceDiff[];
  /** The probes it saw, in order (visible and invisible). */
  readonly seen: readonly SeenProbe[];
  /** The signals the reference counter emits for them (the chosen reading of any race). */
  readonly derived: readonly DerivedSignal[];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function pathOf(entry: JournalEntry): string {
  const q = entry.path.indexOf('?');
  return q === -1 ? entry.path : entry.path.slice(0, q);
}

/** A reading in which a probe no endpoint could see was never made (its loop was stalled). */
const ABSENT = 'not made';

/** Probes an endpoint never sees: refused connections, requests never sent. */
function isInvisible(probe: TraceProbe): boolean {
  return probe.sent === false || probe.outcome === 'refused' || probe.outcome === 'invalid-url';
}

/**
 * How close to the client's deadline a response must land for real time not to call it: the
 * tolerance, and at least 20 ms (or 40% of a shorter timeout), since a stalled process on a busy
 * machine wakes up with both the response and its timer due, and may take either.
 */
function outcomeBand(context: BehaviourContext): number {
  return Math.max(context.tolerance, Math.min(20, 0.4 * context.requestTimeoutMs));
}

/**
 * The outcomes a request may have had for the client, from what the endpoint did and when. The
 * endpoint's side is exact (the journal); the client's is not visible. The client started the
 * probe at or before the request arrived — as late as the arrival, or as early as the reference
 * schedule has it (`expectedStart`) when the request came later than that: a stalled endpoint
 * process, or a slow connection, delays the arrival but not the client's deadline. So a response
 * counts as in time only if it beat the earliest such deadline, as too late only if it missed the
 * latest, each by a margin ({@link outcomeBand}); between the two it may have been either. `undefined`: still in
 * flight at the cut, too close to call — the judgement stops there.
 */
function outcomesOf(
  entry: JournalEntry,
  origin: number,
  expectedStart: number | undefined,
  context: BehaviourContext,
): TraceOutcome[] | undefined {
  const start = entry.time - origin;
  const band = outcomeBand(context);
  const latestDeadline = start + context.requestTimeoutMs;
  const earliestDeadline = Math.min(start, expectedStart ?? start) + context.requestTimeoutMs;
  // A net/http client (v0.6, v1.10.5+) has the status once the headers are in: a hang-up
  // mid-body (its deadline cut the drain, or v1.13 closed the body unread) came after it.
  const decision = entry.decision;
  const headersAt =
    profileNamed(context.profile ?? REFERENCE_PROFILE).client.settleAt === 'headers' &&
    decision.action === 'respond'
      ? start + decision.delay + (decision.dribble === 'headers' ? decision.over : 0)
      : undefined;
  const hadHeaders =
    headersAt !== undefined && entry.endedAt !== undefined && entry.endedAt - origin >= headersAt;
  if (entry.fate === 'aborted' && !hadHeaders) return ['timeout'];
  if (entry.fate === 'pending' || entry.endedAt === undefined) {
    return latestDeadline <= context.durationMs - band ? ['timeout'] : undefined;
  }
  // The answer went out no earlier than planned and no later than the endpoint saw it finish
  // (a stalled endpoint records the end late, after the client already had it).
  const end = hadHeaders ? Math.min(entry.endedAt - origin, headersAt) : entry.endedAt - origin;
  const planned = headersAt ?? start + decisionDuration(decision);
  const outcome = decision.action === 'respond' ? String(decision.status) : decision.action;
  const named = outcome === 'close' ? 'closed' : outcome;
  if (end < earliestDeadline - band) return [named];
  if (Math.min(planned, end) > latestDeadline + band) return ['timeout'];
  return [named, 'timeout'];
}

/**
 * The probes an implementation saw, in order: one per request the endpoint received for the
 * probed path (with what the endpoint did), plus the probes no endpoint can see — refused
 * connections and requests never sent — taken from the expected trace at their expected times
 * (their number follows from the schedule; fixtures keep refusal edges away from ticks).
 * Requests for other paths are returned apart: a checker that follows a redirect makes them.
 *
 * @example
 * const { seen, others } = seenProbes(entries, origin, expected, context);
 */
export function seenProbes(
  entries: readonly JournalEntry[],
  origin: number,
  expected: Trace,
  context: BehaviourContext,
): { seen: SeenProbe[]; others: JournalEntry[]; horizon: number } {
  const sorted = [...entries].sort((a, b) => a.time - b.time || a.index - b.index);
  const expectedVisible = expected.probes.filter((p) => !isInvisible(p));
  const seen: SeenProbe[] = [];
  const others: JournalEntry[] = [];
  let horizon = context.durationMs;
  const client = profileNamed(context.profile ?? REFERENCE_PROFILE).client;
  for (const entry of sorted) {
    const last = seen.at(-1);
    if (pathOf(entry) !== context.probePath) {
      // A client that follows redirects makes the hop within the probe: its answer is the probe's.
      if (client.followRedirects > 0 && last?.visible && last.outcomes.some((o) => /^3\d\d$/.test(o))) {
        const hop = outcomesOf(entry, origin, undefined, context);
        if (hop) {
          const end = entry.endedAt === undefined ? last.end : entry.endedAt - origin;
          seen[seen.length - 1] = { ...last, outcomes: hop, ...(end === undefined ? {} : { end }) };
          continue;
        }
      }
      others.push(entry);
      continue;
    }
    // Go's net/http sends a GET again, on a new connection, when a reused one failed before the
    // first byte: the request right after a reset or close is the same probe's retry.
    if (
      client.reusedConnectionFailure === 'retry' &&
      last?.visible &&
      last.end !== undefined &&
      last.outcomes.every((o) => o === 'reset' || o === 'closed') &&
      entry.time - origin - last.end <= context.tolerance
    ) {
      const retried = outcomesOf(entry, origin, last.start, context);
      if (retried) {
        const end =
          entry.endedAt === undefined ? last.start + context.requestTimeoutMs : entry.endedAt - origin;
        seen[seen.length - 1] = { ...last, outcomes: retried, end };
        continue;
      }
    }
    // The k-th request stands for the reference's k-th probe an endpoint can see.
    const outcomes = outcomesOf(entry, origin, expectedVisible[seen.length]?.start, context);
    const start = entry.time - origin;
    if (!outcomes) {
      // Undecided at the cut: nothing from here on can be judged.
      horizon = Math.min(horizon, start);
      break;
    }
    // A request still pending past its deadline ended, for the client, at the deadline.
    const end = entry.endedAt === undefined ? start + context.requestTimeoutMs : entry.endedAt - origin;
    seen.push({
      start,
      end,
      outcomes,
      visible: true,
      ...(entry.fate === 'pending' ? { pending: true } : {}),
      earliest: Math.min(start, expectedVisible[seen.length]?.start ?? start),
    });
  }
  const visibleSeen = [...seen];
  for (const probe of expected.probes) {
    if (!isInvisible(probe) || probe.start >= horizon) continue;
    const outcome = probe.outcome ?? 'refused';
    // The reference's next probe an endpoint sees, and the request that stands for it: if that
    // came late, the checker's loop was stalled, and ticks due meanwhile were dropped — this
    // probe may never have been made.
    const next = expectedVisible.findIndex((p) => p.start > probe.start);
    const standIn = next === -1 ? undefined : visibleSeen[next];
    const stalled =
      standIn !== undefined &&
      standIn.start - (expectedVisible[next]?.start ?? standIn.start) > outcomeBand(context);
    seen.push({ start: probe.start, outcomes: stalled ? [outcome, ABSENT] : [outcome], visible: false });
  }
  seen.sort((a, b) => a.start - b.start);
  return { seen, others, horizon };
}

/** Runs the reference counter over one reading of the outcomes. */
function derive(
  seen: readonly SeenProbe[],
  choice: readonly number[],
  context: BehaviourContext,
): DerivedSignal[] {
  const emitted = signalReplay(context);
  const signals: DerivedSignal[] = [];
  seen.forEach((probe, index) => {
    const outcome = probe.outcomes[choice[index] ?? 0] as TraceOutcome;
    if (outcome === ABSENT) return;
    // The consumer has it once it was emitted and the consumer reads.
    const at = Math.max(probe.end ?? probe.start, context.readDelayMs);
    for (const value of emitted(outcome)) signals.push({ at, value, cause: index });
  });
  return signals;
}

/**
 * The values a checker emits for each outcome in turn: Dapr v1.0's counter, or the profile's
 * loop machine replayed over the outcomes alone (its values depend on the outcomes' order, not
 * on when they came; a value it sends is taken as read at once, so v1.13 moves on to its next
 * phase).
 */
function signalReplay(context: BehaviourContext): (outcome: TraceOutcome) => readonly boolean[] {
  const profile = profileNamed(context.profile ?? REFERENCE_PROFILE);
  if (profile.name === REFERENCE_PROFILE) {
    let state = INITIAL_COUNTER;
    return (outcome) => {
      const next = counterStep(
        state,
        outcome === String(context.successStatusCode),
        context.failureThreshold,
      );
      state = next.state;
      return next.signal === undefined ? [] : [next.signal];
    };
  }
  const loop = createLoop(profile.loop, {
    initialDelay: 0,
    interval: context.intervalMs,
    failureThreshold: context.failureThreshold,
    successStatusCode: context.successStatusCode,
    unhealthyInterval: context.intervalForReplay ?? profile.defaults.unhealthyInterval,
  });
  loop.on({ kind: 'start' });
  let probe = 0;
  return (outcome) => {
    const status = /^\d{3}$/.test(outcome) ? Number(outcome) : undefined;
    const values: boolean[] = [];
    const pending = [...loop.on({ kind: 'probe-end', probe: probe++, result: { status } })];
    while (pending.length > 0) {
      const command = pending.shift();
      if (command?.kind !== 'send') continue;
      values.push(command.value);
      if (command.blocking) pending.push(...loop.on({ kind: 'sent' }));
    }
    return values;
  };
}

/** The readings of the races among the outcomes (at most 2^10; beyond that, the first reading of the rest). */
function* readings(seen: readonly SeenProbe[]): Generator<number[]> {
  const open = seen.flatMap((p, i) => (p.outcomes.length > 1 ? [i] : [])).slice(0, 10);
  for (let mask = 0; mask < 1 << open.length; mask++) {
    const choice = seen.map(() => 0);
    open.forEach((probeIndex, bit) => {
      choice[probeIndex] = (mask >> bit) & 1;
    });
    yield choice;
  }
}

interface Alignment {
  readonly derived: DerivedSignal[];
  readonly steps: ReturnType<typeof align>;
  /** Unmatched values before the end window, and matched values printed before their cause. */
  readonly edits: number;
  /** How far apart matched values are in time, in all: among readings as good, the closer wins. */
  readonly time: number;
}

/** Whether a printed value comes before the earliest its cause's request may have been sent. */
function beforeCause(
  seen: readonly SeenProbe[],
  derived: DerivedSignal,
  printed: TraceSignal,
  tolerance: number,
): boolean {
  const cause = seen[derived.cause] as SeenProbe;
  return cause.visible && printed.at < (cause.earliest ?? cause.start) - tolerance;
}

function alignSignals(
  seen: readonly SeenProbe[],
  derived: DerivedSignal[],
  actual: readonly TraceSignal[],
  context: BehaviourContext,
): Alignment {
  const steps = align(derived.length, actual.length, (i, j) => {
    const d = derived[i] as DerivedSignal;
    const a = actual[j] as TraceSignal;
    return d.value === a.value ? { edits: 0, time: Math.abs(d.at - a.at) } : undefined;
  });
  const cut = context.durationMs - context.tolerance;
  let edits = 0;
  let time = 0;
  for (const { e, a } of steps) {
    if (e !== undefined && a !== undefined) {
      const d = derived[e] as DerivedSignal;
      const printed = actual[a] as TraceSignal;
      time += Math.abs(d.at - printed.at);
      if (beforeCause(seen, d, printed, context.tolerance)) edits++;
      continue;
    }
    if (
      e !== undefined
        ? (derived[e] as DerivedSignal).at <= missingCut(context)
        : (actual[a as number] as TraceSignal).at <= cut
    ) {
      edits++;
    }
  }
  return { derived, steps, edits, time };
}

function describeOutcomes(seen: readonly SeenProbe[], choice: readonly number[]): string {
  const shown = seen.slice(0, 12).map((p, i) => `${p.outcomes[choice[i] ?? 0]}${p.visible ? '' : '*'}`);
  return `${shown.join(', ')}${seen.length > 12 ? `, … (${seen.length} in all)` : ''}`;
}

/**
 * Judges behaviour, not the clock: the signals an implementation printed against the signals
 * Dapr v1.0's counter emits for the outcomes the implementation *actually received* (the mock's
 * journal says what it did for each request), in order, each printed after the probe that caused
 * it. A probe that starts 20 ms late changes nothing here; a wrong count, a missing or extra
 * signal always shows. A response that landed within the tolerance of the request timeout counts
 * either way (the reading that explains the printed signals best is taken), and so do signals
 * and probes in the last `tolerance` ms of the run. A request for a path other than the probed
 * one is a followed redirect.
 *
 * @example
 * const verdict = judgeBehaviour(entries, origin, signals, expected, context);
 * if (verdict.diffs.length) console.log(verdict.diffs[0]);
 */
export function judgeBehaviour(
  entries: readonly JournalEntry[],
  origin: number,
  actual: readonly TraceSignal[],
  expected: Trace,
  context: BehaviourContext,
): BehaviourVerdict & { explanation: string[] } {
  const { seen, others } = seenProbes(entries, origin, expected, context);
  let best: (Alignment & { choice: number[] }) | undefined;
  for (const choice of readings(seen)) {
    const candidate = alignSignals(seen, derive(seen, choice, context), actual, context);
    const better =
      !best || candidate.edits < best.edits || (candidate.edits === best.edits && candidate.time < best.time);
    if (better) best = { ...candidate, choice };
  }
  const chosen = best as Alignment & { choice: number[] };
  const diffs: TraceDiff[] = [];
  for (const entry of others) {
    const arrived = entry.time - origin;
    if (arrived > context.durationMs - context.tolerance) continue;
    // A followed redirect was decided when the 3xx it follows came back: date it there.
    const before = seen.findLast((p) => p.visible && p.start <= arrived);
    const redirected = before !== undefined && /^3\d\d$/.test(before.outcomes[0] ?? '');
    const at = redirected && before.end !== undefined && before.end <= arrived ? before.end : arrived;
    diffs.push({
      kind: 'other-request',
      index: entry.index,
      at,
      expected: `no request but for ${context.probePath} (3xx responses are not followed)`,
      actual: `GET ${entry.path} at ${round(arrived)}ms: a followed redirect, or a request for another path`,
    });
  }
  const cut = context.durationMs - context.tolerance;
  const derived = chosen.derived;
  const near = (e: number, a: number) =>
    Math.abs((derived[e] as DerivedSignal).at - (actual[a] as TraceSignal).at) <=
    Math.max(context.tolerance, 1);
  for (const change of changes(chosen.steps, near)) {
    if (change.kind === 'pair') {
      const d = derived[change.e] as DerivedSignal;
      const s = actual[change.a] as TraceSignal;
      const cause = seen[d.cause] as SeenProbe;
      // The line cannot come before the client sent the request that caused it: at the latest
      // when it arrived, at the earliest when the reference schedule sends it (a stalled
      // endpoint stamps the arrival late).
      if (beforeCause(seen, d, s, context.tolerance)) {
        diffs.push({
          kind: 'signal-before-cause',
          index: change.a,
          at: s.at,
          expected: `${d.value} after the probe at ${round(cause.start)}ms that causes it`,
          actual: `${s.value} at ${round(s.at)}ms`,
        });
      }
      continue;
    }
    if (change.kind === 'changed') {
      const d = derived[change.e] as DerivedSignal;
      const s = actual[change.a] as TraceSignal;
      if (Math.min(d.at, s.at) > cut) continue;
      diffs.push({
        kind: 'signal-value',
        index: change.a,
        at: Math.min(d.at, s.at),
        expected: `${d.value} (${causeText(seen, d)})`,
        actual: `${s.value} at ${round(s.at)}ms`,
      });
      continue;
    }
    if (change.kind === 'missing') {
      const d = derived[change.e] as DerivedSignal;
      if (d.at > missingCut(context)) continue;
      diffs.push({
        kind: 'missing-signal',
        index: change.e,
        at: d.at,
        expected: `${d.value} (${causeText(seen, d)})`,
        actual: 'no signal',
      });
      continue;
    }
    const s = actual[change.a] as TraceSignal;
    if (s.at > cut) continue;
    diffs.push({
      kind: 'extra-signal',
      index: change.a,
      at: s.at,
      expected: 'no signal',
      actual: `${s.value} at ${round(s.at)}ms${precedingText(seen, s.at)}`,
    });
  }
  const explanation = [
    `from the outcomes it received (${describeOutcomes(seen, chosen.choice)}${seen.some((p) => !p.visible) ? '; * never reached the endpoint' : ''}),`,
    `${counterName(context)} (threshold ${context.failureThreshold}, success ${context.successStatusCode}) emits: ${
      derived.map((d) => String(d.value)).join(', ') || 'nothing'
    }`,
  ];
  return { diffs, seen, derived, explanation };
}

function counterName(context: BehaviourContext): string {
  const name = profileNamed(context.profile ?? REFERENCE_PROFILE).name;
  return name === REFERENCE_PROFILE ? "Dapr v1.0's counter" : `${name}'s loop`;
}

function causeText(seen: readonly SeenProbe[], signal: DerivedSignal): string {
  const cause = seen[signal.cause] as SeenProbe;
  const when = cause.end ?? cause.start;
  return `after the probe at ${round(cause.start)}ms, done at ${round(when)}ms`;
}

/** What the implementation had last seen when it printed a value, to explain an extra one. */
function precedingText(seen: readonly SeenProbe[], at: number): string {
  let last: SeenProbe | undefined;
  for (const probe of seen) if ((probe.end ?? probe.start) <= at) last = probe;
  return last
    ? ` (after a ${last.outcomes.join(' or ')} at ${round(last.start)}ms)`
    : ' (before any probe ended)';
}
