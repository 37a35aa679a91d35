import { writeFile } from 'node:fs/promises';
import { HEALTHZ_FIXTURES_DIR, loadServerCases } from '../../conformance/healthz/cases.js';
import { ProbekitError } from '../../errors.js';
import { type Coincidence, findCoincidences } from '../../scenario/coincidences.js';
import { compareTraces, formatDiff } from '../../scenario/compare.js';
import { CHECKER_FIXTURES_DIR, loadScenarios } from '../../scenario/fixtures.js';
import { simulate } from '../../scenario/simulate.js';
import type { Scenario } from '../../scenario/types.js';
import { parseCommandArgs } from '../args.js';
import { type Command, EXIT } from '../command.js';
import { checkOwnFolder } from '../own-folder.js';

const HELP = `Usage: probekit fixtures <check|update> [--dir <folder>]

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
    if (action === 'update') {
      io.stdout.write(`updated ${files.length} scenarios in ${dir}\n`);
      return EXIT.ok;
    }
    io.stdout.write(
      `${files.length - problems} of ${files.length} scenarios valid and up to date (${dir})\n`,
    );
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
