/**
 * The behaviour script of a flaky endpoint, as plain JSON-serialisable data (a *definition*).
 * The engine (`engine.ts`) executes it; the DSL (`dsl/`) is a compact text form of the same data.
 * See docs/dsl.md for the grammar and the exact rules.
 */

/**
 * How long to wait before acting, in whole milliseconds: a fixed number, or a distribution
 * drawn from the endpoint's seeded PRNG (one draw per request, rounded to whole ms, never negative).
 */
export type Latency =
  | number
  | { readonly dist: 'uniform'; readonly min: number; readonly max: number }
  | { readonly dist: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly dist: 'exponential'; readonly mean: number };

/** Answer with an HTTP status (and optional headers and body), after an optional delay. */
export interface StatusStep {
  readonly kind: 'status';
  readonly status: number;
  /** Lower-case header names. `content-length`, `transfer-encoding` and `connection` are probekit's. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly delay?: Latency;
}

/**
 * Answer with a status, but dribble the response over `over` ms: the head (`slow-headers`) or
 * the body (`slow-body`). A client sees the response complete `over` ms after it starts.
 */
export interface SlowStep {
  readonly kind: 'slow-headers' | 'slow-body';
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** For `slow-body` without a body, {@link DEFAULT_SLOW_BODY} is dribbled. */
  readonly body?: string;
  readonly over: number;
  readonly delay?: Latency;
}

/** Never answer: the request stays open until the client gives up. */
export interface HangStep {
  readonly kind: 'hang';
}

/** A transport fault after an optional delay: TCP reset, close without a response, garbage bytes. */
export interface FaultStep {
  readonly kind: 'reset' | 'close' | 'malformed';
  readonly delay?: Latency;
}

/**
 * Nobody listening: connections are refused. In a script it lasts `for` ms from the moment the
 * step is reached (a refused connection is never received, so only time can end it); in a
 * window or a flap it lasts as long as they do, and `for` is left out.
 */
export interface RefuseStep {
  readonly kind: 'refuse';
  readonly for?: number;
}

/**
 * Forward the request to the upstream and answer with its response (only `startFaultProxy` has
 * an upstream; the other backends refuse such a script when it is loaded). After an optional
 * delay; `status` replaces the upstream's status; `over` dribbles the upstream's body over that
 * many ms (`slow-body pass over 2s`). See docs/proxy.md.
 */
export interface PassStep {
  readonly kind: 'pass';
  readonly status?: number;
  readonly over?: number;
  readonly delay?: Latency;
}

/** One atomic behaviour. */
export type Step = StatusStep | SlowStep | HangStep | FaultStep | RefuseStep | PassStep;

/** A weighted random pick of one step per request (weights default to 1). */
export interface ChoiceItem {
  readonly kind: 'choice';
  readonly options: ReadonlyArray<{ readonly step: Step; readonly weight?: number }>;
}

/** `item` played `times` times in a row. */
export interface RepeatItem {
  readonly kind: 'repeat';
  readonly times: number;
  readonly item: Item;
}

/** Items played in order (parentheses in the DSL). */
export interface GroupItem {
  readonly kind: 'group';
  readonly items: readonly Item[];
}

/** `item` played again and again; only allowed as the last item of a route's script. */
export interface ForeverItem {
  readonly kind: 'forever';
  readonly item: Item;
}

/** Anything in a script. */
export type Item = Step | ChoiceItem | RepeatItem | GroupItem | ForeverItem;

/**
 * What happens when a script without `forever` runs out:
 * `last` (the default) repeats the last step, `cycle` starts over, `end` answers
 * {@link EXHAUSTED_STATUS} with an explanation.
 */
export type EndRule = 'last' | 'cycle' | 'end';

/** A time window, in ms since the script started, during which `step` (default 503) answers. */
export interface TimeWindow {
  readonly from: number;
  /** Exclusive; left out means "until the end of time". */
  readonly until?: number;
  readonly step?: Step;
}

/** Flapping: up for `up` ms (the script answers), then down for `down` ms (`step`, default 503), repeating. */
export interface Flap {
  readonly up: number;
  readonly down: number;
  readonly step?: Step;
}

/**
 * The behaviour of one route: requests with a method (or any method) for a path, a path glob,
 * or every path. See docs/dsl.md, "Routing by method", for which route a request gets.
 */
export interface Route {
  /**
   * The request method this route answers (`GET`, `POST`: upper case, as HTTP methods are
   * case-sensitive); left out, any method. `*` in JSON means the same and is dropped.
   */
  readonly method?: string;
  /**
   * A URL pathname (`/healthz`), a glob where `*` stands for any run of characters, `/`
   * included (`/v1.0/*`), or `*` alone for every path without a route of its own.
   */
  readonly path: string;
  /** Request k (counted per route) gets item k. An empty script answers 200. */
  readonly script: readonly Item[];
  readonly end?: EndRule;
  /** Checked before the script, in order; the first open window answers. */
  readonly windows?: readonly TimeWindow[];
  /** Checked after the windows. */
  readonly flap?: Flap;
}

/**
 * A whole endpoint: its routes, each for a method (or any) and a path, a path glob, or every path.
 *
 * @example
 * const definition: EndpointDefinition = {
 *   routes: [{ path: '/healthz', script: [{ kind: 'repeat', times: 2, item: { kind: 'status', status: 200 } }, { kind: 'hang' }] }],
 * };
 */
export interface EndpointDefinition {
  readonly routes: readonly Route[];
}

/**
 * The route path that matches every path without a route of its own.
 *
 * @example
 * parseScript('200').routes[0].path === ANY_PATH; // true
 */
export const ANY_PATH = '*';
/**
 * The route method that matches every method (the default when a route names none).
 *
 * @example
 * parseScript('* /healthz: 200').routes[0].method; // undefined: any method
 */
export const ANY_METHOD = '*';
/**
 * What a route method looks like: upper-case letters, digits, `-` and `_`, starting with a
 * letter. A subset of RFC 9110's `token` that holds every method in IANA's registry and every
 * method Node's HTTP parser accepts (`GET`, `M-SEARCH`, `VERSION-CONTROL`).
 *
 * @example
 * METHOD_PATTERN.test('POST'); // true; 'post' is false
 */
export const METHOD_PATTERN = /^[A-Z][A-Z0-9_-]*$/;
/**
 * The status a window or a flap answers when it names no step.
 *
 * @example
 * parseScript('down from 1s').routes[0].windows[0].step; // undefined: answers DOWN_STATUS
 */
export const DOWN_STATUS = 503;
/**
 * What an empty script answers.
 *
 * @example
 * parseScript('up 1s, down 1s'); // an empty script: DEFAULT_STATUS while up
 */
export const DEFAULT_STATUS = 200;
/**
 * What a script with the `end` rule answers once it has run out.
 *
 * @example
 * parseScript('200, end'); // the second request gets EXHAUSTED_STATUS
 */
export const EXHAUSTED_STATUS = 500;
/**
 * What a request for a path with no route gets (with an explanation in the body).
 *
 * @example
 * parseScript('/healthz: 200'); // GET /other gets UNMATCHED_STATUS
 */
export const UNMATCHED_STATUS = 404;
/**
 * Dribbled by `slow-body` when the step has no body of its own.
 *
 * @example
 * parseScript('slow-body over 2s'); // dribbles DEFAULT_SLOW_BODY
 */
export const DEFAULT_SLOW_BODY = 'probekit slow body: one byte at a time.\n';
/**
 * How long a `slow-headers` / `slow-body` step takes when the DSL does not say.
 *
 * @example
 * parseScript('slow-headers').routes[0].script[0]; // { kind: 'slow-headers', status: 200, over: DEFAULT_SLOW_OVER }
 */
export const DEFAULT_SLOW_OVER = 1000;

/**
 * Bounds every definition must respect (so timers stay valid and bad input cannot blow up).
 *
 * @example
 * if (ms > LIMITS.maxMs) throw new RangeError('too long for a timer');
 */
export const LIMITS = Object.freeze({
  /** Longest duration in ms: Node's and fake-timers' timers misfire beyond 2^31-1. */
  maxMs: 2_147_483_647,
  maxTimes: 1_000_000_000,
  maxWeight: 1_000_000,
  /** Nesting of groups, repeats and choices. */
  maxDepth: 32,
  maxBodyChars: 1_000_000,
  maxRoutes: 1000,
  maxItems: 10_000,
  maxWindows: 100,
  maxOptions: 100,
  maxHeaders: 100,
  /** Longest route method, in characters (the longest registered one has 17). */
  maxMethodChars: 64,
  /** Longest DSL script, in characters (checked before it is read). */
  maxScriptChars: 4_000_000,
  /** Deepest nesting of a JSON definition (objects and arrays), checked before the schema. */
  maxJsonDepth: 100,
  /** Most values (objects, arrays, strings, numbers…) in a JSON definition, checked before the schema. */
  maxJsonValues: 1_000_000,
});

/**
 * Headers probekit sets itself, so a script cannot break HTTP framing by accident.
 *
 * @example
 * RESERVED_HEADERS.has('content-length'); // true
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
]);

/**
 * The step kinds the DSL and JSON know.
 *
 * @example
 * STEP_KINDS.includes('hang'); // true
 */
export const STEP_KINDS = [
  'status',
  'slow-headers',
  'slow-body',
  'hang',
  'reset',
  'close',
  'malformed',
  'refuse',
  'pass',
] as const;

/**
 * Whether an item is an atomic step.
 *
 * @example
 * isStep({ kind: 'hang' }); // true; isStep({ kind: 'group', items: [] }) is false
 */
export function isStep(item: Item): item is Step {
  return (STEP_KINDS as readonly string[]).includes(item.kind);
}

const NUMBER_WORDS = ['', 'once', 'twice', 'three times'];

function times(n: number): string {
  return NUMBER_WORDS[n] ?? `${n} times`;
}

function ms(value: number): string {
  if (value === 0) return '0ms';
  if (value % 3_600_000 === 0) return `${value / 3_600_000}h`;
  if (value % 60_000 === 0) return `${value / 60_000}m`;
  if (value >= 1000) return `${value / 1000}s`;
  return `${value}ms`;
}

/**
 * One phrase for a latency: `120ms`, `50ms–150ms`, `~100ms±20ms`, `~exp(100ms)`.
 *
 * @example
 * explainLatency({ dist: 'uniform', min: 50, max: 150 }); // '50ms–150ms'
 */
export function explainLatency(latency: Latency): string {
  if (typeof latency === 'number') return ms(latency);
  if (latency.dist === 'uniform') return `${ms(latency.min)}–${ms(latency.max)}`;
  if (latency.dist === 'normal') return `~${ms(latency.mean)}±${ms(latency.sd)}`;
  return `~exp(${ms(latency.mean)})`;
}

function afterDelay(step: { readonly delay?: Latency }): string {
  return step.delay === undefined ? '' : ` after ${explainLatency(step.delay)}`;
}

function extras(step: StatusStep | SlowStep): string {
  const parts: string[] = [];
  const headerCount = step.headers ? Object.keys(step.headers).length : 0;
  if (headerCount > 0) parts.push(`${headerCount} header${headerCount === 1 ? '' : 's'}`);
  if (step.body !== undefined) parts.push(`a ${Buffer.byteLength(step.body)}-byte body`);
  return parts.length ? ` with ${parts.join(' and ')}` : '';
}

/**
 * One phrase for a step.
 *
 * @example
 * explainStep({ kind: 'status', status: 503, delay: 120 }); // "503 after 120ms"
 */
export function explainStep(step: Step): string {
  switch (step.kind) {
    case 'status':
      return `${step.status}${extras(step)}${afterDelay(step)}`;
    case 'slow-headers':
      return `${step.status}${extras(step)} with its head dribbled over ${ms(step.over)}${afterDelay(step)}`;
    case 'slow-body':
      return `${step.status}${extras(step)} with its body dribbled over ${ms(step.over)}${afterDelay(step)}`;
    case 'hang':
      return 'hang (never answer)';
    case 'reset':
      return `reset the connection${afterDelay(step)}`;
    case 'close':
      return `close the connection without answering${afterDelay(step)}`;
    case 'malformed':
      return `send malformed bytes${afterDelay(step)}`;
    case 'refuse':
      return step.for === undefined ? 'refuse connections' : `refuse connections for ${ms(step.for)}`;
    case 'pass': {
      const status = step.status === undefined ? '' : ` with its status replaced by ${step.status}`;
      const slow = step.over === undefined ? '' : ` and its body dribbled over ${ms(step.over)}`;
      return `pass to the upstream${status}${slow}${afterDelay(step)}`;
    }
  }
}

/**
 * One phrase for any script item.
 *
 * @example
 * explainItem({ kind: 'repeat', times: 3, item: { kind: 'status', status: 503 } }); // "503 three times"
 */
export function explainItem(item: Item): string {
  switch (item.kind) {
    case 'choice': {
      const total = item.options.reduce((sum, o) => sum + (o.weight ?? 1), 0);
      const picks = item.options.map(
        (o) => `${explainStep(o.step)} (${Math.round(((o.weight ?? 1) / total) * 1000) / 10}%)`,
      );
      return `one of ${picks.join(' / ')}`;
    }
    case 'repeat':
      return item.item.kind === 'choice'
        ? `(${explainItem(item.item)}) ${times(item.times)}`
        : `${explainItem(item.item)} ${times(item.times)}`;
    case 'group':
      return `(${item.items.map(explainItem).join(', then ')})`;
    case 'forever':
      return `${explainItem(item.item)} forever`;
    default:
      return explainStep(item);
  }
}

function explainWindow(window: TimeWindow): string {
  const until = window.until === undefined ? '' : ` until ${ms(window.until)}`;
  return `down (${explainStep(window.step ?? { kind: 'status', status: DOWN_STATUS })}) from ${ms(window.from)}${until}`;
}

/**
 * One line for a route.
 *
 * @example
 * explainRoute({ path: '/healthz', script: [{ kind: 'status', status: 200 }] });
 * // "/healthz: 200, then the last step repeats"
 */
export function explainRoute(route: Route): string {
  const parts: string[] = [];
  const script = route.script;
  if (script.length === 0) {
    parts.push(`${DEFAULT_STATUS} always`);
  } else {
    const steps = script.map(explainItem).join(', then ');
    const last = script[script.length - 1] as Item;
    const end =
      last.kind === 'forever'
        ? ''
        : route.end === 'cycle'
          ? ', then from the start again'
          : route.end === 'end'
            ? `, then ${EXHAUSTED_STATUS} (script exhausted)`
            : ', then the last step repeats';
    parts.push(steps + end);
  }
  for (const window of route.windows ?? []) parts.push(explainWindow(window));
  if (route.flap) {
    const down = explainStep(route.flap.step ?? { kind: 'status', status: DOWN_STATUS });
    parts.push(`flapping: up ${ms(route.flap.up)}, then ${down} for ${ms(route.flap.down)}`);
  }
  return `${explainRouteKey(route)}: ${parts.join('; ')}`;
}

/**
 * What a route answers, in a few words: `any path`, `/healthz`, `POST /healthz`, `GET any path`.
 *
 * @example
 * explainRouteKey({ method: 'POST', path: '/healthz', script: [] }); // "POST /healthz"
 */
export function explainRouteKey(route: Pick<Route, 'method' | 'path'>): string {
  const path = route.path === ANY_PATH ? 'any path' : route.path;
  return route.method === undefined ? path : `${route.method} ${path}`;
}

/**
 * Explains a whole definition in one line (routes separated by ` | `).
 *
 * @example
 * explain(parseScript('200*2, 503*3, hang, 200...'));
 * // "any path: 200 twice, then 503 three times, then hang (never answer), then 200 forever"
 */
export function explain(definition: EndpointDefinition): string {
  return definition.routes.map(explainRoute).join(' | ');
}
