import type { HttpHandler } from 'msw';
import { type Clock, systemClock } from '../time/clock.js';
import type { Transport } from '../transport/types.js';
import { inProcessTransport } from './backends/in-process.js';
import { mswHandlers } from './backends/msw.js';
import type { Journal } from './engine/journal.js';
import { ScriptPlayer } from './engine/player.js';
import type { EndpointDefinition } from './script/model.js';
import type { EndpointScript } from './script/schema.js';

/** Options for {@link flakyEndpoint}. */
export interface FlakyEndpointOptions {
  /** Delays, hangs, windows and flaps run on this clock (a fake-timers clock for virtual time). Default: the system clock. */
  readonly clock?: Clock;
  /** Seeds the random decisions (default 0): the same seed replays the same decisions. */
  readonly seed?: number;
  /** How many requests the journal keeps (default 10000). */
  readonly journalSize?: number;
  /** For `handlers`: only intercept requests to this origin (e.g. `http://endpoint.test`). Default: every origin. */
  readonly origin?: string;
}

/** One endpoint, reachable in process and through msw; both share its script state and journal. */
export interface FlakyEndpoint {
  /** A `Transport` for the checker (`withTransport(endpoint.transport)`). */
  readonly transport: Transport;
  /** msw request handlers for `setupServer(...handlers)` (needs the optional `msw` package). */
  readonly handlers: HttpHandler[];
  readonly journal: Journal;
  readonly seed: number;
  /** The definition being played (canonical form). */
  readonly definition: EndpointDefinition;
  /** Replaces the script (the script restarts now; the journal goes on). */
  setScript(script: EndpointScript): EndpointDefinition;
  /** Restarts the script and clears the journal. */
  reset(): void;
}

/**
 * A flaky endpoint in process: the same script as an in-process `Transport` and as `msw`
 * handlers, on an injected clock.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` for a bad script, `ERR_PROBEKIT_INVALID_OPTION` for bad options.
 * @example
 * const clock = FakeTimers.createClock(0);
 * const endpoint = flakyEndpoint('200, delay 120ms then 503, hang, 200...', { clock, seed: 42 });
 * const check = startEndpointHealthCheck('http://endpoint.test/healthz', withClock(clock), withTransport(endpoint.transport));
 */
export function flakyEndpoint(script: EndpointScript, options: FlakyEndpointOptions = {}): FlakyEndpoint {
  const player = new ScriptPlayer(script, {
    clock: options.clock ?? systemClock,
    seed: options.seed,
    journalSize: options.journalSize,
  });
  let handlers: HttpHandler[] | undefined;
  return {
    transport: inProcessTransport(player),
    get handlers() {
      handlers ??= mswHandlers(player, options.origin);
      return handlers;
    },
    journal: player.journal,
    seed: player.seed,
    get definition() {
      return player.definition;
    },
    setScript: (next) => player.setScript(next),
    reset: () => player.reset(),
  };
}
