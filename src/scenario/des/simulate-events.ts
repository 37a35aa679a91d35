import { resolveOptions } from '../../checker/options.js';
import { ScriptPlayer } from '../../endpoint/engine/player.js';
import type { Clock } from '../../time/clock.js';
import { yieldToEventLoop } from '../../time/yield.js';
import { optionsFromScenario } from '../reference-adapter.js';
import { SCENARIO_URL } from '../run.js';
import type { Scenario, Trace } from '../types.js';
import { CheckerMachine } from './machine.js';

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
export function simulateEvents(scenario: Scenario): Trace | undefined {
  return eventMachine(scenario)?.run();
}

/**
 * {@link simulateEvents}, yielding to the event loop every {@link SLICE_EVENTS} events, so a
 * long run does not hold up signals, I/O and timers (Ctrl-C in `probekit explain`) until it
 * ends; `undefined` where simulateEvents gives `undefined`.
 *
 * @example
 * const trace = (await simulateEventsYielding(scenario)) ?? (await simulateAsync(scenario));
 */
export function simulateEventsYielding(scenario: Scenario): Promise<Trace> | undefined {
  const machine = eventMachine(scenario);
  return machine && runInSlices(machine);
}

async function runInSlices(machine: CheckerMachine): Promise<Trace> {
  while (!machine.advance(SLICE_EVENTS)) {
    await yieldToEventLoop();
  }
  return machine.trace();
}

/** The machine for `scenario`, or `undefined` outside what it is proven on (see simulateEvents). */
function eventMachine(scenario: Scenario): CheckerMachine | undefined {
  let machine: CheckerMachine | undefined;
  // The player reads the clock only for the script's start (0); requests carry their instant.
  const clock: Clock = {
    get now() {
      return machine?.now ?? 0;
    },
    setTimeout() {
      throw new Error('Failed to set a timer: the event simulator schedules its own events.');
    },
    clearTimeout() {},
  };
  // Nobody reads this journal: keep none of it.
  const player = new ScriptPlayer(scenario.script, { clock, seed: scenario.seed ?? 0, journalSize: 0 });
  const options = resolveOptions(optionsFromScenario(scenario.options));
  const readDelay = scenario.readDelayMs ?? 0;
  const { durationMs } = scenario;
  if (
    !isWholeMs(options.initialDelay) ||
    !isWholeMs(options.interval) ||
    !isWholeMs(options.requestTimeout) ||
    typeof readDelay !== 'number' ||
    !isWholeMs(readDelay) ||
    typeof durationMs !== 'number' ||
    !isWholeMs(durationMs)
  ) {
    return undefined;
  }
  machine = new CheckerMachine(
    {
      initialDelay: options.initialDelay,
      interval: options.interval,
      requestTimeout: options.requestTimeout,
      failureThreshold: options.failureThreshold,
      successStatusCode: options.successStatusCode,
      readDelay,
      duration: durationMs,
      path: SCENARIO_PATH,
      options: scenario.options,
    },
    player,
  );
  return machine;
}
