import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../src/checker/index.js';
import { identifyChecker, rankProfiles } from '../../src/conformance/checker/identify.js';
import { runCheckerConformance } from '../../src/conformance/checker/suite.js';
import { profileAdapter, referenceAdapter } from '../../src/scenario/reference-adapter.js';

describe('identifyChecker names the Dapr version a checker behaves like', () => {
  for (const profile of PROFILE_NAMES) {
    it(`names ${profile} for probekit's checker under that profile, passing every case`, async () => {
      const identification = await identifyChecker(profileAdapter(profile));
      expect(identification.best.profile).toBe(profile);
      expect(identification.exact).toBe(true);
      // Every other profile fails at least one case: the fixtures tell them all apart.
      for (const other of identification.ranking.slice(1)) {
        expect(other.differs.length, `${other.profile} vs ${profile}`).toBeGreaterThan(0);
      }
      expect(identification.summary).toContain(`behaves like ${profile}`);
    }, 60_000);
  }

  it('says how the reference differs from dapr-1.1: the repeated false', async () => {
    const identification = await identifyChecker(profileAdapter('dapr-1.1'));
    const reference = identification.ranking.find((m) => m.profile === 'dapr-1.0');
    expect(reference?.differs.map((d) => d.id)).toContain('all-503-single-false');
    expect(identification.summary).toMatch(/differs from dapr-1\.0 \(v0\.11\.3–v1\.0\.1\) on \d+ cases/);
  }, 60_000);

  it('ranks by cases passed and breaks ties in catalogue order', () => {
    const identification = rankProfiles('x', [
      { id: 'a', byProfile: { 'dapr-1.1': { status: 'pass' }, 'dapr-1.9': { status: 'pass' } } },
      {
        id: 'b',
        byProfile: { 'dapr-1.1': { status: 'fail', headline: 'h' }, 'dapr-1.9': { status: 'pass' } },
      },
    ]);
    expect(identification.best.profile).toBe('dapr-1.9');
    expect(identification.ranking[1]?.profile).toBe('dapr-1.1');
    expect(identification.ranking[1]?.differs).toEqual([{ id: 'b', headline: 'h' }]);
  });
});

describe('runCheckerConformance judges against a profile', () => {
  it('passes probekit under dapr-1.1 against dapr-1.1, and fails the reference against it', async () => {
    const own = await runCheckerConformance(profileAdapter('dapr-1.1'), { profile: 'dapr-1.1' });
    expect(own.failed).toBe(0);
    expect(own.passed).toBeGreaterThan(40);
    const reference = await runCheckerConformance(referenceAdapter, { profile: 'dapr-1.1' });
    expect(reference.failed).toBeGreaterThan(5);
  }, 60_000);
});
