import { DEFAULTS } from '../checker/options.js';
import type { Decision } from '../endpoint/engine/decision.js';
import { decisionDuration } from '../endpoint/engine/decision.js';
import {
  type CompiledEndpoint,
  type Cursor,
  compile,
  decide,
  INITIAL_CURSOR,
  refusal,
  routeFor,
} from '../endpoint/engine/engine.js';
import { toDefinition } from '../endpoint/script/schema.js';
import { SCENARIO_URL } from './run.js';
import type { Scenario, Trace, TraceProbe } from './types.js';

/**
 * Which two things come due at one instant:
 * - `read-on-tick`: the consumer's read unblocks the loop as a tick comes due, while an older
 *   tick waits (Go delivers either first: the new tick is dropped or kept);
 * - `answer-on-tick` / `timeout-on-tick`: a probe's answer (or its timeout) frees the loop as a
 *   tick comes due, while an older tick waits (the same race);
 * - `answer-at-timeout`: the endpoint's answer is due at the very instant of the request
 *   timeout (the reference lets the timeout win; real time tosses a coin);
 * - `request-on-edge`: a request arrives at the instant the endpoint changes its behaviour (a
 *   window or flap edge, the end of a `refuse`): a request a little earlier or later gets
 *   another answer.
 */
export type CoincidenceKind =
  | 'read-on-tick'
  | 'answer-on-tick'
  | 'timeout-on-tick'
  | 'answer-at-timeout'
  | 'request-on-edge';

/** Two instants of a scenario that coincide, in a way that changes what an outsider sees. */
export interface Coincidence {
  readonly kind: CoincidenceKind;
  /** The instant (ms since the check started). */
  readonly at: number;
  /** The probe involved (its index in the trace). */
  readonly probe: number;
  /** What coincides, naming both instants: one sentence without a final period. */
  readonly what: string;
  /** How to move them apart. */
  readonly fix: string;
}

/** Below any time a scenario can express (whole ms), above floating-point noise. */
const EPSILON = 1e-3;

const PROBE_PATH = new URL(SCENARIO_URL).pathname;

function onTick(at: number, interval: number): boolean {
  if (at <= 0) return false;
  const k = at / interval;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

/**
 * The Go-ticker races (docs/semantics.md §1 rule 4): the loop takes a waiting (stale) tick at
 * the instant a new one comes due. Go may drop the new tick (the reference: a tick comes
 * first) or keep it. It matters to an outsider only when the loop is ready again before the
 * next tick: with the new tick kept, the next probe starts then instead of on that tick.
 */
function tickRaces(scenario: Scenario, trace: Trace): Coincidence[] {
  const delivered = trace.ticks?.delivered;
  if (!delivered) return [];
  const interval = scenario.options.intervalMs ?? DEFAULTS.interval;
  const found: Coincidence[] = [];
  const probes = trace.probes;
  probes.forEach((probe, i) => {
    const s = probe.start;
    const taken = delivered[i];
    // A fresh tick, or the end of the initial delay (a rule, not a race: SEMANTICS §1 rule 2).
    if (taken === undefined || !(taken < s) || !onTick(s, interval) || trace.delayEnd === s) return;
    const ready = readyAgain(trace, probe);
    const next = probes[i + 1];
    if (ready === undefined || ready > trace.durationMs || (next && next.start <= ready)) return;
    const read = trace.blocked?.some((b) => b.to === s);
    const previous = probes[i - 1];
    const timedOut = !read && previous?.outcome === 'timeout';
    const kind: CoincidenceKind = read ? 'read-on-tick' : timedOut ? 'timeout-on-tick' : 'answer-on-tick';
    const cause = read
      ? `the consumer's read at ${s} ms unblocks the loop`
      : timedOut
        ? `probe #${previous?.index} times out at ${s} ms`
        : `probe #${previous?.index ?? '?'} ends at ${s} ms`;
    found.push({
      kind,
      at: s,
      probe: probe.index,
      what: `${cause} as the tick due at ${s} ms arrives, with tick ${taken} still waiting: Go may drop or keep tick ${s}, and if it keeps it another probe starts at ${ready} ms instead of ${next ? `${next.start} ms` : 'none before the end'}`,
      fix: read
        ? `move readDelayMs a few ms off the tick (e.g. ${s + interval / 2})`
        : timedOut
          ? 'change requestTimeoutMs by a few ms'
          : "change the answer's delay by a few ms",
    });
  });
  return found;
}

/** When the loop is next ready to take a tick after `probe` (its end, or the end of the block that follows). */
function readyAgain(trace: Trace, probe: TraceProbe): number | undefined {
  if (probe.end === undefined) return undefined;
  const block = trace.blocked?.find((b) => b.from === probe.end);
  return block ? block.to : probe.end;
}

type Reception =
  | { readonly refused: true; readonly cursors: readonly Cursor[] }
  | { readonly refused: false; readonly decision: Decision | undefined; readonly cursors: readonly Cursor[] };

/**
 * What the endpoint does with a request at `t` (the same steps as `ScriptPlayer.receive`,
 * without state). `decision` is undefined when no route matches: a 404 at once, whatever the time.
 */
function receive(compiled: CompiledEndpoint, cursors: readonly Cursor[], t: number): Reception {
  if (compiled.mayRefuse && refusal(compiled, cursors, t).refusing) return { refused: true, cursors };
  const route = routeFor(compiled, PROBE_PATH);
  if (!route) return { refused: false, decision: undefined, cursors };
  const outcome = decide(route, cursors[route.index] ?? INITIAL_CURSOR, t, compiled.seed);
  const next = [...cursors];
  next[route.index] = outcome.cursor;
  return outcome.refused
    ? { refused: true, cursors: next }
    : { refused: false, decision: outcome.decision, cursors: next };
}

function sameReception(a: Reception, b: Reception): boolean {
  const key = (r: Reception) =>
    JSON.stringify([
      r.refused,
      r.cursors.map((c) => c.position),
      r.refused || !r.decision
        ? null
        : [
            r.decision.action,
            r.decision.status,
            r.decision.headers,
            r.decision.body,
            decisionDuration(r.decision),
          ],
    ]);
  return key(a) === key(b);
}

/**
 * Replays the endpoint's decisions for the requests the trace sent: a request on an edge of the
 * endpoint's behaviour, and an answer due at the very instant of the request timeout.
 */
function endpointTies(scenario: Scenario, trace: Trace): Coincidence[] {
  const compiled = compile(toDefinition(scenario.script), scenario.seed ?? 0);
  const timeout = scenario.options.requestTimeoutMs ?? DEFAULTS.requestTimeout;
  let cursors: readonly Cursor[] = compiled.routes.map(() => INITIAL_CURSOR);
  const found: Coincidence[] = [];
  const sent = trace.probes.filter((p) => p.sent !== false).sort((a, b) => a.start - b.start);
  for (const probe of sent) {
    const t = probe.start;
    const here = receive(compiled, cursors, t);
    const before = receive(compiled, cursors, t - EPSILON);
    const after = receive(compiled, cursors, t + EPSILON);
    if (!sameReception(here, before) || !sameReception(here, after)) {
      found.push({
        kind: 'request-on-edge',
        at: t,
        probe: probe.index,
        what: `probe #${probe.index}'s request at ${t} ms arrives as the endpoint's behaviour changes at ${t} ms (a window or flap edge, or the end of a refuse): a request a moment earlier or later gets another answer`,
        fix: 'move the edge a few ms off the probe',
      });
    }
    cursors = here.cursors;
    if (here.refused || !here.decision || here.decision.action === 'hang' || timeout <= 0) continue;
    const due = decisionDuration(here.decision);
    if (due !== timeout) continue;
    found.push({
      kind: 'answer-at-timeout',
      at: t + timeout,
      probe: probe.index,
      what: `probe #${probe.index}'s answer is due at ${t + timeout} ms (${due} ms after its request at ${t} ms), the very instant of its ${timeout} ms request timeout: the reference lets the timeout win, real time does not order them`,
      fix: `make the answer a few ms faster or slower than ${timeout} ms`,
    });
  }
  return found;
}

/**
 * Finds the instants of a scenario whose result depends on two things coinciding, which Go's
 * runtime and real time do not order (docs/semantics.md §1 rule 4): a read, an answer or a
 * timeout freeing the loop exactly as a tick comes due while an older tick waits; an answer due
 * exactly at the request timeout; a request exactly on an edge of the endpoint's behaviour. The
 * end of the initial delay on a tick is not one: a tick comes first by rule. Ties whose only
 * effect is which tick is dropped (not which probes run) are left out: no outsider sees them.
 * Pure: reads the scenario and the trace `simulate()` gave for it. A scenario with any should
 * move the instants apart, or say `virtualOnly`.
 *
 * @example
 * const found = findCoincidences(scenario, await simulate(scenario));
 * for (const c of found) console.log(`${c.what}; ${c.fix}`);
 */
export function findCoincidences(scenario: Scenario, trace: Trace): Coincidence[] {
  return [...tickRaces(scenario, trace), ...endpointTies(scenario, trace)].sort(
    (a, b) => a.at - b.at || a.probe - b.probe,
  );
}
