import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, REFERENCE_PROFILE } from '../../../src/checker/profiles/catalogue.js';
import { main } from '../../../src/cli/main.js';
import { ProbekitError } from '../../../src/errors.js';
import {
  CHECKER_FIXTURES_DIR,
  loadProfileExpectations,
  loadScenarios,
  PROFILE_FIXTURES_DIR,
  simulateProfileOutcome,
} from '../../../src/scenario/fixtures.js';
import { memoryIo } from '../../support/cli-io.js';

const scenarios = loadScenarios().map(({ scenario }) => scenario);
const OTHER_PROFILES = PROFILE_NAMES.filter((name) => name !== REFERENCE_PROFILE);
const REGENERATE =
  'the per-profile fixtures drifted from the engine: run "probekit fixtures update --profiles"';

describe.each(OTHER_PROFILES)('the %s fixtures (fixtures/profiles)', (profile) => {
  const stored = loadProfileExpectations(profile);

  it('hold one expectation per checker scenario, and nothing else', () => {
    expect(stored.map((e) => e.id)).toEqual(scenarios.map((s) => s.id).sort());
  });

  it('are what simulate(scenario, { profile }) gives now', async () => {
    const byId = new Map(stored.map((e) => [e.id, e]));
    for (const scenario of scenarios) {
      const fresh = await simulateProfileOutcome(scenario, profile);
      const entry = byId.get(scenario.id);
      const kept = entry?.expected ? { expected: entry.expected } : { refused: entry?.refused };
      expect(kept, `${profile}/${scenario.id}: ${REGENERATE}`).toEqual(fresh);
    }
  });
});

describe('loadProfileExpectations', () => {
  it("gives the scenarios' own expected traces for the reference profile", () => {
    const reference = loadProfileExpectations(REFERENCE_PROFILE);
    const files = loadScenarios();
    expect(reference).toHaveLength(files.length);
    for (const { scenario } of files) {
      expect(reference.find((e) => e.id === scenario.id)?.expected).toEqual(scenario.expected);
    }
  });

  it('names the profiles there are when asked for one that does not exist', () => {
    expect(() => loadProfileExpectations('dapr-2.0')).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_OPTION',
        message: expect.stringMatching(/dapr-1\.13/),
      }),
    );
  });

  it('marks the scenarios a profile refuses instead of giving a trace (app health: timeout > interval)', () => {
    const refused = loadProfileExpectations('dapr-apphealth-1.16').filter((e) => e.refused !== undefined);
    expect(refused.map((e) => e.id)).toContain('timeout-over-interval-stale-ticks');
    for (const entry of refused) {
      expect(entry.expected).toBeUndefined();
      expect(entry.refused).toMatch(/longer than the interval/);
    }
  });

  it('rejects a file whose id is not its name, naming the file and the command that remakes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    await mkdir(join(dir, 'dapr-1.1'));
    const source = await readFile(join(PROFILE_FIXTURES_DIR, 'dapr-1.1', 'hang-times-out.json'), 'utf8');
    await writeFile(join(dir, 'dapr-1.1', 'renamed.json'), source);
    let error: unknown;
    try {
      loadProfileExpectations('dapr-1.1', { dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_SCENARIO');
    expect((error as Error).message).toMatch(/renamed\.json: its id "hang-times-out" is not its file name/);
    expect((error as Error).message).toMatch(/probekit fixtures update --profiles/);
  });

  it('rejects a file filed under another profile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    await mkdir(join(dir, 'dapr-1.9'));
    await cp(
      join(PROFILE_FIXTURES_DIR, 'dapr-1.1', 'hang-times-out.json'),
      join(dir, 'dapr-1.9', 'hang-times-out.json'),
    );
    expect(() => loadProfileExpectations('dapr-1.9', { dir })).toThrow(
      /its profile "dapr-1\.1" is not "dapr-1\.9"/,
    );
  });
});

describe('probekit fixtures --profiles', () => {
  it('check passes on the shipped per-profile fixtures', async () => {
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--profiles'], t.io)).toBe(0);
    const total = scenarios.length * OTHER_PROFILES.length;
    expect(t.stdout()).toMatch(new RegExp(`${total} of ${total} per-profile traces up to date`));
  });

  it('update writes every profile but the reference, and removes the files of scenarios that are gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    const checker = join(dir, 'checker');
    await mkdir(checker);
    await cp(
      join(CHECKER_FIXTURES_DIR, 'all-503-single-false.json'),
      join(checker, 'all-503-single-false.json'),
    );
    const profiles = join(dir, 'profiles');
    await mkdir(join(profiles, 'dapr-1.1'), { recursive: true });
    await writeFile(join(profiles, 'dapr-1.1', 'gone.json'), '{}');
    const t = memoryIo();
    expect(await main(['fixtures', 'update', '--dir', checker, '--profiles-dir', profiles], t.io)).toBe(0);
    expect((await readdir(profiles)).sort()).toEqual([...OTHER_PROFILES].sort());
    expect(await readdir(join(profiles, 'dapr-1.1'))).toEqual(['all-503-single-false.json']);
    expect(t.stdout()).toMatch(/under 7 profiles .*removed 1 of scenarios that are gone/);
    const [entry] = loadProfileExpectations('dapr-1.1', { dir: profiles });
    expect(entry?.expected?.signals.map((s) => s.value)).toEqual([false, false, false, false, false]);
  });

  it('check names a drifted trace, its first difference and the command that regenerates it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    const checker = join(dir, 'checker');
    await mkdir(checker);
    await cp(
      join(CHECKER_FIXTURES_DIR, 'all-503-single-false.json'),
      join(checker, 'all-503-single-false.json'),
    );
    const profiles = join(dir, 'profiles');
    expect(
      await main(['fixtures', 'update', '--dir', checker, '--profiles-dir', profiles], memoryIo().io),
    ).toBe(0);
    const file = join(profiles, 'dapr-1.1', 'all-503-single-false.json');
    const fixture = JSON.parse(await readFile(file, 'utf8'));
    fixture.expected.signals.pop();
    await writeFile(file, JSON.stringify(fixture));
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', checker, '--profiles-dir', profiles], t.io)).toBe(1);
    expect(t.stdout()).toMatch(
      /✗ dapr-1\.1\/all-503-single-false: the expected trace drifted .*run "probekit fixtures update --profiles"/,
    );
    expect(t.stdout()).toMatch(/signal/);
  });

  it('check reports a missing profile folder and a file of no scenario', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    const checker = join(dir, 'checker');
    await mkdir(checker);
    await cp(join(CHECKER_FIXTURES_DIR, 'hang-times-out.json'), join(checker, 'hang-times-out.json'));
    const profiles = join(dir, 'profiles');
    await mkdir(join(profiles, 'dapr-1.13'), { recursive: true });
    await cp(
      join(PROFILE_FIXTURES_DIR, 'dapr-1.13', 'defaults-dapr.json'),
      join(profiles, 'dapr-1.13', 'defaults-dapr.json'),
    );
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', checker, '--profiles-dir', profiles], t.io)).toBe(1);
    expect(t.stdout()).toMatch(/✗ dapr-1\.1\/hang-times-out: no expected trace under dapr-1\.1/);
    expect(t.stdout()).toMatch(/✗ dapr-1\.13\/defaults-dapr\.json: no scenario has this id/);
    expect(t.stdout()).toMatch(/0 of 7 per-profile traces up to date/);
  });
});

describe('probekit fixtures --profiles with your own scenarios', () => {
  it('refuses --dir without --profiles-dir (exit 2): it would rewrite the shipped per-profile traces', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-profiles-'));
    for (const action of ['update', 'check']) {
      const t = memoryIo();
      expect(await main(['fixtures', action, '--dir', dir, '--profiles'], t.io)).toBe(2);
      expect(t.stderr()).toMatch(/--profiles with --dir .* needs --profiles-dir <folder>/);
    }
    expect(loadProfileExpectations('dapr-1.1')).toHaveLength(scenarios.length);
  });
});
