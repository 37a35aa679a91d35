import { type CounterState, INITIAL_COUNTER, step } from '../checker/counter.js';
import { DEFAULTS } from '../checker/options.js';
import { type CheckerProfile, profileNamed } from '../checker/profiles/catalogue.js';
import type { Trace, TraceProbe } from '../scenario/types.js';

/** How a probe ended, as the pictures colour it. */
export type ProbeClass = 'success' | 'failure' | 'timeout' | 'error' | 'inflight' | 'unknown';

/**
 * A probe class in words, for summaries and legends.
 *
 * @example
 * PROBE_CLASS_LABEL.error; // 'no response'
 */
export const PROBE_CLASS_LABEL: Readonly<Record<ProbeClass, string>> = {
  success: 'success',
  failure: 'bad status',
  timeout: 'timeout',
  error: 'no response',
  inflight: 'in flight',
  unknown: 'not reported',
};

/** Which counter rule a probe applied (see `step()` in src/checker/counter.ts). */
export type CounterRule = 'success' | 'streak-reached' | 'streak-continues';

/** One probe, with what the renderers need to draw and explain it. Times are ms since the start. */
export interface ProbeView {
  /** 1-based, as people count (the trace's `index` is 0-based). */
  readonly number: number;
  readonly start: number;
  /** When the outcome was known; absent when the probe was still running at the end, or not reported. */
  readonly end: number | undefined;
  readonly outcome: string | undefined;
  readonly success: boolean | undefined;
  readonly failureCount: number | undefined;
  readonly class: ProbeClass;
  readonly rule: CounterRule | undefined;
  /** The due time of the tick this probe took, when the trace has ticks. */
  readonly tick: number | undefined;
  /** The signal this probe emitted by the counter rule, when the trace reports counters. */
  readonly emitted: boolean | undefined;
  /** False when the checker failed the probe without sending a request (requestTimeout 0, a bad URL). */
  readonly sent: boolean;
  /** Requests the endpoint saw for this probe: more than 1 when a redirect was followed or a GET sent again. */
  readonly requests?: number;
  /** The row this probe is drawn on: 0, or more when it overlaps earlier probes (a goroutine per tick). */
  readonly row?: number;
}

/** A value the loop sent into the channel. */
export interface EmissionView {
  readonly at: number;
  readonly value: boolean;
  /** The 1-based number of the probe that emitted it, when known. */
  readonly probe: number | undefined;
  /** When the consumer received it; absent when it was still unread at the end. */
  readonly deliveredAt: number | undefined;
  /** The blocked period this send caused (the channel of one was full). */
  readonly blocked: { readonly from: number; readonly to: number | undefined } | undefined;
  /**
   * `counter`: derived from the probes with `step()` and matched with the trace's signals;
   * `signals`: taken from the trace's signals alone (an implementation that reports no counters).
   */
  readonly source: 'counter' | 'signals';
  /** Whether the trace said when it was emitted (else only when it was received). */
  readonly emissionKnown: boolean;
}

/** Why the loop was not reading ticks at some instant. */
export type LoopBusy =
  | { readonly why: 'initial-delay'; readonly until: number }
  | { readonly why: 'probing'; readonly probe: number }
  | { readonly why: 'blocked'; readonly since: number }
  | { readonly why: 'unknown' };

/** One row of the story, in the order things happened. */
export type TimelineEvent =
  | { readonly kind: 'start'; readonly at: number }
  | { readonly kind: 'delay-end'; readonly at: number; readonly waitingTick: number | undefined }
  | {
      readonly kind: 'tick';
      readonly at: number;
      /** The probe that took it (1-based), if any did before the end. */
      readonly probe: number | undefined;
      /** When a probe took it (the tick's due time if the loop was waiting). */
      readonly takenAt: number | undefined;
      /** Why it had to wait, when it did. */
      readonly busy: LoopBusy | undefined;
    }
  | {
      readonly kind: 'tick-dropped';
      readonly at: number;
      readonly waitingTick: number | undefined;
      readonly busy: LoopBusy;
    }
  | { readonly kind: 'probe-start'; readonly at: number; readonly probe: ProbeView }
  | { readonly kind: 'probe-end'; readonly at: number; readonly probe: ProbeView }
  | { readonly kind: 'signal'; readonly at: number; readonly emission: EmissionView }
  | {
      readonly kind: 'blocked';
      readonly at: number;
      readonly until: number | undefined;
      readonly value: boolean | undefined;
    }
  | {
      readonly kind: 'unblocked';
      readonly at: number;
      readonly since: number;
      readonly value: boolean | undefined;
    }
  | { readonly kind: 'delivered'; readonly at: number; readonly emission: EmissionView }
  | {
      readonly kind: 'end';
      readonly at: number;
      readonly blocked: boolean;
      readonly inflight: number | undefined;
    };

/** The options the renderers show and explain with; `known` says whether the trace stated them. */
export interface TimelineOptions {
  readonly intervalMs: number | undefined;
  readonly initialDelayMs: number | undefined;
  readonly requestTimeoutMs: number | undefined;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
  /** False when the threshold and success code are Dapr's defaults assumed for a trace without options. */
  readonly known: boolean;
  /** `dapr-1.13` only: the interval while unhealthy. */
  readonly unhealthyIntervalMs?: number | undefined;
  /** The app health checker counts any 2xx as success (`successStatusCode` does not apply). */
  readonly anySuccess2xx?: boolean | undefined;
}

/** Options of {@link buildTimeline}. */
export interface BuildTimelineOptions {
  /**
   * The Dapr profile that produced the trace (`dapr-1.1`, …; see `PROFILE_NAMES`): its defaults
   * fill the options the trace leaves out, and the reasons follow its rules instead of the
   * reference's. Absent: the reference, `dapr-1.0`.
   */
  readonly profile?: string;
}

/** A trace, digested for rendering: probes classified, emissions matched, events ordered. */
export interface Timeline {
  readonly source: string | undefined;
  readonly durationMs: number;
  readonly delayEnd: number | undefined;
  readonly probes: readonly ProbeView[];
  readonly emissions: readonly EmissionView[];
  readonly ticks: { readonly delivered: readonly number[]; readonly dropped: readonly number[] } | undefined;
  readonly blocked: ReadonlyArray<{ readonly from: number; readonly to: number | undefined }>;
  readonly options: TimelineOptions;
  readonly events: readonly TimelineEvent[];
  /** The profile named in {@link BuildTimelineOptions}, when one was. */
  readonly profile?: CheckerProfile | undefined;
  /** How many rows the probes need: more than 1 when probes overlap. */
  readonly probeRows?: number;
}

/**
 * Digests a trace into the story the renderers tell: each probe classified and tied to the tick
 * it took, each emitted signal tied to its probe, its delivery and any blocked period, and every
 * event in the order the loop lived it. A pure function of the trace; fields the trace lacks
 * (external implementations report only probe starts and signals) are simply left out.
 *
 * @example
 * const timeline = buildTimeline(trace);
 * timeline.events.filter((e) => e.kind === 'tick-dropped').length; // dropped ticks
 */
export function buildTimeline(trace: Trace, build: BuildTimelineOptions = {}): Timeline {
  const profile = build.profile === undefined ? undefined : profileNamed(build.profile);
  const durationMs = Math.max(0, finite(trace.durationMs) ?? 0);
  const within = (t: number) => Number.isFinite(t) && t <= durationMs;
  const options = profile ? profileOptions(trace, profile) : timelineOptions(trace);
  const delayEnd = trace.delayEnd !== undefined && within(trace.delayEnd) ? trace.delayEnd : undefined;
  const ticks = trace.ticks
    ? {
        delivered: [...trace.ticks.delivered].filter(within).sort((a, b) => a - b),
        dropped: [...trace.ticks.dropped].filter(within).sort((a, b) => a - b),
      }
    : undefined;
  const rawProbes = [...trace.probes].filter((p) => within(p.start)).sort((a, b) => a.start - b.start);
  const probes = classifyProbes(rawProbes, trace, options, ticks?.delivered, durationMs, profile);
  const blocked = (trace.blocked ?? [])
    .filter((b) => within(b.from))
    .map((b) => ({ from: b.from, to: b.to !== undefined && within(b.to) ? b.to : undefined }));
  const emissions = matchBlocked(emissionsOf(probes, trace, durationMs, profile !== undefined), blocked);
  const partial = { durationMs, delayEnd, probes, blocked };
  const events = orderEvents(partial, emissions, ticks);
  return {
    source: trace.source,
    durationMs,
    delayEnd,
    probes,
    emissions,
    ticks,
    blocked,
    options,
    events,
    profile,
    probeRows: Math.max(1, ...probes.map((p) => (p.row ?? 0) + 1)),
  };
}

/**
 * Whether a profile counts as the reference does (`false` once per streak, `true` on every
 * success, one probe at a time): only then can the reference's `step()` explain its counter.
 */
function countsLikeReference(profile: CheckerProfile | undefined): boolean {
  return (
    profile === undefined ||
    (profile.loop.kind === 'sequential' && profile.loop.counter === 'once-per-streak')
  );
}

/** A profile's view of the options: its own defaults, and without the options it ignores. */
function profileOptions(trace: Trace, profile: CheckerProfile): TimelineOptions {
  const o = trace.options ?? {};
  const d = profile.defaults;
  const ignored = (name: string) => profile.ignores.includes(name);
  return {
    intervalMs: finite(o.intervalMs) ?? d.interval,
    initialDelayMs: ignored('initialDelay') ? undefined : (finite(o.initialDelayMs) ?? d.initialDelay),
    requestTimeoutMs: finite(o.requestTimeoutMs) ?? d.requestTimeout,
    failureThreshold: finite(o.failureThreshold) ?? d.failureThreshold,
    successStatusCode: finite(o.successStatusCode) ?? d.successStatusCode,
    known: true,
    unhealthyIntervalMs: d.unhealthyInterval > 0 ? d.unhealthyInterval : undefined,
    anySuccess2xx: profile.client.success === '2xx',
  };
}

/**
 * Rows for probes so overlapping ones never hide each other: each probe takes the lowest row
 * whose previous probe has ended by its start (one row when probes run one at a time).
 */
function rowsOf(probes: ReadonlyArray<{ start: number; end: number }>): number[] {
  const rowEnds: number[] = [];
  return probes.map((p) => {
    let row = rowEnds.findIndex((end) => end <= p.start);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = Math.max(p.end, p.start);
    return row;
  });
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function timelineOptions(trace: Trace): TimelineOptions {
  const o = trace.options ?? {};
  // A trace's options are a scenario's: an absent one means the reference default (Dapr's).
  const or = (value: unknown, fallback: number) =>
    finite(value) ?? (trace.options === undefined ? undefined : fallback);
  return {
    intervalMs: or(o.intervalMs, DEFAULTS.interval),
    initialDelayMs: or(o.initialDelayMs, DEFAULTS.initialDelay),
    requestTimeoutMs: or(o.requestTimeoutMs, DEFAULTS.requestTimeout),
    failureThreshold: finite(o.failureThreshold) ?? DEFAULTS.failureThreshold,
    successStatusCode: finite(o.successStatusCode) ?? DEFAULTS.successStatusCode,
    known: trace.options !== undefined,
  };
}

function classOf(p: TraceProbe, reportsOutcomes: boolean, successStatusCode: number): ProbeClass {
  if (p.outcome === undefined && p.success === undefined) {
    return reportsOutcomes && p.end === undefined ? 'inflight' : 'unknown';
  }
  const status = p.outcome !== undefined && /^\d{3}$/.test(p.outcome) ? Number(p.outcome) : undefined;
  const success = p.success ?? status === successStatusCode;
  if (success) return 'success';
  if (status !== undefined) return 'failure';
  if (p.outcome === 'timeout') return 'timeout';
  return p.outcome === undefined ? 'failure' : 'error';
}

function classifyProbes(
  raw: readonly TraceProbe[],
  trace: Trace,
  options: TimelineOptions,
  deliveredTicks: readonly number[] | undefined,
  durationMs: number,
  profile: CheckerProfile | undefined,
): ProbeView[] {
  const reportsOutcomes = trace.probes.some((p) => p.outcome !== undefined || p.success !== undefined);
  const classes = raw.map((p) => classOf(p, reportsOutcomes, options.successStatusCode));
  const finished = (cls: ProbeClass) => cls !== 'inflight' && cls !== 'unknown';
  // The counter is explained only when the implementation reported it: a count we made up with
  // the reference rule would hide exactly the bugs an external trace may show.
  const reportsCounters =
    classes.some(finished) &&
    raw.every((p, i) => !finished(classes[i] as ProbeClass) || p.failureCount !== undefined);
  // Another profile's counter is not the reference's: its signals tell what it emitted.
  const stepsLikeReference = countsLikeReference(profile);
  const ticks = profile === undefined ? deliveredTicks : ticksTaken(raw, deliveredTicks);
  const ends = raw.map((p, i) => {
    const end = p.end !== undefined && p.end <= durationMs ? p.end : undefined;
    return end ?? (classes[i] === 'inflight' ? durationMs : p.start);
  });
  const rows = rowsOf(raw.map((p, i) => ({ start: p.start, end: ends[i] as number })));
  let counter: CounterState = INITIAL_COUNTER;
  return raw.map((p, i) => {
    const cls = classes[i] as ProbeClass;
    let rule: CounterRule | undefined;
    let emitted: boolean | undefined;
    if (finished(cls) && reportsCounters && stepsLikeReference) {
      // The pure step function the checker runs is what the teaching views print.
      const next = step(counter, cls === 'success', options.failureThreshold);
      counter = { failureCount: p.failureCount ?? next.state.failureCount };
      rule = next.rule;
      emitted = next.signal;
    }
    // Each probe takes exactly one tick, in order: the i-th delivered tick feeds the i-th probe.
    const tick = ticks?.[i];
    return {
      number: i + 1,
      start: p.start,
      end: p.end !== undefined && p.end <= durationMs ? p.end : undefined,
      outcome: p.outcome,
      success: cls === 'success' ? true : finished(cls) ? false : undefined,
      failureCount: finished(cls) && reportsCounters ? p.failureCount : undefined,
      class: cls,
      rule,
      tick: tick !== undefined && tick <= p.start ? tick : undefined,
      emitted,
      sent: p.sent !== false,
      requests: typeof p.requests === 'number' && p.requests > 1 ? p.requests : 1,
      row: rows[i] ?? 0,
    };
  });
}

/**
 * The tick each probe took under a profile where some probes take none (v1.13 and the app
 * health checker probe at once): the earliest tick not yet taken that is due by the probe's start.
 */
function ticksTaken(
  probes: readonly TraceProbe[],
  delivered: readonly number[] | undefined,
): Array<number | undefined> | undefined {
  if (delivered === undefined) return undefined;
  let next = 0;
  return probes.map((p) => {
    const due = delivered[next];
    if (due === undefined || due > p.start) return undefined;
    next++;
    return due;
  });
}

type Draft = { -readonly [K in keyof EmissionView]: EmissionView[K] };

/** Emissions from the counter when it agrees with the received signals, else from the signals. */
function emissionsOf(
  probes: readonly ProbeView[],
  trace: Trace,
  durationMs: number,
  byProfile: boolean,
): Draft[] {
  const signals = trace.signals.filter((s) => Number.isFinite(s.at) && s.at <= durationMs);
  const fromCounter: Draft[] = [];
  for (const p of probes) {
    if (p.emitted === undefined || p.end === undefined) continue;
    fromCounter.push({
      at: p.end,
      value: p.emitted,
      probe: p.number,
      deliveredAt: undefined,
      blocked: undefined,
      source: 'counter',
      emissionKnown: true,
    });
  }
  const countersReported = probes.some((p) => p.failureCount !== undefined);
  const agrees =
    countersReported &&
    signals.length <= fromCounter.length &&
    signals.every((s, i) => {
      const e = fromCounter[i];
      return e !== undefined && e.value === s.value && (s.emittedAt ?? s.at) === e.at;
    });
  if (agrees) {
    signals.forEach((s, i) => {
      (fromCounter[i] as Draft).deliveredAt = s.at;
    });
    return fromCounter;
  }
  const claimed = new Set<number>();
  return signals.map((s) => {
    const at = s.emittedAt ?? s.at;
    // Under a profile, each probe sends at most one value: the probe that ended then with the
    // outcome that sends it (a success sends true), else the first that ended then (v1.13 probes
    // again at the instant it reports, and a threshold ≤ 0 sends false on a success).
    const unclaimed = (p: ProbeView) => p.end === at && !claimed.has(p.number);
    const probe = byProfile
      ? (probes.find((p) => unclaimed(p) && p.success === s.value) ?? probes.find(unclaimed))
      : [...probes].reverse().find((p) => p.end === at);
    if (probe) claimed.add(probe.number);
    return {
      at,
      value: s.value,
      probe: probe?.number,
      deliveredAt: s.at,
      blocked: undefined,
      source: 'signals',
      emissionKnown: s.emittedAt !== undefined || countersReported,
    };
  });
}

function matchBlocked(
  emissions: Draft[],
  blocked: ReadonlyArray<{ from: number; to: number | undefined }>,
): EmissionView[] {
  const used = new Set<number>();
  for (const period of blocked) {
    const index = emissions.findIndex((e, i) => !used.has(i) && e.at === period.from);
    if (index === -1) continue;
    used.add(index);
    (emissions[index] as Draft).blocked = period;
  }
  return emissions;
}

/**
 * Why the loop could not take a tick at `t`. At equal instants a tick comes first (Go's tie
 * rule), so a tick due when a probe ends finds that probe still running.
 *
 * @example
 * busyAt(200, buildTimeline(trace)); // { why: 'initial-delay', until: 250 }
 */
export function busyAt(t: number, timeline: Pick<Timeline, 'delayEnd' | 'probes' | 'blocked'>): LoopBusy {
  if (timeline.delayEnd !== undefined && t <= timeline.delayEnd) {
    return { why: 'initial-delay', until: timeline.delayEnd };
  }
  const running = timeline.probes.find((p) => p.start <= t && (p.end === undefined || t <= p.end));
  if (running && running.start < t) return { why: 'probing', probe: running.number };
  const block = timeline.blocked.find((b) => b.from <= t && (b.to === undefined || t <= b.to));
  if (block) return { why: 'blocked', since: block.from };
  if (running) return { why: 'probing', probe: running.number };
  return { why: 'unknown' };
}

// Same-instant order: ticks first (the ticker started before anything else in the loop), then
// the end of the initial delay, then late reads (which unblock the loop), then the loop's chain.
const PHASE = { start: 0, tick: 1, delay: 2, read: 3, chain: 4, end: 5 } as const;

function orderEvents(
  t: Pick<Timeline, 'durationMs' | 'delayEnd' | 'probes' | 'blocked'>,
  emissions: readonly EmissionView[],
  ticks: Timeline['ticks'],
): TimelineEvent[] {
  const keyed: Array<{ event: TimelineEvent; phase: number; seq: number }> = [];
  const add = (event: TimelineEvent, phase: number, seq = 0) => keyed.push({ event, phase, seq });
  add({ kind: 'start', at: 0 }, PHASE.start);

  if (ticks) {
    const takers = new Map<number, ProbeView>();
    for (const p of t.probes) if (p.tick !== undefined) takers.set(p.tick, p);
    for (const due of ticks.delivered) {
      const taker = takers.get(due);
      const waited = taker === undefined || taker.start > due;
      add(
        {
          kind: 'tick',
          at: due,
          probe: taker?.number,
          takenAt: taker?.start,
          busy: waited ? busyAt(due, t) : undefined,
        },
        PHASE.tick,
      );
    }
    for (const due of ticks.dropped) {
      const waitingTick = [...ticks.delivered].reverse().find((d) => d < due);
      add({ kind: 'tick-dropped', at: due, waitingTick, busy: busyAt(due, t) }, PHASE.tick);
    }
  }

  if (t.delayEnd !== undefined) {
    const first = t.probes[0];
    const firstTick = ticks?.delivered[0];
    const waitingTick =
      firstTick !== undefined && firstTick <= t.delayEnd && (!first || first.start >= t.delayEnd)
        ? firstTick
        : undefined;
    add({ kind: 'delay-end', at: t.delayEnd, waitingTick }, PHASE.delay);
  }

  // The loop's own chain: probe, outcome, send (maybe blocking), next probe.
  let seq = 0;
  const byProbe = new Map<number, EmissionView[]>();
  const orphans: EmissionView[] = [];
  for (const e of emissions) {
    if (e.probe === undefined) orphans.push(e);
    else byProbe.set(e.probe, [...(byProbe.get(e.probe) ?? []), e]);
  }
  const addEmission = (e: EmissionView) => {
    if (e.emissionKnown || e.deliveredAt === undefined || e.deliveredAt === e.at) {
      add({ kind: 'signal', at: e.at, emission: e }, PHASE.chain, seq++);
    }
    if (e.blocked) {
      add({ kind: 'blocked', at: e.blocked.from, until: e.blocked.to, value: e.value }, PHASE.chain, seq++);
    }
  };
  for (const p of t.probes) {
    add({ kind: 'probe-start', at: p.start, probe: p }, PHASE.chain, seq++);
    if (p.end !== undefined) add({ kind: 'probe-end', at: p.end, probe: p }, PHASE.chain, seq++);
    for (const e of byProbe.get(p.number) ?? []) addEmission(e);
  }
  for (const e of orphans) addEmission(e);

  // Reads that happen later than the send, in emission order; an unblock comes right after the
  // read that made room for the blocked value.
  emissions.forEach((e, i) => {
    if (e.deliveredAt !== undefined && e.deliveredAt !== e.at && e.emissionKnown) {
      add({ kind: 'delivered', at: e.deliveredAt, emission: e }, PHASE.read, i);
    }
    if (e.blocked?.to !== undefined) {
      add(
        { kind: 'unblocked', at: e.blocked.to, since: e.blocked.from, value: e.value },
        PHASE.read,
        i - 0.5,
      );
    }
  });
  for (const b of t.blocked) {
    if (!emissions.some((e) => e.blocked === b)) {
      add({ kind: 'blocked', at: b.from, until: b.to, value: undefined }, PHASE.chain, seq++);
      if (b.to !== undefined) {
        add({ kind: 'unblocked', at: b.to, since: b.from, value: undefined }, PHASE.read, -1);
      }
    }
  }

  const last = t.probes.at(-1);
  const openBlock = t.blocked.some((b) => b.to === undefined);
  add(
    {
      kind: 'end',
      at: t.durationMs,
      blocked: openBlock,
      inflight: last && last.class === 'inflight' ? last.number : undefined,
    },
    PHASE.end,
  );

  keyed.sort((a, b) => a.event.at - b.event.at || a.phase - b.phase || a.seq - b.seq);
  return keyed.map((k) => k.event);
}
