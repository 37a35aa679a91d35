import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILE_NAMES, REFERENCE_PROFILE } from '../../checker/profiles/catalogue.js';
import { HEALTHZ_FIXTURES_DIR, loadServerCases } from '../../conformance/healthz/cases.js';
import { ProbekitError } from '../../errors.js';
import { type Coincidence, findCoincidences } from '../../scenario/coincidences.js';
import { compareTraces, formatDiff } from '../../scenario/compare.js';
import {
  CHECKER_FIXTURES_DIR,
  loadProfileExpectations,
  loadScenarios,
  PROFILE_FIXTURES_DIR,
  type ProfileOutcome,
  profileFixtureText,
  simulateProfileOutcome,
} from '../../scenario/fixtures.js';
import { simulate } from '../../scenario/simulate.js';
import type { Scenario } from '../../scenario/types.js';
import { parseCommandArgs } from '../args.js';
import { type Command, EXIT } from '../command.js';
import { checkOwnFolder } from '../own-folder.js';

const HELP = `Usage: probekit fixtures <check|update> [--dir <folder>] [--profiles]

Checker scenario fixtures: JSON files validated by schema/scenario.schema.json (in the
probekit package), each with the trace the reference checker (Dapr v1.0) produces.

  check    validate every scenario against the schema and the rule catalogue, reject duplicate
           ids, and re-simulate each one: its expected trace must not have drifted, and a
           result that depends on two instants coinciding (a read, answer or timeout due
           exactly on a tick; an answer due exactly at the request timeout; a request exactly
           on a window edge) needs "virtualOnly": "<why>" or instants moved apart; validate
           the healthz-server cases (schema/healthz-case.schema.json) too. Exit 1 on any problem.
  update   (re)write the expected trace of every scenario by simulating it (and warn about
           unmarked coincidences).

Options:
  --dir <folder>          the checker scenarios (default: the fixtures shipped with probekit,
                          which update rewrites only from a clone of probekit)
  --profiles              also each scenario's expected trace under every other Dapr profile
                          (fixtures/profiles/<profile>/<id>.json, made by simulate(scenario,
                          { profile })): update rewrites them and deletes files of scenarios
                          that are gone; check fails on a missing, stale or drifted one
  --profiles-dir <folder> where the per-profile traces are (default: fixtures/profiles)
  --healthz-dir <folder>  the healthz-server cases (default: the ones shipped with probekit)
  -h, --help       show this help`;

/** One block naming the scenario, each coincidence with its two instants, and the two fixes. */
function describeCoincidences(scenario: Scenario, found: readonly Coincidence[]): string {
  const lines = found.map((c) => `    - ${c.what} (fix: ${c.fix})`);
  return [
    `${scenario.id}: its result depends on instants that coincide, which real time does not order:`,
    ...lines,
    `  Move them a few ms apart, or mark the scenario "virtualOnly": "<why>" so real-time runs skip it.`,
  ].join('\n');
}

export const fixturesCommand: Command = {
  name: 'fixtures',
  summary: 'validate (check) or regenerate (update) the checker scenario fixtures',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fixtures', args, {
      dir: { type: 'string' },
      'healthz-dir': { type: 'string' },
      profiles: { type: 'boolean' },
      'profiles-dir': { type: 'string' },
    });
    const [action, ...extra] = positionals;
    if ((action !== 'check' && action !== 'update') || extra.length) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to read the arguments of "probekit fixtures": expected "check" or "update", got ${JSON.stringify(positionals.join(' '))}. See "probekit fixtures --help".`,
      );
    }
    const dir = (values.dir as string | undefined) ?? CHECKER_FIXTURES_DIR;
    if (action === 'update' && values.dir === undefined) checkOwnFolder(action, dir, process.cwd());
    const profilesDir = (values['profiles-dir'] as string | undefined) ?? PROFILE_FIXTURES_DIR;
    const withProfiles = values.profiles === true || values['profiles-dir'] !== undefined;
    if (withProfiles && values.dir !== undefined && values['profiles-dir'] === undefined) {
      // The shipped per-profile traces belong to the shipped scenarios: your own folder's go elsewhere.
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to read the arguments of "probekit fixtures": --profiles with --dir ${JSON.stringify(values.dir)} needs --profiles-dir <folder>, or it would ${action} the per-profile traces shipped with probekit against your scenarios. Pass --profiles-dir for your own folder.`,
      );
    }
    if (action === 'update' && withProfiles && values['profiles-dir'] === undefined) {
      checkOwnFolder(action, profilesDir, process.cwd());
    }
    let files: ReturnType<typeof loadScenarios>;
    try {
      files = loadScenarios(dir);
    } catch (error) {
      io.stderr.write(`${(error as Error).message}\n`);
      return EXIT.failure;
    }
    let problems = 0;
    for (const { file, scenario } of files) {
      const fresh = await simulate(scenario);
      const unmarked = scenario.virtualOnly === undefined ? findCoincidences(scenario, fresh) : [];
      if (action === 'update') {
        const { expected: _old, ...definition } = scenario;
        await writeFile(file, `${JSON.stringify({ ...definition, expected: fresh }, null, 2)}\n`);
        if (unmarked.length) io.stdout.write(`warning: ${describeCoincidences(scenario, unmarked)}\n`);
        continue;
      }
      let bad = false;
      if (unmarked.length) {
        bad = true;
        io.stdout.write(`✗ ${describeCoincidences(scenario, unmarked)}\n`);
      }
      if (!scenario.expected) {
        bad = true;
        io.stdout.write(`✗ ${scenario.id}: no expected trace (run "probekit fixtures update")\n`);
      } else {
        const diffs = compareTraces(scenario.expected, fresh);
        const same = diffs.length === 0 && JSON.stringify(scenario.expected) === JSON.stringify(fresh);
        if (!same) {
          bad = true;
          const detail = diffs.length
            ? formatDiff(diffs, scenario.expected, fresh, scenario.rules)
            : 'details differ';
          io.stdout.write(`✗ ${scenario.id}: the expected trace drifted from simulate()\n${detail}\n`);
        }
      }
      if (bad) problems++;
    }
    const scenarios = files.map((f) => f.scenario);
    if (action === 'update') {
      io.stdout.write(`updated ${files.length} scenarios in ${dir}\n`);
      if (withProfiles) await updateProfiles(scenarios, profilesDir, io);
      return EXIT.ok;
    }
    io.stdout.write(
      `${files.length - problems} of ${files.length} scenarios valid and up to date (${dir})\n`,
    );
    if (withProfiles) {
      try {
        problems += await checkProfiles(scenarios, profilesDir, io);
      } catch (error) {
        io.stderr.write(`${(error as Error).message}\n`);
        return EXIT.failure;
      }
    }
    const healthzDir = (values['healthz-dir'] as string | undefined) ?? HEALTHZ_FIXTURES_DIR;
    try {
      const cases = loadServerCases(healthzDir);
      io.stdout.write(`${cases.length} healthz cases valid (${healthzDir})\n`);
    } catch (error) {
      io.stderr.write(`${(error as Error).message}\n`);
      return EXIT.failure;
    }
    return problems ? EXIT.failure : EXIT.ok;
  },
};

/** The profiles with a folder of their own: every one but the reference, whose traces are in the scenarios. */
const OTHER_PROFILES = PROFILE_NAMES.filter((name) => name !== REFERENCE_PROFILE);

/** Every scenario's fixture text under `profile`, by id. */
async function profileTexts(scenarios: readonly Scenario[], profile: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const scenario of scenarios) {
    texts.set(
      scenario.id,
      profileFixtureText(scenario.id, profile, await simulateProfileOutcome(scenario, profile)),
    );
  }
  return texts;
}

async function jsonFiles(folder: string): Promise<string[]> {
  return existsSync(folder) ? (await readdir(folder)).filter((name) => name.endsWith('.json')).sort() : [];
}

/** Rewrites `<dir>/<profile>/<id>.json` for every other profile and scenario; deletes the files of scenarios that are gone. */
async function updateProfiles(
  scenarios: readonly Scenario[],
  dir: string,
  io: Parameters<Command['run']>[1],
) {
  let removed = 0;
  for (const profile of OTHER_PROFILES) {
    const folder = join(dir, profile);
    await mkdir(folder, { recursive: true });
    const texts = await profileTexts(scenarios, profile);
    for (const [id, text] of texts) await writeFile(join(folder, `${id}.json`), text);
    for (const name of await jsonFiles(folder)) {
      if (texts.has(name.slice(0, -'.json'.length))) continue;
      await rm(join(folder, name));
      removed++;
    }
  }
  const gone = removed ? `, removed ${removed} of scenarios that are gone` : '';
  io.stdout.write(
    `updated ${scenarios.length} scenarios under ${OTHER_PROFILES.length} profiles in ${dir}${gone}\n`,
  );
}

/** One line on why two outcomes differ: the first trace difference, or what replaced what. */
function outcomeDrift(
  expected: ProfileOutcome | undefined,
  fresh: ProfileOutcome,
  scenario: Scenario,
): string {
  if (expected && 'expected' in expected && 'expected' in fresh) {
    const diffs = compareTraces(expected.expected, fresh.expected);
    if (diffs.length) return formatDiff(diffs, expected.expected, fresh.expected, scenario.rules);
    return 'details differ';
  }
  const what = (o: ProfileOutcome | undefined) =>
    o === undefined ? 'nothing' : 'refused' in o ? `refused (${o.refused})` : 'a trace';
  return `the file has ${what(expected)}, the engine gives ${what(fresh)}`;
}

/** Compares `<dir>/<profile>/*.json` with the engine; returns the number of problems and prints each. */
async function checkProfiles(
  scenarios: readonly Scenario[],
  dir: string,
  io: Parameters<Command['run']>[1],
): Promise<number> {
  let problems = 0;
  let good = 0;
  const fix = 'run "probekit fixtures update --profiles"';
  for (const profile of OTHER_PROFILES) {
    const folder = join(dir, profile);
    const stored = new Map(
      existsSync(folder) ? loadProfileExpectations(profile, { dir }).map((e) => [e.id, e] as const) : [],
    );
    for (const scenario of scenarios) {
      const fresh = await simulateProfileOutcome(scenario, profile);
      const file = join(folder, `${scenario.id}.json`);
      const entry = stored.get(scenario.id);
      if (!entry) {
        problems++;
        io.stdout.write(`✗ ${profile}/${scenario.id}: no expected trace under ${profile} (${fix})\n`);
        continue;
      }
      if ((await readFile(file, 'utf8')) === profileFixtureText(scenario.id, profile, fresh)) {
        good++;
        continue;
      }
      problems++;
      const old: ProfileOutcome | undefined = entry.expected
        ? { expected: entry.expected }
        : entry.refused !== undefined
          ? { refused: entry.refused }
          : undefined;
      io.stdout.write(
        `✗ ${profile}/${scenario.id}: the expected trace drifted from simulate(scenario, { profile: "${profile}" }) (${fix})\n${outcomeDrift(old, fresh, scenario)}\n`,
      );
    }
    const ids = new Set(scenarios.map((s) => s.id));
    for (const name of await jsonFiles(folder)) {
      if (ids.has(name.slice(0, -'.json'.length))) continue;
      problems++;
      io.stdout.write(`✗ ${profile}/${name}: no scenario has this id (${fix})\n`);
    }
  }
  const total = scenarios.length * OTHER_PROFILES.length;
  io.stdout.write(
    `${good} of ${total} per-profile traces up to date (${OTHER_PROFILES.length} profiles, ${dir})\n`,
  );
  return problems;
}
