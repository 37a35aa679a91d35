import { describe, expect, it } from 'vitest';
import {
  PROFILE_NAMES,
  profileNamed,
  withClock,
  withObserver,
  withTransport,
} from '../../src/checker/index.js';
import { resolveOptions } from '../../src/checker/options.js';
import { ProfileHealthCheck } from '../../src/checker/profile-check.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { optionsFromScenario } from '../../src/scenario/reference-adapter.js';
import { playScenario } from '../../src/scenario/run.js';
import { simulate, simulateAsync } from '../../src/scenario/simulate.js';
import { TraceRecorder } from '../../src/scenario/trace-recorder.js';
import type { Scenario } from '../../src/scenario/types.js';

/**
 * Two drivers of the same profile machines: the real-time check (timers, promises, the
 * in-process transport) on a fake-timers clock, and the discrete-event simulator. Where the
 * in-process transport can play the profile's client (no redirects to follow, no body to judge
 * at its headers, no keep-alive connection to lose), they must give the same trace.
 */
const scenarios = loadScenarios().map(({ scenario }) => scenario);

/**
 * What the in-process transport cannot play for a profile's client: it answers each request
 * with a status, whole, on no connection (no redirect followed, no retry on a reused one).
 */
function clientSensitive(scenario: Scenario, profile: string): boolean {
  const retries = profileNamed(profile).client.reusedConnectionFailure === 'retry';
  return (
    /location|slow-/i.test(scenario.script) ||
    scenario.idleTimeoutMs !== undefined ||
    (retries && /reset|close/.test(scenario.script))
  );
}

describe('the real-time profile check gives the simulator’s trace on a virtual clock', () => {
  for (const profile of PROFILE_NAMES) {
    it(`under ${profile}, for every fixture its transport can play`, async () => {
      let compared = 0;
      for (const scenario of scenarios) {
        if (clientSensitive(scenario, profile)) continue;
        const expected = await simulate(scenario, { profile }).catch((error: unknown) => error);
        if (expected instanceof Error) {
          // Refused alike (the app health checker refuses a timeout longer than its interval).
          await expect(simulateAsync(scenario, profile)).rejects.toThrow(expected.message);
          continue;
        }
        const actual = await simulateAsync(scenario, profile);
        expect(actual, `${profile} ${scenario.id}`).toStrictEqual(expected);
        compared++;
      }
      expect(compared).toBeGreaterThan(30);
    });
  }
});

describe('the profile engine under dapr-1.0 is the reference’s loop', () => {
  it('gives the reference checker’s trace for every fixture its transport can play', async () => {
    let compared = 0;
    for (const scenario of scenarios) {
      if (clientSensitive(scenario, 'dapr-1.0')) continue;
      const recorder = new TraceRecorder({ source: 'simulate', options: scenario.options });
      await playScenario(
        scenario,
        (url, { clock, transport }) =>
          new ProfileHealthCheck(
            url,
            resolveOptions([
              ...optionsFromScenario(scenario.options),
              withClock(clock),
              withTransport(transport),
              withObserver((event) => recorder.observe(event)),
            ]),
          ),
        'simulate',
        () => recorder.cut(scenario.durationMs),
      );
      const actual = recorder.finish(scenario.durationMs);
      const expected = await simulateAsync(scenario);
      // The reference marks unsent probes from its transport calls; the recorder cannot see them.
      for (const probe of expected.probes) delete probe.sent;
      expect(actual, scenario.id).toStrictEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });
});
