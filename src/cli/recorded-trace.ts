import type { Trace } from '../scenario/types.js';

/** Applies `f` to every time in a trace (a copy; the input is left alone). */
function mapTimes(trace: Trace, f: (ms: number) => number): Trace {
  const out: Trace = {
    ...trace,
    durationMs: f(trace.durationMs),
    probes: trace.probes.map((p) => ({
      ...p,
      start: f(p.start),
      ...(p.end === undefined ? {} : { end: f(p.end) }),
    })),
    signals: trace.signals.map((s) => ({
      ...s,
      at: f(s.at),
      ...(s.emittedAt === undefined ? {} : { emittedAt: f(s.emittedAt) }),
    })),
  };
  if (trace.delayEnd !== undefined) out.delayEnd = f(trace.delayEnd);
  if (trace.ticks) {
    out.ticks = { delivered: trace.ticks.delivered.map(f), dropped: trace.ticks.dropped.map(f) };
  }
  if (trace.blocked) {
    out.blocked = trace.blocked.map((b) => ({
      from: f(b.from),
      ...(b.to === undefined ? {} : { to: f(b.to) }),
    }));
  }
  return out;
}

/**
 * Rounds every time in a trace to `decimals` places: a real-time recording measures with
 * `performance.now()`, whose float sums (`2006.1338170000001`) carry no meaning past a
 * microsecond.
 *
 * @example
 * roundTimes(trace, 3); // times to the microsecond
 */
export function roundTimes(trace: Trace, decimals: number): Trace {
  const scale = 10 ** decimals;
  return mapTimes(trace, (ms) => Math.round(ms * scale) / scale);
}

/** Every time in a trace, in no particular order. */
function allTimes(trace: Trace): number[] {
  const times: number[] = [];
  mapTimes(trace, (ms) => {
    times.push(ms);
    return ms;
  });
  return times;
}

/**
 * The tolerance `explain --trace` uses when none is given: 2 ms for a real-time recording (its
 * times have fractions: `performance.now()`), 0 for a trace in whole ms (a simulation, a
 * fixture), whose instants are exact and must be drawn as they are.
 *
 * @example
 * defaultTolerance(JSON.parse(text)); // 2 for a probekit check --trace file
 */
export function defaultTolerance(trace: Trace): number {
  return allTimes(trace).every(Number.isInteger) ? 0 : 2;
}

/** The latest of `times` at or before `t`, or undefined. */
function latestAtOrBefore(times: readonly number[], t: number): number | undefined {
  let best: number | undefined;
  for (const time of times) if (time <= t && (best === undefined || time > best)) best = time;
  return best;
}

/**
 * Prepares a trace recorded in real time (`probekit check --trace`) for the teaching views,
 * which reason in exact instants: a step that followed its cause by less than `toleranceMs`
 * (the scheduling jitter of a real event loop) is drawn at its cause, then every time is rounded
 * to whole ms. So a probe 0.9 ms after its tick is "taken at once", not "waits (loop busy)", and
 * a signal read 0.2 ms after it was emitted is read at once, not "read later".
 *
 * With a tolerance of 0 nothing moves; times are still rounded.
 *
 * @example
 * renderTimeline(tidyRecordedTrace(JSON.parse(text), 1), { format: 'table' });
 */
export function tidyRecordedTrace(trace: Trace, toleranceMs: number): Trace {
  const snap = (t: number, causes: readonly number[]) => {
    const cause = latestAtOrBefore(causes, t);
    return cause !== undefined && t - cause < toleranceMs ? cause : t;
  };
  const probeEnds = trace.probes.flatMap((p) => (p.end === undefined ? [] : [p.end]));
  // What lets the loop start a probe: a tick, the end of the initial delay, the end of the
  // previous probe, the consumer reading a waiting signal, the end of a block.
  const starters = [
    ...(trace.ticks?.delivered ?? []),
    ...(trace.delayEnd === undefined ? [] : [trace.delayEnd]),
    ...probeEnds,
    ...trace.signals.map((s) => s.at),
    ...(trace.blocked ?? []).flatMap((b) => (b.to === undefined ? [] : [b.to])),
  ];
  const tidy: Trace = {
    ...trace,
    probes: trace.probes.map((p) => ({ ...p, start: snap(p.start, starters) })),
    signals: trace.signals.map((s) => {
      const emitted = snap(s.emittedAt ?? s.at, probeEnds);
      const at = snap(s.at, [emitted]);
      return at === emitted ? { at, value: s.value } : { at, value: s.value, emittedAt: emitted };
    }),
  };
  return roundTimes(tidy, 0);
}
