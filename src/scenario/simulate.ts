import {
  startEndpointHealthCheck,
  withClock,
  withObserver,
  withProfile,
  withTransport,
} from '../checker/index.js';
import { profileNamed, REFERENCE_PROFILE } from '../checker/profiles/catalogue.js';
import { ProbekitError } from '../errors.js';
import { simulateEventsYielding } from './des/simulate-events.js';
import { optionsFromScenario } from './reference-adapter.js';
import { playScenario } from './run.js';
import { TraceRecorder } from './trace-recorder.js';
import type { Scenario, Trace } from './types.js';
import { assertRunnable } from './validate.js';

/**
 * Runs the reference checker (Dapr v1.0, faithfully) against the scenario's endpoint on a
 * virtual clock: deterministic to the millisecond. The trace is the loop's full view —
 * failure counts, ticks delivered and dropped, the end of the initial delay, blocked periods,
 * when each signal was emitted and received — and marks probes failed without a request
 * (`sent: false`, e.g. requestTimeout 0), which no endpoint can see.
 *
 * It runs on a discrete-event simulator (docs/decisions/0010-discrete-event-simulator.md):
 * the checker's loop as a state machine stepped by a queue of events, proven to give the same
 * trace as the async checker on a fake-timers clock ({@link simulateAsync}).
 *
 * The parts of the scenario a run reads are checked first (see `assertRunnable`): a scenario
 * that is not one, or longer than `MAX_SIMULATED_TICKS` ticks, is refused with a
 * `ProbekitError` (`ERR_PROBEKIT_INVALID_SCENARIO`) before anything runs.
 *
 * Under another Dapr version's profile (`{ profile: 'dapr-1.1' }`, docs/profiles.md) the same
 * engine runs that version's loop, counter, client rules and defaults.
 *
 * @example
 * const trace = await simulate({ id: 'streaks', description: '…', rules: ['count.one-false-per-streak'],
 *   level: 'core', options: { intervalMs: 100, initialDelayMs: 0 }, script: '200, 503*3, 200', durationMs: 650 });
 */
export async function simulate(scenario: Scenario, options: SimulateOptions = {}): Promise<Trace> {
  const id: unknown = (scenario as Partial<Scenario> | null)?.id;
  const origin = typeof id === 'string' ? `simulate() of ${JSON.stringify(id.slice(0, 80))}` : 'simulate()';
  assertRunnable(scenario, origin);
  const profile = profileNamed(options.profile ?? REFERENCE_PROFILE).name;
  const extra = {
    ...(options.unhealthyInterval === undefined ? {} : { unhealthyInterval: options.unhealthyInterval }),
    ...(options.client === undefined ? {} : { client: options.client }),
  };
  // The event simulator gives the async run's trace exactly (test/scenario/des-equivalence.test.ts),
  // tens of times faster; it leaves times that are not whole ms to the async run.
  const running = simulateEventsYielding(scenario, profile, extra);
  if (running) return running;
  if (
    profile !== REFERENCE_PROFILE ||
    options.unhealthyInterval !== undefined ||
    options.client === 'in-process'
  ) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to run ${origin} under ${profile}: its times are not whole milliseconds. Round the scenario's options, readDelayMs and durationMs to whole ms.`,
    );
  }
  return simulateAsync(scenario);
}

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The Dapr version to simulate (`dapr-1.0`, the reference, by default): see `PROFILE_NAMES`. */
  readonly profile?: string;
  /** `dapr-1.13` only: the interval while unhealthy (default 500 ms). */
  readonly unhealthyInterval?: number;
  /**
   * `'in-process'`: the profile's loop with the suite's in-process transport as its client (a
   * status per request, nothing followed or retried, no connection lost) — what a checker
   * adapted in process shows, since the suite hands it the transport. Default: the profile's client.
   */
  readonly client?: 'profile' | 'in-process';
}

/**
 * {@link simulate} through the async checker itself — `startEndpointHealthCheck` on a
 * fake-timers clock, the in-process endpoint as its transport — with no bound on the run: the
 * reference the event simulator is proven against, and the path for what it does not take.
 *
 * @example
 * const trace = await simulateAsync(scenario); // the same trace as simulate(scenario)
 */
export async function simulateAsync(scenario: Scenario, profile: string = REFERENCE_PROFILE): Promise<Trace> {
  const recorder = new TraceRecorder({ source: 'simulate', options: scenario.options });
  const sent: boolean[] = [];
  let requests = 0;
  let requestsAtProbeStart = 0;
  await playScenario(
    scenario,
    (url, { clock, transport }) =>
      startEndpointHealthCheck(
        url,
        withProfile(profile),
        ...optionsFromScenario(scenario.options),
        withClock(clock),
        withTransport((request) => {
          requests++;
          return transport(request);
        }),
        withObserver((event) => {
          // Probes run one at a time and call the transport at once or not at all.
          if (event.type === 'probe-start') requestsAtProbeStart = requests;
          if (event.type === 'probe-end') sent[event.probe] = requests > requestsAtProbeStart;
          recorder.observe(event);
        }),
      ),
    'simulate',
    () => recorder.cut(scenario.durationMs),
  );
  const trace = recorder.finish(scenario.durationMs);
  for (const probe of trace.probes) if (sent[probe.index] === false) probe.sent = false;
  return trace;
}
