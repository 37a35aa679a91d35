import { DEFAULTS } from '../../../checker/options.js';
import { printScript } from '../../../endpoint/script/dsl/printer.js';
import type {
  EndpointDefinition,
  Flap,
  Item,
  Latency,
  Route,
  Step,
  TimeWindow,
} from '../../../endpoint/script/model.js';
import { toDefinition } from '../../../endpoint/script/schema.js';
import { describeValue, ProbekitError } from '../../../errors.js';
import { simulate } from '../../../scenario/simulate.js';
import type { Scenario, ScenarioOptions, Trace } from '../../../scenario/types.js';

/**
 * The largest and smallest `--time-scale` accepted.
 *
 * @example
 * TIME_SCALE_LIMITS.min; // 0.001
 */
export const TIME_SCALE_LIMITS = Object.freeze({ min: 0.001, max: 100 });

/**
 * Checks a time scale (a positive factor every scenario time is multiplied by).
 *
 * @example
 * checkTimeScale(0.5); // 0.5
 */
export function checkTimeScale(scale: unknown): number {
  if (
    typeof scale !== 'number' ||
    !Number.isFinite(scale) ||
    scale < TIME_SCALE_LIMITS.min ||
    scale > TIME_SCALE_LIMITS.max
  ) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to scale the scenarios: the time scale ${describeValue(scale)} is not a number from ${TIME_SCALE_LIMITS.min} to ${TIME_SCALE_LIMITS.max}. Use 1 for the scenarios' own times, 0.5 for twice as fast.`,
    );
  }
  return scale;
}

/**
 * Scales one duration to whole milliseconds. A positive duration never becomes 0: a 0 often
 * means something else (an initial delay of none, a timeout that fails at once).
 *
 * @example
 * scaleMs(30, 0.5); // 15
 */
export function scaleMs(ms: number, scale: number): number {
  if (ms <= 0) return ms;
  return Math.max(1, Math.round(ms * scale));
}

function scaleLatency(latency: Latency, scale: number): Latency {
  if (typeof latency === 'number') return scaleMs(latency, scale);
  switch (latency.dist) {
    case 'uniform':
      return { dist: 'uniform', min: scaleMs(latency.min, scale), max: scaleMs(latency.max, scale) };
    case 'normal':
      return { dist: 'normal', mean: scaleMs(latency.mean, scale), sd: scaleMs(latency.sd, scale) };
    default:
      return { dist: 'exponential', mean: scaleMs(latency.mean, scale) };
  }
}

function scaleStep(step: Step, scale: number): Step {
  switch (step.kind) {
    case 'hang':
      return step;
    case 'refuse':
      return step.for === undefined ? step : { ...step, for: scaleMs(step.for, scale) };
    case 'slow-headers':
    case 'slow-body': {
      const over = scaleMs(step.over, scale);
      return step.delay === undefined
        ? { ...step, over }
        : { ...step, over, delay: scaleLatency(step.delay, scale) };
    }
    default:
      return step.delay === undefined ? step : { ...step, delay: scaleLatency(step.delay, scale) };
  }
}

/** How {@link mapDefinition} rewrites a definition: every step, and every route-level time. */
export interface DefinitionMapper {
  readonly step: (step: Step) => Step;
  /** Window bounds and flapping periods (ms). */
  readonly ms: (ms: number) => number;
}

function mapItem(item: Item, map: DefinitionMapper): Item {
  switch (item.kind) {
    case 'repeat':
      return { ...item, item: mapItem(item.item, map) };
    case 'forever':
      return { ...item, item: mapItem(item.item, map) };
    case 'group':
      return { ...item, items: item.items.map((i) => mapItem(i, map)) };
    case 'choice':
      return { ...item, options: item.options.map((o) => ({ ...o, step: map.step(o.step) })) };
    default:
      return map.step(item);
  }
}

function mapWindow(window: TimeWindow, map: DefinitionMapper): TimeWindow {
  const mapped: { from: number; until?: number; step?: Step } = { from: map.ms(window.from) };
  if (window.until !== undefined) mapped.until = map.ms(window.until);
  if (window.step !== undefined) mapped.step = map.step(window.step);
  return mapped;
}

function mapFlap(flap: Flap, map: DefinitionMapper): Flap {
  const mapped: { up: number; down: number; step?: Step } = { up: map.ms(flap.up), down: map.ms(flap.down) };
  if (flap.step !== undefined) mapped.step = map.step(flap.step);
  return mapped;
}

/**
 * Rewrites every step of a definition (in scripts, choices, windows and flaps) and every
 * route-level time, keeping its structure.
 *
 * @example
 * mapDefinition(definition, { step: (s) => s, ms: (ms) => ms * 2 }); // windows and flaps twice as long
 */
export function mapDefinition(definition: EndpointDefinition, map: DefinitionMapper): EndpointDefinition {
  return {
    routes: definition.routes.map((route): Route => {
      const mapped: {
        path: string;
        script: Item[];
        end?: Route['end'];
        windows?: TimeWindow[];
        flap?: Flap;
      } = { path: route.path, script: route.script.map((item) => mapItem(item, map)) };
      if (route.end !== undefined) mapped.end = route.end;
      if (route.windows !== undefined) mapped.windows = route.windows.map((w) => mapWindow(w, map));
      if (route.flap !== undefined) mapped.flap = mapFlap(route.flap, map);
      return mapped;
    }),
  };
}

/**
 * Multiplies every time in an endpoint definition by `scale` (delays and latency
 * distributions, dribble durations, refusals, windows, flapping), rounding to whole ms.
 * Counts, statuses, headers and bodies are unchanged.
 *
 * @example
 * printScript(scaleDefinition(parseScript('delay 40ms then 200, refuse 250ms'), 0.5));
 * // "delay 20ms then 200, refuse 125ms"
 */
export function scaleDefinition(definition: EndpointDefinition, scale: number): EndpointDefinition {
  checkTimeScale(scale);
  return mapDefinition(definition, {
    step: (step) => scaleStep(step, scale),
    ms: (ms) => scaleMs(ms, scale),
  });
}

/** A scenario made ready for a real-time run at some scale. */
export interface ScaledScenario {
  /** The scenario with every time scaled (and, at a scale other than 1, the Dapr time defaults made explicit). */
  readonly scenario: Scenario;
  /** The endpoint definition the mock server plays. */
  readonly definition: EndpointDefinition;
  /** The trace to compare with: the fixture's own at scale 1, the reference's for the scaled scenario otherwise. */
  readonly expected: Trace;
  /** Things the report should say about how the case was run. */
  readonly notes: readonly string[];
}

const TIME_DEFAULTS: ReadonlyArray<[keyof ScenarioOptions, number, string]> = [
  ['initialDelayMs', DEFAULTS.initialDelay, 'PROBEKIT_INITIAL_DELAY_MS'],
  ['intervalMs', DEFAULTS.interval, 'PROBEKIT_INTERVAL_MS'],
  ['requestTimeoutMs', DEFAULTS.requestTimeout, 'PROBEKIT_REQUEST_TIMEOUT_MS'],
];

/**
 * Prepares a scenario for a real-time run at `scale`. At scale 1 nothing changes and the
 * fixture's expected trace is used as is. At any other scale:
 *
 * - options, `readDelayMs`, `durationMs`, `idleTimeoutMs` and every time in the script are
 *   multiplied by `scale` and rounded to whole ms;
 * - time options the scenario leaves to the defaults (initial delay, interval, request
 *   timeout) are passed explicitly, as Dapr's defaults × `scale`: an implementation's own
 *   defaults cannot be scaled from outside. A note says so; the defaults themselves are only
 *   exercised at scale 1;
 * - the expected trace is simulated again for the scaled scenario with the reference checker
 *   (multiplying the old times would disagree with the rounded options by a ms here and there,
 *   and can turn a tie into an order).
 *
 * @example
 * const { scenario, expected, notes } = await scaleScenario(fixture, 0.5);
 */
export async function scaleScenario(scenario: Scenario, scale: number): Promise<ScaledScenario> {
  checkTimeScale(scale);
  const definition = toDefinition(scenario.script);
  if (scale === 1) {
    if (!scenario.expected) throw noExpected(scenario);
    return { scenario, definition, expected: scenario.expected, notes: [] };
  }
  const notes: string[] = [];
  const options: ScenarioOptions = { ...scenario.options };
  const defaulted: string[] = [];
  for (const [key, fallback, variable] of TIME_DEFAULTS) {
    const value = scenario.options[key];
    if (value === undefined) {
      options[key] = scaleMs(fallback, scale);
      defaulted.push(`${variable}=${options[key]}`);
    } else {
      options[key] = scaleMs(value, scale);
    }
  }
  if (defaulted.length) {
    notes.push(
      `Dapr's time defaults were passed explicitly, scaled by ${scale} (${defaulted.join(', ')}): the implementation's own defaults are only exercised at --time-scale 1.`,
    );
  }
  const scaledDefinition = scaleDefinition(definition, scale);
  const scaled: Scenario = {
    ...scenario,
    options,
    script: printScript(scaledDefinition),
    durationMs: scaleMs(scenario.durationMs, scale),
  };
  if (scenario.readDelayMs !== undefined) scaled.readDelayMs = scaleMs(scenario.readDelayMs, scale);
  if (scenario.idleTimeoutMs !== undefined) scaled.idleTimeoutMs = scaleMs(scenario.idleTimeoutMs, scale);
  const { expected: _fixture, ...definitionOnly } = scaled;
  const expected = await simulate(definitionOnly);
  return { scenario: { ...definitionOnly, expected }, definition: scaledDefinition, expected, notes };
}

/** Node's own keep-alive idle timeout (`http.Server#keepAliveTimeout`). */
const NODE_IDLE_TIMEOUT_MS = 5000;

/** The longest timer Node runs as asked. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The keep-alive idle timeout for the mock server of a real-time run (pass it as
 * `startMockServer`'s `idleTimeoutMs`), given the scenario as it will run (after
 * {@link scaleScenario}): the scenario's own `idleTimeoutMs` if it sets one (already scaled),
 * else the run's duration plus one interval, and never less than Node's 5 s default.
 *
 * Why longer than the whole run, not just the interval: the expected traces come from
 * `simulate()`, which never closes an idle connection, and Dapr v1.0 reuses its connection
 * without retrying, so a connection closed while idle fails the next probe (docs/semantics.md §1,
 * "Connection reuse without retry"). The gap between two requests is not bounded by the
 * interval: an unread signal blocks the loop (`readDelayMs`), an initial delay can be long.
 * It is bounded by the run, and a timer that outlives the run costs nothing (the server is
 * closed at the end). At Dapr's 5 s interval, Node's default would leave about 1 s of margin.
 *
 * @example
 * mockIdleTimeoutMs({ ...scenario, options: { intervalMs: 10_000 }, durationMs: 45_000 }); // 55000
 * mockIdleTimeoutMs({ ...scenario, idleTimeoutMs: 2000 }); // 2000
 */
export function mockIdleTimeoutMs(scenario: Scenario): number {
  if (scenario.idleTimeoutMs !== undefined) return scenario.idleTimeoutMs;
  const interval = scenario.options.intervalMs ?? DEFAULTS.interval;
  const longerThanTheRun = Math.ceil(scenario.durationMs + interval);
  return Math.min(MAX_TIMER_MS, Math.max(NODE_IDLE_TIMEOUT_MS, longerThanTheRun));
}

function noExpected(scenario: Scenario): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_SCENARIO',
    `Failed to run scenario ${scenario.id}: it has no expected trace. Run "probekit fixtures update" on its folder.`,
  );
}
