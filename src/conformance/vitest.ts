import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckerAdapter } from '../scenario/adapter.js';
import { type CheckerConformanceOptions, checkerCases, runCheckerCase } from './checker/suite.js';
import { serverCases } from './healthz/cases.js';
import { runServerConformance, type ServerConformanceOptions, type ServerReport } from './healthz/suite.js';
import type { ServerTarget } from './healthz/targets.js';

/**
 * Registers the checker conformance suite with vitest: one test per scenario, named by level
 * and id, failing with the readable trace diff. A case the suite skips is reported as skipped
 * (with its reason), never as passed.
 *
 * @example
 * // my-checker.conformance.test.ts
 * import { describeCheckerConformance } from 'probekit/vitest';
 * describeCheckerConformance(myAdapter, { levels: ['core', 'timing'] });
 * describeCheckerConformance(myV11Port, { profile: 'dapr-1.1' }); // judged against Dapr v1.1's behaviour
 */
export function describeCheckerConformance(
  adapter: CheckerAdapter,
  options: Omit<CheckerConformanceOptions, 'onResult'> = {},
): void {
  describe(`checker conformance: ${adapter.name}`, () => {
    for (const { scenario } of checkerCases(options)) {
      it(`[${scenario.level}] ${scenario.id}: ${scenario.description}`, async (ctx) => {
        const result = await runCheckerCase(scenario, adapter, options.profile);
        if (result.status === 'skip') ctx.skip(result.message);
        if (result.status !== 'pass') expect.fail(`${result.status}: ${result.message ?? ''}`);
      });
    }
  });
}

/**
 * Registers the healthz-server conformance suite with vitest: one test per case. The cases share
 * one server and run in the suite's order (never-flipped cases first), so the whole suite runs
 * once before the tests, and each test reports its own case. A case the target cannot run (it
 * flips readiness, and the target cannot be flipped) is reported as skipped, with the reason.
 *
 * @example
 * import { createHealthzServer } from 'probekit';
 * import { describeServerConformance } from 'probekit/vitest';
 * describeServerConformance(() => createHealthzServer({ logger: silentLogger }), { profile: 'control-plane' });
 */
export function describeServerConformance(
  createTarget: () => ServerTarget,
  options: Omit<ServerConformanceOptions, 'onResult'>,
): void {
  describe(`healthz conformance: ${options.profile}`, () => {
    let report: ServerReport;
    beforeAll(async () => {
      report = await runServerConformance(createTarget(), options);
    }, 60_000);
    for (const serverCase of serverCases(options)) {
      it(`[${serverCase.level}] ${serverCase.id}: ${serverCase.description}`, (ctx) => {
        const skipped = report.skipped.find((s) => s.id === serverCase.id);
        if (skipped) ctx.skip(skipped.reason);
        const result = report.results.find((r) => r.id === serverCase.id);
        if (!result) expect.fail(`the case ${serverCase.id} did not run`);
        if (result.status !== 'pass') expect.fail(`${result.status}: ${result.message ?? ''}`);
      });
    }
  });
}
