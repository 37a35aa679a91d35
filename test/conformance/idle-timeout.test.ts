import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/checker/options.js';
import { mockIdleTimeoutMs, scaleScenario } from '../../src/conformance/checker/process/scale.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import type { Scenario } from '../../src/scenario/types.js';
import { scenarioProblems } from '../../src/scenario/validate.js';

const files = loadScenarios();

const LONG_INTERVAL: Scenario = {
  id: 'long-interval',
  description: 'Dapr v1.0 probing every 10 s, as measured against a Node server',
  rules: ['defaults.dapr'],
  level: 'core',
  options: { initialDelayMs: 0, intervalMs: 10_000 },
  script: '200...',
  durationMs: 45_000,
};

describe("the mock server's keep-alive idle timeout in a real-time run", () => {
  it.each([0.5, 1, 2])(
    'outlasts the run, the interval and Node’s 5 s default for every shipped fixture that sets none, at time scale %s',
    async (scale) => {
      // A fixture with its own idleTimeoutMs stages the keep-alive race on purpose.
      for (const { scenario } of files.filter(({ scenario }) => scenario.idleTimeoutMs === undefined)) {
        const { scenario: scaled } = await scaleScenario(scenario, scale);
        const idle = mockIdleTimeoutMs(scaled);
        const interval = scaled.options.intervalMs ?? DEFAULTS.interval;
        expect(idle, scenario.id).toBeGreaterThan(scaled.durationMs);
        expect(idle, scenario.id).toBeGreaterThan(interval);
        expect(idle, scenario.id).toBeGreaterThanOrEqual(5000);
      }
    },
  );

  it('regression: a 10 s interval gets more than Node’s 5 s default, which failed every other probe of Dapr v1.0', () => {
    expect(mockIdleTimeoutMs(LONG_INTERVAL)).toBe(55_000);
  });

  it("is the scenario's own idleTimeoutMs, scaled with --time-scale", async () => {
    const scenario = {
      ...LONG_INTERVAL,
      idleTimeoutMs: 8000,
      expected: { durationMs: 0, probes: [], signals: [] },
    };
    expect(mockIdleTimeoutMs((await scaleScenario(scenario, 1)).scenario)).toBe(8000);
    expect(mockIdleTimeoutMs((await scaleScenario(scenario, 0.5)).scenario)).toBe(4000);
    expect(mockIdleTimeoutMs((await scaleScenario(scenario, 2)).scenario)).toBe(16_000);
  });

  it('must be whole positive milliseconds in a scenario file', () => {
    const { expected: _none, ...definition } = LONG_INTERVAL;
    expect(scenarioProblems({ ...definition, idleTimeoutMs: 0 })).toEqual(['/idleTimeoutMs must be >= 1']);
    expect(scenarioProblems({ ...definition, idleTimeoutMs: 1.5 })).toEqual([
      '/idleTimeoutMs must be integer',
    ]);
    expect(scenarioProblems({ ...definition, idleTimeoutMs: 60_000 })).toEqual([]);
    expect(scenarioProblems({ ...definition, virtualOnly: '' })).toEqual([
      '/virtualOnly must NOT have fewer than 1 characters',
    ]);
  });
});
