import type { Clock } from '../time/clock.js';
import type { Transport } from '../transport/types.js';
import type { ScenarioOptions } from './types.js';

/** A running checker under test: its signals, read as Dapr's channel, and a way to stop it. */
export interface CheckerRun extends AsyncIterable<boolean> {
  stop(): unknown;
}

/**
 * How the conformance suites drive a JavaScript/TypeScript checker in process. `start` must
 * use the given `clock` for every wait and the given `transport` for every probe, so the run is
 * exact in virtual time; `options` holds only what the scenario sets (absent: your default).
 *
 * @example
 * const adapter: CheckerAdapter = {
 *   name: 'my-checker',
 *   start: (url, options, { clock, transport }) => myChecker(url, { ...options, clock, transport }),
 * };
 */
export interface CheckerAdapter {
  readonly name: string;
  start(url: string, options: ScenarioOptions, env: { clock: Clock; transport: Transport }): CheckerRun;
}
