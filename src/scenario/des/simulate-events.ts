import { resolveOptions, withProfile } from '../../checker/options.js';
import { REFERENCE_PROFILE } from '../../checker/profiles/catalogue.js';
import type { ClientRules } from '../../checker/profiles/client.js';
import { createLoop } from '../../checker/profiles/machines.js';
import { ScriptPlayer } from '../../endpoint/engine/player.js';
import type { Clock } from '../../time/clock.js';
import { yieldToEventLoop } from '../../time/yield.js';
import { optionsFromScenario } from '../reference-adapter.js';
import { SCENARIO_URL } from '../run.js';
import type { Scenario, Trace } from '../types.js';
import { ProfileRunner } from './profile-runner.js';

const SCENARIO_PATH = new URL(SCENARIO_URL).pathname;

const isWholeMs = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** Events per slice when yielding: a slice takes well under a millisecond. */
const SLICE_EVENTS = 1024;

/**
 * Runs `scenario` on the discrete-event simulator: the same trace as the async checker on a
 * fake-timers clock (`simulateAsync`), without timers or promises. Returns `undefined` for a
 * scenario outside what the simulator is proven on — times that are not whole milliseconds,
 * where fake-timers rounds a timer up and the async run's instants shift — so the caller falls
 * back to the async run. A bad script or bad options throw the ProbekitError the async run
 * throws, in the same order (the endpoint is made first).
 *
 * @example
 * const trace = simulateEvents({ id: 'x', description: '…', rules: [], level: 'core',
 *   options: { intervalMs: 100, initialDelayMs: 0 }, script: '200, 503*3, 200', durationMs: 650 });
 */
export function simulateEvents(
  scenario: Scenario,
  profile: string = REFERENCE_PROFILE,
  extra: ProfileExtras = {},
): Trace | undefined {
  return profileRunner(scenario, profile, extra)?.run();
}

/** What a profile has beyond the scenario's options. */
export interface ProfileExtras {
  /** `dapr-1.13`: the interval while unhealthy. */
  readonly unhealthyInterval?: number;
  /**
   * Whose client probes: the profile's own (default), or the suite's in-process transport —
   * a status per request, whole, nothing followed or retried, no connection lost — which is
   * what a checker adapted in process uses, whatever version it reproduces.
   */
  readonly client?: 'profile' | 'in-process';
}

/** The in-process transport as a client: what an adapter run in process gets, whatever its profile. */
export function inProcessClient(client: ClientRules): ClientRules {
  return {
    ...client,
    followRedirects: 0,
    settleAt: 'body',
    connections: 'keep-alive',
    reusedConnectionFailure: 'fail',
    bodyUnread: false,
  };
}

/**
 * {@link simulateEvents}, yielding to the event loop every {@link SLICE_EVENTS} events, so a
 * long run does not hold up signals, I/O and timers (Ctrl-C in `probekit explain`) until it
 * ends; `undefined` where simulateEvents gives `undefined`.
 *
 * @example
 * const trace = (await simulateEventsYielding(scenario)) ?? (await simulateAsync(scenario));
 */
export function simulateEventsYielding(
  scenario: Scenario,
  profile: string = REFERENCE_PROFILE,
  extra: ProfileExtras = {},
): Promise<Trace> | undefined {
  const machine = profileRunner(scenario, profile, extra);
  return machine && runInSlices(machine);
}

async function runInSlices(machine: ProfileRunner): Promise<Trace> {
  while (!machine.advance(SLICE_EVENTS)) {
    await yieldToEventLoop();
  }
  return machine.trace();
}

/** The channel's capacity under each loop kind: Go's `make(chan bool, 1)`, v1.13's unbuffered one, a callback. */
const CAPACITY = {
  sequential: 1,
  'goroutine-per-tick': 1,
  phased: 0,
  'app-health': Number.POSITIVE_INFINITY,
} as const;

/**
 * The event-driven run of `scenario` under a Dapr profile (`dapr-1.0` by default), or
 * `undefined` where the simulator does not go (times that are not whole milliseconds).
 * Options the scenario leaves out take the profile's defaults.
 *
 * @example
 * const trace = profileRunner(scenario, 'dapr-1.1')?.run();
 */
export function profileRunner(
  scenario: Scenario,
  profileName: string,
  extra: ProfileExtras = {},
): ProfileRunner | undefined {
  let runner: ProfileRunner | undefined;
  const clock: Clock = {
    get now() {
      return runner?.now ?? 0;
    },
    setTimeout() {
      throw new Error('Failed to set a timer: the event simulator schedules its own events.');
    },
    clearTimeout() {},
  };
  const player = new ScriptPlayer(scenario.script, { clock, seed: scenario.seed ?? 0, journalSize: 0 });
  const options = resolveOptions([withProfile(profileName, extra), ...optionsFromScenario(scenario.options)]);
  const profile = options.profile;
  const readDelay = scenario.readDelayMs ?? 0;
  const { durationMs } = scenario;
  // In process there are no connections to lose.
  const idleTimeout =
    extra.client === 'in-process'
      ? Number.POSITIVE_INFINITY
      : (scenario.idleTimeoutMs ?? Number.POSITIVE_INFINITY);
  if (
    !isWholeMs(options.initialDelay) ||
    !isWholeMs(options.interval) ||
    !isWholeMs(options.requestTimeout) ||
    !isWholeMs(options.unhealthyInterval) ||
    typeof readDelay !== 'number' ||
    !isWholeMs(readDelay) ||
    typeof durationMs !== 'number' ||
    !isWholeMs(durationMs)
  ) {
    return undefined;
  }
  const loop = createLoop(profile.loop, {
    initialDelay: profile.ignores.includes('initialDelay') ? 0 : options.initialDelay,
    interval: options.interval,
    failureThreshold: options.failureThreshold,
    successStatusCode: options.successStatusCode,
    unhealthyInterval: options.unhealthyInterval,
  });
  runner = new ProfileRunner(
    {
      loop,
      client: extra.client === 'in-process' ? inProcessClient(profile.client) : profile.client,
      requestTimeout: options.requestTimeout,
      successStatusCode: options.successStatusCode,
      channelCapacity: CAPACITY[profile.loop.kind],
      readDelay,
      duration: durationMs,
      path: SCENARIO_PATH,
      idleTimeout,
      options: scenario.options,
    },
    player,
  );
  return runner;
}
