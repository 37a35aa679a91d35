import { describe, expect, it } from 'vitest';
import { runCheckerConformance } from '../../src/conformance/checker/suite.js';
import { referenceAdapter } from '../../src/scenario/reference-adapter.js';
import { MUTANTS } from './mutants.js';

describe('the checker suite can fail (self-test)', () => {
  it('passes the reference checker on every scenario', async () => {
    const report = await runCheckerConformance(referenceAdapter);
    const failures = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(40);
  });

  it('has at least 8 broken checkers', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(8);
  });

  it.each(MUTANTS.map((m) => [m.adapter.name, m] as const))(
    'catches "%s" in its named scenario',
    async (_, { adapter, caughtBy }) => {
      const report = await runCheckerConformance(adapter);
      const named = report.results.find((r) => r.id === caughtBy);
      expect(named, `scenario ${caughtBy} exists`).toBeDefined();
      expect(named?.status).not.toBe('pass');
      expect(report.failed + report.errored).toBeGreaterThan(0);
    },
  );
});
