import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { planFleet, simulateFleet } from '../../src/scenario/fleet.js';
import { memoryIo } from '../support/cli-io.js';

describe('a fleet run under a Dapr profile', () => {
  const spec = {
    script: '200, 503*5, 200...',
    endpoints: 3,
    options: { intervalMs: 100, initialDelayMs: 0 },
    durationMs: 1000,
  };

  it('counts the false signals each version sends: once per streak, or on every failure past the threshold', async () => {
    const reference = await simulateFleet(planFleet(spec));
    const v11 = await simulateFleet(planFleet({ ...spec, profile: 'dapr-1.1' }));
    expect(reference.profile).toBe('dapr-1.0');
    expect(reference.totals.falseSignals).toBe(3);
    expect(v11.profile).toBe('dapr-1.1');
    expect(v11.totals.falseSignals).toBe(3 * 4);
  });

  it("fills the options it reports with the profile's own defaults", async () => {
    const summary = await simulateFleet(
      planFleet({ ...spec, script: '200...', options: {}, durationMs: 10_000, profile: 'dapr-1.13' }),
    );
    expect(summary.options.intervalMs).toBe(3000);
    // v1.13 probes at once, then every 3 s while healthy: 0, 3000, 6000, 9000.
    expect(summary.endpoints[0]?.probes).toBe(4);
  });

  it('bounds the run by the faster of v1.13’s two tickers', () => {
    const plan = planFleet({
      ...spec,
      options: { intervalMs: 3000 },
      durationMs: 60_000,
      profile: 'dapr-1.13',
    });
    expect(plan.ticksPerEndpoint).toBe(120);
  });

  it('refuses an unknown profile on the command line with exit code 2', async () => {
    const t = memoryIo();
    expect(await main(['simulate', '200...', '--for', '1s', '--profile', 'dapr-9'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/--profile.*no such profile/);
  });
});
