import { describe, expect, it } from 'vitest';
import type { CheckerAdapter } from '../scenario/adapter.js';
import { type CheckerConformanceOptions, checkerCases, runCheckerCase } from './checker-suite.js';

/**
 * Registers the checker conformance suite with vitest: one test per scenario, named by level
 * and id, failing with the readable trace diff.
 *
 * @example
 * // my-checker.conformance.test.ts
 * import { describeCheckerConformance } from 'probekit/vitest';
 * describeCheckerConformance(myAdapter, { levels: ['core', 'timing'] });
 */
export function describeCheckerConformance(
  adapter: CheckerAdapter,
  options: Omit<CheckerConformanceOptions, 'onResult'> = {},
): void {
  describe(`checker conformance: ${adapter.name}`, () => {
    for (const { scenario } of checkerCases(options)) {
      it(`[${scenario.level}] ${scenario.id}: ${scenario.description}`, async () => {
        const result = await runCheckerCase(scenario, adapter);
        if (result.status !== 'pass') expect.fail(`${result.status}: ${result.message ?? ''}`);
      });
    }
  });
}
