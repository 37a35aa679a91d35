import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_NAMES, type ProfileName } from '../../src/checker/index.js';
import { type Identification, rankProfiles } from '../../src/conformance/checker/identify.js';
import { runProcessConformance } from '../../src/conformance/checker/process/index.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import type { Scenario } from '../../src/scenario/types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function python(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 8)'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return undefined;
  }
}

const interpreter = python();

/**
 * Five short cases (about 4 s of scenario time) on which dapr-1.0, -1.1, -1.10.5 and -1.13 each
 * pass and every other profile fails at least one, in real time (measured with the full
 * `--identify` of each port): one false, a false per failure, or none while unhealthy
 * (all-503-single-false); timeout 0 unsent or sent (v0.6, v1.9); threshold 0 (v1.10.5: false
 * on every failure); redirects followed (net/http); a late reader (a blocking checker makes
 * too few requests for v1.10.5). Not slow-answers-one-probe-at-a-time: a core case is judged on
 * signals, and overlapping probes give the same ones in real time.
 */
const TELLING_CASES = [
  'all-503-single-false',
  'timeout-0-fails-unsent',
  'threshold-0-never-false',
  'redirects-relative-location',
  'late-consumer-blocks-loop',
];

async function identify(
  script: string,
  select: { only?: string[]; fixturesDir?: string } = { only: TELLING_CASES },
): Promise<Identification> {
  const command = `${interpreter} ${JSON.stringify(join(root, 'docs/examples', script))}`;
  const report = await runProcessConformance({ command, ...select, judgeAs: PROFILE_NAMES });
  return rankProfiles(
    report.implementation,
    report.results.map((result) => ({ id: result.id, byProfile: result.profiles ?? {} })),
  );
}

/** What a failure shows: the summary and every profile's score, not just "expected x to be y". */
function evidence(identification: Identification): string {
  return [
    identification.summary,
    ...identification.ranking.map(
      (m) =>
        `  ${m.profile} ${m.passed}/${m.judged}${m.differs.map((d) => `\n    ${d.id}: ${d.headline}`).join('')}`,
    ),
  ].join('\n');
}

function expectNamed(identification: Identification, profile: ProfileName): void {
  const why = evidence(identification);
  expect(identification.best.profile, why).toBe(profile);
  // It explains every case it judged, and every case was judged (none skipped, none errored).
  expect(identification.best.judged, why).toBe(TELLING_CASES.length);
  expect(identification.best.differs, why).toEqual([]);
  expect(identification.exact, why).toBe(true);
  // Named alone: the runner-up fails at least one of these cases.
  expect(identification.ranking[1]?.passed ?? 0, why).toBeLessThan(identification.best.passed);
}

// Real time, through the process protocol: each port, written from PROFILES.md and not from
// probekit, must be named as the Dapr version it ports on the cases that tell versions apart.
describe.skipIf(!interpreter)('--identify names each Python port of a Dapr checker as its version', () => {
  const ports: ReadonlyArray<[script: string, profile: ProfileName]> = [
    ['dapr_checker.py', 'dapr-1.0'],
    ['dapr_checker_v1_1.py', 'dapr-1.1'],
    ['dapr_checker_v1_10_5.py', 'dapr-1.10.5'],
    ['dapr_checker_v1_13.py', 'dapr-1.13'],
  ];
  for (const [script, profile] of ports) {
    it(`names docs/examples/${script} ${profile}, passing every telling case`, async () => {
      expectNamed(await identify(script), profile);
    }, 90_000);
  }
});

// SEMANTICS §1 "Connection reuse without retry", scaled down (the shipped fixture
// keep-alive-closed-not-retried): the mock server closes a connection idle for 100 ms, the
// probes come every 300 ms. fasthttp (v1.0–v1.10.4) writes the next probe into the dead
// connection and fails it unsent; Go's net/http (v1.10.5 on) sees the close and dials anew.
describe.skipIf(!interpreter)('the ports keep connections alive as their Dapr client does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-keepalive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const idleClose = loadScenarios().find(({ scenario }) => scenario.id === 'keep-alive-closed-not-retried')
    ?.scenario as Scenario;

  async function scores(script: string): Promise<Map<ProfileName, number>> {
    writeFileSync(join(dir, `${idleClose.id}.json`), JSON.stringify(idleClose));
    const identification = await identify(script, { fixturesDir: dir });
    return new Map(identification.ranking.map((m) => [m.profile, m.passed]));
  }

  it('loses the probe the v1.1 port writes into a connection the server closed (fasthttp, no retry)', async () => {
    const passed = await scores('dapr_checker_v1_1.py');
    expect(passed.get('dapr-1.1')).toBe(1);
    expect(passed.get('dapr-1.10.5')).toBe(0);
  }, 30_000);

  it('does not lose it in the v1.10.5 port, which dials a new connection (net/http)', async () => {
    const passed = await scores('dapr_checker_v1_10_5.py');
    expect(passed.get('dapr-1.10.5')).toBe(1);
    expect(passed.get('dapr-1.1')).toBe(0);
  }, 30_000);
});

describe.skipIf(interpreter)('the Python ports (skipped)', () => {
  it.skip('needs python3 ≥ 3.8 on PATH to run', () => {});
});
