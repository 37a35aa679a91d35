import {
  PROFILE_NAMES,
  type ProfileName,
  profileNamed,
  REFERENCE_PROFILE,
} from '../../checker/profiles/catalogue.js';
import type { CheckerAdapter } from '../../scenario/adapter.js';
import { compareTraces, formatDiff, type TraceDiff } from '../../scenario/compare.js';
import { runScenario } from '../../scenario/run.js';
import type { Trace } from '../../scenario/types.js';
import { type CheckerConformanceOptions, checkerCases, expectedUnder } from './suite.js';

/** One case judged under one profile. */
export interface ProfileCaseVerdict {
  readonly status: 'pass' | 'fail' | 'skip';
  /** The first difference in one line (fail) or the reason (skip). */
  readonly headline?: string;
  /** The readable diff (fail). */
  readonly message?: string;
  /** The differences (fail). */
  readonly diffs?: readonly TraceDiff[];
}

/** One case judged under every profile. */
export interface IdentifiedCase {
  readonly id: string;
  readonly byProfile: Readonly<Partial<Record<ProfileName, ProfileCaseVerdict>>>;
}

/** How well one profile explains what the implementation did. */
export interface ProfileMatch {
  readonly profile: ProfileName;
  readonly versions: string;
  readonly passed: number;
  /** Cases judged under this profile (skips aside). */
  readonly judged: number;
  /** The cases it fails, with their headlines, in fixture order. */
  readonly differs: ReadonlyArray<{ readonly id: string; readonly headline: string }>;
}

/** Which Dapr version an implementation behaves like, and the evidence. */
export interface Identification {
  readonly implementation: string;
  /** Best first: most cases passed, then the larger share of its cases passed, then catalogue order. */
  readonly ranking: readonly ProfileMatch[];
  /** The best match (the first of the ranking). */
  readonly best: ProfileMatch;
  /** Whether the best match passed every case it judged. */
  readonly exact: boolean;
  readonly cases: readonly IdentifiedCase[];
  /** A paragraph for people: the best match, and how it differs from the reference and the runner-up. */
  readonly summary: string;
}

/**
 * Ranks the profiles by the cases each explains, and says so in words.
 *
 * @example
 * const identification = rankProfiles('exec: ./checker', cases);
 * console.log(identification.summary); // "behaves like dapr-1.1 (v1.1.0–v1.8.7): 49/49 …"
 */
export function rankProfiles(implementation: string, cases: readonly IdentifiedCase[]): Identification {
  const matches = PROFILE_NAMES.map((profile): ProfileMatch => {
    let passed = 0;
    let judged = 0;
    const differs: Array<{ id: string; headline: string }> = [];
    for (const kase of cases) {
      const verdict = kase.byProfile[profile];
      if (!verdict || verdict.status === 'skip') continue;
      judged++;
      if (verdict.status === 'pass') passed++;
      else differs.push({ id: kase.id, headline: verdict.headline ?? 'differs' });
    }
    return { profile, versions: profileNamed(profile).versions, passed, judged, differs };
  });
  const order = new Map(PROFILE_NAMES.map((name, index) => [name, index]));
  const ranking = [...matches].sort(
    (a, b) =>
      b.passed - a.passed ||
      b.passed / Math.max(1, b.judged) - a.passed / Math.max(1, a.judged) ||
      (order.get(a.profile) ?? 0) - (order.get(b.profile) ?? 0),
  );
  const best = ranking[0] as ProfileMatch;
  const exact = best.differs.length === 0 && best.judged > 0;
  return { implementation, ranking, best, exact, cases, summary: summarize(best, ranking) };
}

function summarize(best: ProfileMatch, ranking: readonly ProfileMatch[]): string {
  const lines = [
    `${best.differs.length === 0 ? 'behaves like' : 'closest to'} ${best.profile} (${best.versions}): ${best.passed}/${best.judged} cases`,
  ];
  if (best.differs.length > 0) {
    const first = best.differs[0] as { id: string; headline: string };
    lines.push(`  but differs from it on ${best.differs.length}, first: ${first.id}: ${first.headline}`);
  }
  const others = ranking.filter((m) => m.profile !== best.profile);
  const reference = others.find((m) => m.profile === REFERENCE_PROFILE);
  const runnerUp = others[0];
  for (const other of [reference, runnerUp === reference ? others[1] : runnerUp]) {
    if (!other) continue;
    const tell = firstTell(best, other);
    lines.push(
      `differs from ${other.profile} (${other.versions}) on ${other.differs.length} cases (${other.passed}/${other.judged} pass)${tell ? `, first: ${tell.id}: ${tell.headline}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** The first case the other profile fails and the best one passes: what tells them apart. */
function firstTell(best: ProfileMatch, other: ProfileMatch): { id: string; headline: string } | undefined {
  const bestFails = new Set(best.differs.map((d) => d.id));
  return other.differs.find((d) => !bestFails.has(d.id)) ?? other.differs[0];
}

/**
 * Runs the checker scenarios once against an in-process adapter, in virtual time, and judges
 * each run under every profile: which Dapr version does it behave like?
 *
 * @example
 * const identification = await identifyChecker(myAdapter);
 * console.log(identification.summary);
 */
export async function identifyChecker(
  adapter: CheckerAdapter,
  options: Omit<CheckerConformanceOptions, 'profile' | 'onResult'> = {},
): Promise<Identification> {
  const cases: IdentifiedCase[] = [];
  for (const { scenario } of checkerCases(options)) {
    const actual: Trace | Error = await runScenario(scenario, adapter).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
    const byProfile: Partial<Record<ProfileName, ProfileCaseVerdict>> = {};
    for (const profile of PROFILE_NAMES) {
      const expected = await expectedUnder(scenario, profile, 'in-process');
      if ('refused' in expected) {
        byProfile[profile] = { status: 'skip', headline: expected.refused };
        continue;
      }
      if (actual instanceof Error) {
        byProfile[profile] = { status: 'fail', headline: `error: ${actual.message}` };
        continue;
      }
      const diffs = compareTraces(expected, actual);
      if (diffs.length === 0) {
        byProfile[profile] = { status: 'pass' };
        continue;
      }
      const message = formatDiff(diffs, expected, actual, scenario.rules);
      byProfile[profile] = { status: 'fail', headline: headlineOf(message), message, diffs };
    }
    cases.push({ id: scenario.id, byProfile });
  }
  return rankProfiles(adapter.name, cases);
}

/**
 * One line from a formatted diff: its first difference with what was expected and what came,
 * e.g. `missing signal #1: expected false at 300ms, got no signal`.
 *
 * @example
 * headlineOf(formatDiff(diffs, expected, actual, rules));
 */
export function headlineOf(message: string | undefined): string {
  const lines = (message ?? '').split('\n').map((line) => line.trim());
  const first = lines.find((line) => line !== '') ?? 'differs';
  const what = first.replace(/^First divergence at [^:]*: /, '');
  const expected = lines
    .find((line) => line.startsWith('expected:'))
    ?.slice('expected:'.length)
    .trim();
  const actual = lines
    .find((line) => line.startsWith('actual:'))
    ?.slice('actual:'.length)
    .trim();
  return expected !== undefined && actual !== undefined
    ? `${what}: expected ${expected}, got ${actual}`
    : what;
}
