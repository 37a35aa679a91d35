import { checkTimeScale, runProcessConformance } from '../../conformance/checker/process/index.js';
import { checkerCases, runCheckerConformance } from '../../conformance/checker/suite.js';
import type { Report } from '../../conformance/shared/report.js';
import { createReporter, REPORTERS } from '../../conformance/shared/reporters/index.js';
import { ProbekitError } from '../../errors.js';
import { referenceAdapter } from '../../scenario/reference-adapter.js';
import type { ScenarioLevel } from '../../scenario/types.js';
import { durationFlag, levelsFlag, listFlag, parseCommandArgs, reporterFlag } from '../args.js';
import { type Command, EXIT } from '../command.js';

const LEVELS: readonly ScenarioLevel[] = ['core', 'timing', 'backpressure'];

const HELP = `Usage: probekit conformance checker [options]

Runs the checker scenarios (fixtures/checker/*.json) and compares what happens with the
expected traces. Without --exec: probekit's own checker, in process, in virtual time (exact,
a second or two). With --exec: any implementation, in another process, in real time, speaking
checker protocol 1 (docs/conformance.md): probekit starts a mock server on 127.0.0.1 playing
each scenario, runs CMD with PROBEKIT_URL and one PROBEKIT_* variable per option the scenario
sets, and reads "start", then "true"/"false" lines from its stdout.

Options:
  --exec <cmd>              the implementation to run, once per scenario, through /bin/sh -c
                            (in its own process group; stopped with SIGTERM, then SIGKILL)
  --level <levels>          comma-separated: core, timing, backpressure (default: all)
  --only <ids>              comma-separated scenario ids (default: all)
  --time-scale <factor>     --exec only: multiply every scenario time by this (default 1; the
                            scenarios use 100 ms intervals, so below ~0.5 margins get thin).
                            Options left to the defaults are then passed explicitly, scaled
  --tolerance <duration>    --exec only: how far a time may be off (default: max(10ms, 10% of
                            the scaled interval)); 25ms, or a plain number of ms
  --startup-timeout <dur>   --exec only: how long to wait for the first line (default 10s)
  --reporter <name>         human (default), json, junit or tap, on stdout
  --fixtures <dir>          a folder of scenario files (default: the ones shipped)
  -h, --help                show this help

Exit code: 0 when every case passes, 1 when one fails or errors, 2 for bad arguments.

Examples:
  probekit conformance checker --level core
  probekit conformance checker --exec "python3 docs/examples/dapr_checker.py" --reporter junit > checker.xml
  probekit conformance checker --exec "./target/release/my-checker" --time-scale 2 --only hang-times-out`;

function scaleFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const scale = /^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(value) ? Number(value) : Number.NaN;
  try {
    return checkTimeScale(scale);
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --time-scale ${JSON.stringify(value)}: ${(error as Error).message}`,
    );
  }
}

function toleranceFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return durationFlag('tolerance', value);
}

function toleranceText(tolerance: number | undefined): string {
  return tolerance === undefined ? 'max(10 ms, 10% of the interval)' : `${tolerance} ms`;
}

export const conformanceCheckerCommand: Command = {
  name: 'checker',
  summary: 'the Dapr v1.0 checker scenarios, in process (reference) or against --exec CMD',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(
      'conformance checker',
      args,
      {
        exec: { type: 'string' },
        level: { type: 'string' },
        only: { type: 'string' },
        'time-scale': { type: 'string' },
        tolerance: { type: 'string' },
        'startup-timeout': { type: 'string' },
        reporter: { type: 'string' },
        fixtures: { type: 'string' },
      },
      false,
    );
    const command = values.exec as string | undefined;
    if (command !== undefined && command.trim() === '') {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        'Failed to read --exec: the command is empty. Write it like --exec "python3 my_checker.py".',
      );
    }
    const levels = levelsFlag(values.level as string | undefined, LEVELS);
    const only = listFlag('only', values.only as string | undefined);
    const timeScale = scaleFlag(values['time-scale'] as string | undefined);
    const tolerance = toleranceFlag(values.tolerance as string | undefined);
    const startupTimeoutMs = durationFlag('startup-timeout', values['startup-timeout'] as string | undefined);
    const reporterName = reporterFlag(values.reporter as string | undefined, REPORTERS);
    const fixturesDir = values.fixtures as string | undefined;
    if (command === undefined) {
      const realTimeOnly = (['time-scale', 'tolerance', 'startup-timeout'] as const).filter(
        (flag) => values[flag] !== undefined,
      );
      if (realTimeOnly.length) {
        throw new ProbekitError(
          'ERR_PROBEKIT_USAGE',
          `Failed to read the arguments of "probekit conformance checker": --${realTimeOnly.join(', --')} ${realTimeOnly.length === 1 ? 'applies' : 'apply'} only with --exec (the reference runs in virtual time, exactly). Add --exec CMD or leave them out.`,
        );
      }
    }

    let cases: ReturnType<typeof checkerCases>;
    try {
      cases = checkerCases({ levels, only, fixturesDir });
    } catch (error) {
      if (error instanceof ProbekitError) throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message);
      throw error;
    }
    if (only) {
      const known = new Set(checkerCases({ fixturesDir }).map(({ scenario }) => scenario.id));
      const unknown = only.filter((id) => !known.has(id));
      if (unknown.length) {
        throw new ProbekitError(
          'ERR_PROBEKIT_USAGE',
          `Failed to read --only: no scenario is called ${unknown.map((u) => JSON.stringify(u)).join(', ')}. See the ids in ${fixturesDir ?? 'fixtures/checker/'}.`,
        );
      }
    }
    if (cases.length === 0) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        'Failed to run the checker suite: no scenario matches --level and --only together. Widen the selection.',
      );
    }

    const reporter = createReporter(reporterName, io.stdout, { color: io.color });
    let report: Report;
    if (command === undefined) {
      reporter.begin({
        suite: 'checker',
        implementation: referenceAdapter.name,
        total: cases.length,
        details: 'in process, virtual time (exact)',
      });
      report = await runCheckerConformance(referenceAdapter, {
        levels,
        only,
        fixturesDir,
        onResult: (result) => reporter.result(result),
      });
    } else {
      reporter.begin({
        suite: 'checker',
        implementation: `exec: ${command}`,
        total: cases.length,
        details: `real time, time scale ${timeScale ?? 1}, tolerance ${toleranceText(tolerance)}, protocol 1`,
      });
      report = await runProcessConformance({
        command,
        levels,
        only,
        fixturesDir,
        timeScale,
        tolerance,
        startupTimeoutMs,
        env: io.env,
        signal: io.signal,
        onResult: (result) => reporter.result(result),
      });
    }
    reporter.end(report);
    return report.failed + report.errored === 0 && report.results.length === cases.length
      ? EXIT.ok
      : EXIT.failure;
  },
};
