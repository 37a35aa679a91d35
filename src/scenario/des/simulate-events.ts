import { resolveOptions } from '../../checker/options.js';
import { ScriptPlayer } from '../../endpoint/player.js';
import type { Clock } from '../../time/clock.js';
import { optionsFromScenario } from '../reference-adapter.js';
import { SCENARIO_URL } from '../run.js';
import type { Scenario, Trace } from '../types.js';
import { CheckerMachine } from './machine.js';

const SCENARIO_PATH = new URL(SCENARIO_URL).pathname;

const isWholeMs = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

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
  return machine.run();
}
