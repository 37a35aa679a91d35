import { flakyEndpoint } from '../endpoint/flaky-endpoint.js';
import type { Clock } from '../time/clock.js';
import type { Transport } from '../transport/types.js';
import type { Scenario } from './types.js';

/** The scenario's endpoint in process, on `clock`: its script played through a Transport. */
export function scenarioEndpoint(scenario: Scenario, clock: Clock): Transport {
  return flakyEndpoint(scenario.script, { clock, seed: scenario.seed ?? 0 }).transport;
}
