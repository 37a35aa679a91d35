import { ProbekitError } from '../../errors.js';
import {
  type ChoiceItem,
  DEFAULT_SLOW_BODY,
  DEFAULT_STATUS,
  DOWN_STATUS,
  type EndpointDefinition,
  EXHAUSTED_STATUS,
  explainRoute,
  type Item,
  type Latency,
  LIMITS,
  type Route,
  type Step,
} from '../script/model.js';
import type { Decision, DecisionSource } from './decision.js';
import { assertNever } from './kinds.js';
import { type Rng, rngFor } from './rng.js';
import { RouteTable } from './route-table.js';

/**
 * Where one route's script stands. The engine never mutates it: {@link decide} returns the
 * next one.
 */
export interface Cursor {
  /** The script position the next received request gets. */
  readonly position: number;
  /** When (ms since the script started) the current position was reached. Ends `refuse` steps. */
  readonly since: number;
  /** Requests this route has received: keys the random draws. */
  readonly received: number;
}

/**
 * Every route starts here.
 *
 * @example
 * decide(route, INITIAL_CURSOR, 0, seed);
 */
export const INITIAL_CURSOR: Cursor = Object.freeze({ position: 0, since: 0, received: 0 });

/** The next atomic thing a script position holds: a step, a choice, or `undefined` once exhausted. */
export type Atom = Step | ChoiceItem;

/** A route with what the engine precomputes for it. */
export interface CompiledRoute {
  readonly index: number;
  readonly route: Route;
  /** How decisions name the route: `/healthz`, or `POST /healthz` when it names a method. */
  readonly name: string;
  /** Items before a trailing `forever` (or all of them), and their total length. */
  readonly finiteLength: number;
  readonly forever: Item | undefined;
  readonly foreverLength: number;
  /** The finite items as one group, and what plays after them again and again (by the end rule). */
  readonly head: Item;
  readonly tail: Item | undefined;
  /** Whether anything in this route can refuse connections. */
  readonly mayRefuse: boolean;
  /** Decisions for steps without randomness, made once. */
  readonly cache: Map<Step, Decision>[];
  readonly exhausted: Decision;
}

/** A definition ready for the engine (see {@link compile}). */
export interface CompiledEndpoint {
  readonly definition: EndpointDefinition;
  readonly seed: number;
  readonly routes: readonly CompiledRoute[];
  /** Finds a request's route by method and path (see {@link routeFor}). */
  readonly table: RouteTable<CompiledRoute>;
  /** Whether any route can refuse connections (if not, nobody needs to ask). */
  readonly mayRefuse: boolean;
}

const lengths = new WeakMap<Item, number>();

/**
 * How many script positions an item covers (Infinity for `forever`).
 *
 * @example
 * itemLength({ kind: 'repeat', times: 3, item: { kind: 'hang' } }); // 3
 */
export function itemLength(item: Item): number {
  const known = lengths.get(item);
  if (known !== undefined) return known;
  let length: number;
  switch (item.kind) {
    case 'group':
      length = item.items.reduce((sum, child) => sum + itemLength(child), 0);
      break;
    case 'repeat':
      length = item.times * itemLength(item.item);
      break;
    case 'forever':
      length = Number.POSITIVE_INFINITY;
      break;
    case 'choice':
    case 'status':
    case 'slow-headers':
    case 'slow-body':
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
    case 'pass':
    case 'refuse':
      length = 1;
      break;
    default:
      return assertNever(item, 'item');
  }
  lengths.set(item, length);
  return length;
}

/** The atom at `offset` inside `item` (offset < itemLength(item)). */
function atomIn(item: Item, offset: number): Atom {
  let current = item;
  let p = offset;
  for (;;) {
    switch (current.kind) {
      case 'repeat':
      case 'forever':
        p %= itemLength(current.item);
        current = current.item;
        continue;
      case 'group': {
        let next: Item | undefined;
        for (const child of current.items) {
          const length = itemLength(child);
          if (p < length) {
            next = child;
            break;
          }
          p -= length;
        }
        current = next as Item;
        continue;
      }
      default:
        return current;
    }
  }
}

function atomInList(items: readonly Item[], offset: number): Atom {
  let p = offset;
  for (const item of items) {
    const length = itemLength(item);
    if (p < length) return atomIn(item, p);
    p -= length;
  }
  return atomIn(items[items.length - 1] as Item, itemLength(items[items.length - 1] as Item) - 1);
}

function containsRefuse(item: Item): boolean {
  switch (item.kind) {
    case 'refuse':
      return true;
    case 'repeat':
    case 'forever':
      return containsRefuse(item.item);
    case 'group':
      return item.items.some(containsRefuse);
    case 'choice':
    case 'status':
    case 'slow-headers':
    case 'slow-body':
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
    case 'pass':
      return false;
    default:
      return assertNever(item, 'item');
  }
}

const DEFAULT_STEP: Step = Object.freeze({ kind: 'status', status: DEFAULT_STATUS });
const DOWN_STEP: Step = Object.freeze({ kind: 'status', status: DOWN_STATUS });
const SOURCES: DecisionSource[] = ['script', 'window', 'flap', 'exhausted', 'unmatched', 'default'];

/**
 * Precomputes what the engine needs for a (valid, canonical) definition. Pure.
 *
 * @example
 * const compiled = compile(parseScript('200*2, 503...'), 42);
 */
export function compile(definition: EndpointDefinition, seed: number): CompiledEndpoint {
  const routes = definition.routes.map((route, index): CompiledRoute => {
    const last = route.script.at(-1);
    const forever = last?.kind === 'forever' ? last.item : undefined;
    const finite = forever ? route.script.slice(0, -1) : route.script;
    const mayRefuse =
      route.script.some(containsRefuse) ||
      (route.windows ?? []).some((w) => w.step?.kind === 'refuse') ||
      route.flap?.step?.kind === 'refuse';
    const finiteLength = finite.reduce((sum, item) => sum + itemLength(item), 0);
    const head: Item = { kind: 'group', items: finite };
    let tail: Item | undefined;
    if (forever) tail = forever;
    else if (route.end === 'cycle') tail = head;
    else if (route.end !== 'end' && finiteLength > 0) tail = atomInList(route.script, finiteLength - 1);
    return {
      index,
      route,
      name: routeName(route),
      finiteLength,
      head,
      tail,
      forever,
      foreverLength: forever ? itemLength(forever) : 0,
      mayRefuse,
      cache: SOURCES.map(() => new Map()),
      exhausted: {
        action: 'respond',
        status: EXHAUSTED_STATUS,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `probekit mock: the script has run out (it ends with "end"). ${explainRoute(route)}. Seed ${seed}.\n`,
        delay: 0,
        dribble: undefined,
        over: 0,
        source: 'exhausted',
        route: routeName(route),
      },
    };
  });
  return {
    definition,
    seed,
    routes,
    table: new RouteTable(routes),
    mayRefuse: routes.some((r) => r.mayRefuse),
  };
}

/**
 * The route for a request (query string ignored). Routes for the request's method come first
 * (exact path, then the first glob that matches, then `*`), then routes for any method in the
 * same order: see docs/dsl.md, "Routing by method".
 *
 * @param method the request's method, as sent (case-sensitive); `GET` by default, what a
 *   health check sends.
 * @example
 * routeFor(compiled, '/healthz?x=1'); // the route a GET gets
 * routeFor(compiled, '/healthz', 'POST');
 */
export function routeFor(
  compiled: CompiledEndpoint,
  path: string,
  method = 'GET',
): CompiledRoute | undefined {
  const query = path.indexOf('?');
  const pathname = query === -1 ? path : path.slice(0, query);
  return compiled.table.lookup(method, pathname);
}

/** How a decision names its route: the path, after the method when the route has one. */
function routeName(route: Route): string {
  return route.method === undefined ? route.path : `${route.method} ${route.path}`;
}

/**
 * The atom at a script position, applying the end-of-script rule: `last` repeats the last
 * step, `cycle` starts over, `end` gives `undefined` (exhausted). An empty script answers 200.
 *
 * @example
 * atomAt(compiled.routes[0], 5);
 */
export function atomAt(route: CompiledRoute, position: number): Atom | undefined {
  const script = route.route.script;
  if (script.length === 0) return DEFAULT_STEP;
  if (position < route.finiteLength) return atomInList(script, position);
  if (route.forever) return atomIn(route.forever, (position - route.finiteLength) % route.foreverLength);
  switch (route.route.end) {
    case 'cycle':
      return atomInList(script, position % route.finiteLength);
    case 'end':
      return undefined;
    default:
      return atomInList(script, route.finiteLength - 1);
  }
}

/**
 * The window or flap step answering at `t` (ms since the script started), if any.
 *
 * @example
 * overlayAt(parseScript('200..., down from 1s').routes[0], 1500); // { step: 503, source: 'window' }
 */
export function overlayAt(route: Route, t: number): { step: Step; source: 'window' | 'flap' } | undefined {
  if (route.windows) {
    for (const window of route.windows) {
      if (t >= window.from && (window.until === undefined || t < window.until)) {
        return { step: window.step ?? DOWN_STEP, source: 'window' };
      }
    }
  }
  const flap = route.flap;
  if (flap && t >= 0 && t % (flap.up + flap.down) >= flap.up) {
    return { step: flap.step ?? DOWN_STEP, source: 'flap' };
  }
  return undefined;
}

/** How far a run of refuse steps reaches: positions moved past and the time they took. */
interface Skip {
  advanced: number;
  used: number;
  /** Whether the walk stopped inside the item (a step that is not a refuse, or one not over yet). */
  stopped: boolean;
}

const refuseTotals = new WeakMap<Item, number | null>();

/**
 * The total `for` of an item made only of refuse steps (Infinity for `forever`), or `null` when
 * it holds anything else.
 */
function refuseTotal(item: Item): number | null {
  const known = refuseTotals.get(item);
  if (known !== undefined) return known;
  let total: number | null;
  switch (item.kind) {
    case 'refuse':
      total = item.for ?? 0;
      break;
    case 'repeat': {
      const inner = refuseTotal(item.item);
      total = inner === null ? null : inner * item.times;
      break;
    }
    case 'forever':
      total = refuseTotal(item.item) === null ? null : Number.POSITIVE_INFINITY;
      break;
    case 'group': {
      let sum: number | null = 0;
      for (const child of item.items) {
        const inner = refuseTotal(child);
        if (inner === null) {
          sum = null;
          break;
        }
        sum += inner;
      }
      total = sum;
      break;
    }
    case 'choice':
    case 'status':
    case 'slow-headers':
    case 'slow-body':
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
    case 'pass':
      total = null;
      break;
    default:
      return assertNever(item, 'item');
  }
  refuseTotals.set(item, total);
  return total;
}

/**
 * Walks `item` from `offset` past every refuse step that has ended within `budget` ms, skipping
 * whole repeat blocks arithmetically: O(depth × group width), whatever the repeat counts.
 */
function skipIn(item: Item, offset: number, budget: number): Skip {
  switch (item.kind) {
    case 'repeat':
      return skipRepeated(item.item, item.times, offset, budget);
    case 'forever':
      return skipRepeated(item.item, Number.POSITIVE_INFINITY, offset, budget);
    case 'group': {
      let advanced = 0;
      let used = 0;
      let p = offset;
      for (const child of item.items) {
        const length = itemLength(child);
        if (p >= length) {
          p -= length;
          continue;
        }
        const skip = skipIn(child, p, budget - used);
        advanced += skip.advanced;
        used += skip.used;
        if (skip.stopped) return { advanced, used, stopped: true };
        p = 0;
      }
      return { advanced, used, stopped: false };
    }
    case 'refuse': {
      const lasts = item.for ?? 0;
      return lasts <= budget ? { advanced: 1, used: lasts, stopped: false } : STOP;
    }
    case 'choice':
    case 'status':
    case 'slow-headers':
    case 'slow-body':
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
    case 'pass':
      return STOP;
    default:
      return assertNever(item, 'item');
  }
}

const STOP: Skip = Object.freeze({ advanced: 0, used: 0, stopped: true });

/** {@link skipIn} over `inner` played `count` times (Infinity for `forever`). */
function skipRepeated(inner: Item, count: number, offset: number, budget: number): Skip {
  const length = itemLength(inner);
  let round = Math.floor(offset / length);
  let advanced = 0;
  let used = 0;
  const within = offset - round * length;
  if (within > 0) {
    const partial = skipIn(inner, within, budget);
    if (partial.stopped) return partial;
    advanced = partial.advanced;
    used = partial.used;
    round++;
  }
  const left = count - round;
  if (left <= 0) return { advanced, used, stopped: false };
  const total = refuseTotal(inner);
  if (total !== null) {
    if (total === 0 && !Number.isFinite(left)) {
      // Unreachable for a valid definition (a refuse lasts at least 1 ms): say so instead of looping.
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCRIPT',
        'Failed to play the endpoint script: it refuses forever in steps of 0 ms. Give each refuse step a duration of at least 1 ms.',
      );
    }
    // Whole rounds made only of refuse steps: as many as the budget covers, in one step.
    const rounds = total === 0 ? left : Math.min(left, Math.floor((budget - used) / total));
    advanced += rounds * length;
    used += rounds * total;
    if (rounds === left) return { advanced, used, stopped: false };
  }
  // The next round stops inside: it holds another step, or a refuse step not over yet.
  const last = skipIn(inner, 0, budget - used);
  return { advanced: advanced + last.advanced, used: used + last.used, stopped: true };
}

/**
 * Moves past `refuse` steps that have ended by `t` (they end by time, not by requests). Whole
 * repeat blocks of refuse steps are skipped arithmetically, so `refuse 1ms*1000000000` costs
 * as little as `refuse 1s`.
 *
 * @example
 * settle(route, cursor, t).position; // past every refuse step that ended by t
 */
export function settle(route: CompiledRoute, cursor: Cursor, t: number): Cursor {
  if (!route.mayRefuse) return cursor;
  const skip = skipRoute(route, cursor.position, t - cursor.since);
  if (skip.advanced === 0) return cursor;
  return {
    position: cursor.position + skip.advanced,
    since: cursor.since + skip.used,
    received: cursor.received,
  };
}

/** {@link skipIn} over a whole route script, its end rule included (see {@link atomAt}). */
function skipRoute(route: CompiledRoute, position: number, budget: number): Skip {
  const script = route.route.script;
  if (script.length === 0) return STOP;
  let advanced = 0;
  let used = 0;
  if (position < route.finiteLength) {
    const head = skipIn(route.head, position, budget);
    if (head.stopped) return head;
    advanced = head.advanced;
    used = head.used;
  }
  if (route.tail === undefined) return { advanced, used, stopped: true };
  const offset = position + advanced - route.finiteLength;
  const tail = skipRepeated(route.tail, Number.POSITIVE_INFINITY, offset, budget - used);
  return { advanced: advanced + tail.advanced, used: used + tail.used, stopped: true };
}

/**
 * How long the refusing that starts at `cursor` lasts in all (consecutive refuse steps, however
 * many): when the script next lets connections in. Infinity if it never does.
 */
function refuseRunEnd(route: CompiledRoute, cursor: Cursor): number {
  const skip = skipRoute(route, cursor.position, Number.POSITIVE_INFINITY);
  return cursor.since + skip.used;
}

function draw(latency: Latency, rng: Rng): number {
  if (typeof latency === 'number') return latency;
  let value: number;
  if (latency.dist === 'uniform') {
    value = Math.min(latency.max, latency.min + Math.floor(rng.next() * (latency.max - latency.min + 1)));
  } else if (latency.dist === 'normal') {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    value = Math.round(latency.mean + latency.sd * radius * Math.cos(2 * Math.PI * rng.next()));
  } else {
    value = Math.round(-latency.mean * Math.log(1 - rng.next()));
  }
  return Math.max(0, Math.min(LIMITS.maxMs, value));
}

function isRandom(step: Step): boolean {
  return 'delay' in step && step.delay !== undefined && typeof step.delay !== 'number';
}

function decisionOf(step: Step, delay: number, source: DecisionSource, route: string): Decision {
  const base = {
    delay,
    source,
    route,
    dribble: undefined,
    over: 0,
    status: 0,
    headers: undefined,
    body: undefined,
  };
  switch (step.kind) {
    case 'status':
      return { ...base, action: 'respond', status: step.status, headers: step.headers, body: step.body };
    case 'slow-headers':
    case 'slow-body':
      return {
        ...base,
        action: 'respond',
        status: step.status,
        headers: step.headers,
        body: step.body ?? (step.kind === 'slow-body' ? DEFAULT_SLOW_BODY : undefined),
        dribble: step.kind === 'slow-headers' ? 'headers' : 'body',
        over: step.over,
      };
    case 'refuse':
      return { ...base, action: 'refuse' };
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
      return { ...base, action: step.kind };
    case 'pass':
      // status 0: keep the upstream's. `over`: the upstream's body is dribbled.
      return {
        ...base,
        action: 'pass',
        status: step.status ?? 0,
        dribble: step.over === undefined ? undefined : 'body',
        over: step.over ?? 0,
      };
    default:
      return assertNever(step, 'step');
  }
}

/** The decision for one step, drawing what is random from the request's own stream. */
function decideStep(
  route: CompiledRoute,
  atom: Atom,
  source: DecisionSource,
  seed: number,
  received: number,
): Decision {
  let rng: Rng | undefined;
  let step: Step;
  if (atom.kind === 'choice') {
    rng = rngFor(seed, route.index, received);
    step = pick(atom, rng);
  } else {
    step = atom;
  }
  if (isRandom(step)) {
    rng ??= rngFor(seed, route.index, received);
    return decisionOf(step, draw((step as { delay: Latency }).delay, rng), source, route.name);
  }
  const cache = route.cache[SOURCES.indexOf(source)] as Map<Step, Decision>;
  let decision = cache.get(step);
  if (decision === undefined) {
    const delay = 'delay' in step && typeof step.delay === 'number' ? step.delay : 0;
    decision = Object.freeze(decisionOf(step, delay, source, route.name));
    cache.set(step, decision);
  }
  return decision;
}

function pick(choice: ChoiceItem, rng: Rng): Step {
  const total = choice.options.reduce((sum, o) => sum + (o.weight ?? 1), 0);
  let target = rng.next() * total;
  for (const option of choice.options) {
    target -= option.weight ?? 1;
    if (target < 0) return option.step;
  }
  return (choice.options[choice.options.length - 1] as { step: Step }).step;
}

/** What the engine decided for one request. */
export type Outcome =
  | { readonly refused: true; readonly cursor: Cursor }
  | {
      readonly refused: false;
      readonly decision: Decision;
      readonly cursor: Cursor;
      /** The script position that answered, or -1 when a window or flap did. */
      readonly position: number;
    };

/**
 * The pure engine: (route, cursor, time, seed) → decision and the next cursor.
 *
 * - A time window (first match) or the flap's down phase answers instead of the script; the
 *   script still moves on (it is keyed by request number, time overlays mask it).
 * - A `refuse` step lasts `for` ms from when it was reached; refused connections are never
 *   received, so they consume nothing.
 * - Random choices and latencies come from a stream keyed by (seed, route, request number).
 *
 * @param t ms since the script started.
 * @example
 * const { decision, cursor } = decide(compiled.routes[0], INITIAL_CURSOR, 0, 42);
 */
export function decide(route: CompiledRoute, cursor: Cursor, t: number, seed: number): Outcome {
  const current = settle(route, cursor, t);
  const atom = atomAt(route, current.position);
  const scriptRefusing = atom?.kind === 'refuse';
  const overlay = route.route.windows || route.route.flap ? overlayAt(route.route, t) : undefined;
  if (overlay) {
    if (overlay.step.kind === 'refuse') return { refused: true, cursor: current };
    const decision = decideStep(route, overlay.step, overlay.source, seed, current.received);
    // A refuse step ends only by time, so a masked request does not consume it.
    const next = scriptRefusing
      ? { position: current.position, since: current.since, received: current.received + 1 }
      : { position: current.position + 1, since: t, received: current.received + 1 };
    return { refused: false, decision, cursor: next, position: -1 };
  }
  if (scriptRefusing) return { refused: true, cursor: current };
  const next = { position: current.position + 1, since: t, received: current.received + 1 };
  if (atom === undefined) {
    return { refused: false, decision: route.exhausted, cursor: next, position: current.position };
  }
  const source = route.route.script.length === 0 ? 'default' : 'script';
  return {
    refused: false,
    decision: decideStep(route, atom, source, seed, current.received),
    cursor: next,
    position: current.position,
  };
}

/**
 * Whether the endpoint refuses connections at `t`, and the next time that may change (without
 * a request arriving). Refusing is endpoint-wide: nobody listens while any route refuses.
 *
 * @example
 * const { refusing, changesAt } = refusal(compiled, cursors, 1500);
 */
export function refusal(
  compiled: CompiledEndpoint,
  cursors: readonly Cursor[],
  t: number,
): { refusing: boolean; changesAt: number } {
  let refusing = false;
  let changesAt = Number.POSITIVE_INFINITY;
  if (!compiled.mayRefuse) return { refusing, changesAt };
  const consider = (at: number) => {
    if (at > t && at < changesAt) changesAt = at;
  };
  for (const route of compiled.routes) {
    if (!route.mayRefuse) continue;
    const cursor = settle(route, cursors[route.index] ?? INITIAL_CURSOR, t);
    const atom = atomAt(route, cursor.position);
    // The end of the whole run of refuse steps: nothing changes at the steps in between.
    const scriptEnd = atom?.kind === 'refuse' ? refuseRunEnd(route, cursor) : undefined;
    const overlay = overlayAt(route.route, t);
    if (overlay ? overlay.step.kind === 'refuse' : scriptEnd !== undefined) refusing = true;
    if (scriptEnd !== undefined) consider(scriptEnd);
    for (const window of route.route.windows ?? []) {
      if (window.step?.kind === 'refuse' || scriptEnd !== undefined) {
        consider(window.from);
        if (window.until !== undefined) consider(window.until);
      }
    }
    const flap = route.route.flap;
    if (flap && (flap.step?.kind === 'refuse' || scriptEnd !== undefined) && t >= 0) {
      const period = flap.up + flap.down;
      const phase = t % period;
      consider(t - phase + (phase < flap.up ? flap.up : period));
    }
  }
  return { refusing, changesAt };
}
