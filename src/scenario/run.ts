import FakeTimers from '@sinonjs/fake-timers';
import { ProbekitError } from '../errors.js';
import { type Clock, sleep, systemClock } from '../time/clock.js';
import { describeOutcome, outcomeOfError } from '../transport/outcome.js';
import type { Transport } from '../transport/types.js';
import type { CheckerAdapter, CheckerRun } from './adapter.js';
import { scenarioEndpoint } from './scenario-endpoint.js';
import type { Scenario, Trace, TraceProbe, TraceSignal } from './types.js';

/** The URL a scenario's checker probes; the in-process endpoint answers it. */
export const SCENARIO_URL = 'http://endpoint.probekit.test/healthz';

/** How long (real time) a stopped adapter may take to finish its iterator before we give up. */
const STOP_GRACE_MS = 2000;

/** What the endpoint saw and the consumer received during one virtual-time run. */
export interface ScenarioPlay {
  readonly trace: Trace;
  readonly clock: Clock;
}

/**
 * Plays `scenario` on a fresh fake-timers clock: the in-process endpoint runs the script, the
 * checker started by `start` probes it, a consumer reads from `readDelayMs`, and after
 * `durationMs` the run is cut and stopped. The trace is what an outsider can observe: each
 * request the endpoint received (start, end, outcome — `timeout` when the checker gave up
 * first) and each value the consumer received. `onCut` runs at the cut, before the stop.
 */
export async function playScenario(
  scenario: Scenario,
  start: (url: string, env: { clock: Clock; transport: Transport }) => CheckerRun,
  source: string,
  onCut?: () => void,
): Promise<ScenarioPlay> {
  const clock = FakeTimers.createClock(0);
  const endpoint = scenarioEndpoint(scenario, clock);
  const probes: TraceProbe[] = [];
  const transport: Transport = (request) => {
    const probe: TraceProbe = { index: probes.length, start: clock.now };
    probes.push(probe);
    return endpoint(request).then(
      (response) => {
        probe.end = clock.now;
        probe.outcome = String(response.status);
        return response;
      },
      (error: unknown) => {
        probe.end = clock.now;
        probe.outcome = request.signal.aborted ? 'timeout' : describeOutcome(outcomeOfError(error));
        throw error;
      },
    );
  };
  const run = start(SCENARIO_URL, { clock, transport });
  const signals: TraceSignal[] = [];
  const reading = new AbortController();
  const reader = (async () => {
    if (scenario.readDelayMs) {
      try {
        await sleep(clock, scenario.readDelayMs, reading.signal);
      } catch {
        return; // The run was cut before the consumer started reading.
      }
    }
    for await (const value of run) signals.push({ at: clock.now, value });
  })();
  // Surface a failing reader only after the cut (an error here is the implementation's).
  const readerOutcome = reader.then(
    () => undefined,
    (error: unknown) => error,
  );
  await clock.tickAsync(scenario.durationMs);
  const trace: Trace = {
    source,
    durationMs: scenario.durationMs,
    probes: probes.map((p) => ({ ...p })),
    signals: signals.map((s) => ({ ...s })),
    options: scenario.options,
  };
  onCut?.();
  reading.abort();
  await run.stop();
  const grace = new AbortController();
  const finished = await Promise.race([
    readerOutcome,
    sleep(systemClock, STOP_GRACE_MS, grace.signal).then(
      () => 'timeout' as const,
      () => undefined,
    ),
  ]);
  grace.abort();
  if (finished === 'timeout') {
    throw new ProbekitError(
      'ERR_PROBEKIT_PROTOCOL',
      `Failed to run scenario ${scenario.id} against ${source}: its iterator did not finish within ${STOP_GRACE_MS} ms of stop(). An adapter's stop() must end the iteration.`,
    );
  }
  if (
    finished !== undefined &&
    !(finished instanceof ProbekitError && finished.code === 'ERR_PROBEKIT_STOPPED')
  ) {
    const reason = finished instanceof Error ? finished.message : String(finished);
    throw new ProbekitError(
      'ERR_PROBEKIT_PROTOCOL',
      `Failed to run scenario ${scenario.id} against ${source}: reading its signals threw: ${reason}.`,
      { cause: finished },
    );
  }
  return { trace, clock };
}

/**
 * Runs `scenario` against a checker adapter in virtual time and returns the observable trace.
 *
 * @example
 * const trace = await runScenario(scenario, referenceAdapter);
 * const diffs = compareTraces(scenario.expected!, trace);
 */
export async function runScenario(scenario: Scenario, adapter: CheckerAdapter): Promise<Trace> {
  const { trace } = await playScenario(
    scenario,
    (url, env) => adapter.start(url, scenario.options, env),
    adapter.name,
  );
  return trace;
}
