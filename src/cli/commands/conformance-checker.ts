import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { DEFAULTS } from '../../checker/options.js';
import { PROFILE_NAMES, profileNamed, REFERENCE_PROFILE } from '../../checker/profiles/catalogue.js';
import { type Identification, identifyChecker, rankProfiles } from '../../conformance/checker/identify.js';
import {
  checkTimeScale,
  defaultTolerance,
  runProcessConformance,
  scaleMs,
} from '../../conformance/checker/process/index.js';
import { scaleScenario } from '../../conformance/checker/process/scale.js';
import { checkRepeat } from '../../conformance/checker/process/suite.js';
import { checkerCases, expectedUnder, runCheckerConformance } from '../../conformance/checker/suite.js';
import {
  type ExpectedFailures,
  markExpectedFailure,
  parseExpectFail,
  unknownExpectedIds,
} from '../../conformance/common/expect-fail.js';
import {
  renderHtmlReport,
  reportFromResults,
  writeHtmlReport,
} from '../../conformance/common/html-report/index.js';
import { createEta } from '../../conformance/common/progress.js';
import { failingResults, makeReport, type Report, reportSucceeded } from '../../conformance/common/report.js';
import { createReporter, REPORTERS } from '../../conformance/common/reporters/index.js';
import { commandLine } from '../../conformance/common/rerun.js';
import { ProbekitError } from '../../errors.js';
import type { ScenarioFile } from '../../scenario/fixtures.js';
import { profileAdapter, referenceAdapter } from '../../scenario/reference-adapter.js';
import type { Scenario, ScenarioLevel, Trace } from '../../scenario/types.js';
import { systemWallClock } from '../../time/wall-clock.js';
import { durationFlag, integerFlag, levelsFlag, listFlag, parseCommandArgs, reporterFlag } from '../args.js';
import { type CliIo, type Command, EXIT } from '../command.js';
import { checkWritable } from '../writable.js';

const LEVELS: readonly ScenarioLevel[] = ['core', 'timing', 'backpressure'];

const HELP = `Usage: probekit conformance checker [options]

Runs the checker scenarios (fixtures/checker/*.json) and compares what happens with the
expected traces. Without --exec: probekit's own checker, in process, in virtual time (exact,
a second or two). With --exec: any implementation, in another process, in real time, speaking
checker protocol 2 (docs/conformance.md): probekit starts a mock server on 127.0.0.1 playing
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
  --tolerance <duration>    --exec only: how far a time may be off (default: max(20ms, 15% of
                            the scaled interval)); 25ms, or a plain number of ms
  --startup-timeout <dur>   --exec only: how long to wait for the first line (default 10s)
  --repeat <n>              --exec only: run every case n times, in rounds (all cases, then all
                            again), and classify each: passed every run, failed every run, or
                            flaky (with how its failing runs differed)
  --expect-fail <file>      cases known to fail, one a line: "id  reason" ("#" starts a
                            comment). A listed case that fails does not fail the run; one that
                            passes does ("remove it from FILE"). Unknown ids are an error
  --reporter <name>         human (default), json, junit or tap, on stdout
  --report <file>           also write a static HTML page: the case matrix, and per case the
                            verdict, the diff and the expected and actual timelines side by side
  --fixtures <dir>          a folder of scenario files (default: the ones shipped)
  --profile <name>          judge as this Dapr version (default dapr-1.0): the expected traces
                            are that profile's (docs/profiles.md); without --exec, probekit's
                            own checker runs under it. Names: ${PROFILE_NAMES.join(', ')}
  --identify                run every case once and judge it as every profile: prints which
                            Dapr version the implementation behaves like, with the evidence
                            (exit 0 when the best match passes every case it judges)
  -h, --help                show this help

Scenarios marked virtual-time only are skipped under --exec, with their reason. With
--exec, a run on a terminal shows n/N and the time left on stderr; every run ends with the
command that reruns only the failing cases (on stdout for the human reporter, else stderr).

Exit code: 0 when every case passes (skipped and expected failures aside), 1 when one fails
or errors in any run, or an expected failure passes, 2 for bad arguments.

Examples:
  probekit conformance checker --level core
  probekit conformance checker --exec "python3 docs/examples/dapr_checker.py" --reporter junit > checker.xml
  probekit conformance checker --exec "./target/release/my-checker" --time-scale 2 --only hang-times-out
  probekit conformance checker --exec "./my-checker" --repeat 5 --expect-fail known-failures.txt
  probekit conformance checker --exec "./my-v1.1-port" --profile dapr-1.1
  probekit conformance checker --exec "python3 docs/examples/dapr_checker.py" --identify --report identify.html`;

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
  return tolerance === undefined ? 'max(20 ms, 15% of the interval)' : `${tolerance} ms`;
}

function repeatFlag(value: string | undefined): number | undefined {
  const repeat = integerFlag('repeat', value);
  if (repeat === undefined) return undefined;
  try {
    return checkRepeat(repeat);
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --repeat ${JSON.stringify(value)}: ${(error as Error).message}`,
    );
  }
}

/** Reads the expect-fail file and checks every id it lists is a scenario of the suite. */
function expectFailFlag(
  file: string | undefined,
  all: readonly ScenarioFile[],
  fixturesDir: string | undefined,
): ExpectedFailures | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --expect-fail ${JSON.stringify(file)}: ${(error as Error).message}. Name a text file with one "id  reason" a line.`,
    );
  }
  let expected: ExpectedFailures;
  try {
    expected = parseExpectFail(text, file);
  } catch (error) {
    throw new ProbekitError('ERR_PROBEKIT_USAGE', (error as Error).message);
  }
  const unknown = unknownExpectedIds(
    expected,
    all.map(({ scenario }) => scenario.id),
  );
  if (unknown.length) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --expect-fail ${JSON.stringify(file)}: no scenario is called ${unknown.map((u) => JSON.stringify(u)).join(', ')}. Fix or remove ${unknown.length === 1 ? 'that line' : 'those lines'}; see the ids in ${fixturesDir ?? 'fixtures/checker/'}.`,
    );
  }
  return expected;
}

/** The interval and tolerance a real-time run of `scenario` compares with. */
function realTimeWindow(scenario: Scenario, scale: number, tolerance: number | undefined) {
  const intervalMs = scaleMs(scenario.options.intervalMs ?? DEFAULTS.interval, scale);
  return { intervalMs, tolerance: tolerance ?? defaultTolerance({ intervalMs }) };
}

/**
 * A warning when the tolerance is at least half the scaled interval of some scenarios: a time
 * a tick late then still matches, so the comparison cannot tell a tick from the next.
 */
function toleranceWarning(scenarios: readonly Scenario[], scale: number, tolerance: number | undefined) {
  const blunt = scenarios.filter((s) => {
    const window = realTimeWindow(s, scale, tolerance);
    return window.tolerance * 2 >= window.intervalMs;
  });
  const [first] = blunt;
  if (!first) return undefined;
  const { intervalMs, tolerance: ms } = realTimeWindow(first, scale, tolerance);
  const which =
    blunt.length === scenarios.length
      ? 'every scenario'
      : `${blunt.length} of ${scenarios.length} scenarios (${blunt
          .map((s) => s.id)
          .slice(0, 3)
          .join(', ')}${blunt.length > 3 ? ', …' : ''})`;
  return `probekit conformance checker: warning: the tolerance (${ms} ms) is at least half the scaled interval (${intervalMs} ms) in ${which}, so the comparison cannot tell a tick from the next. Raise --time-scale or lower --tolerance.\n`;
}

/** The raw flags a rerun repeats, in the order people write them. */
const RERUN_FLAGS = [
  'exec',
  'time-scale',
  'tolerance',
  'startup-timeout',
  'repeat',
  'expect-fail',
  'fixtures',
] as const;

/**
 * The command that reruns only the failing cases, with every flag that shapes a run (not the
 * reporter: a person reruns to look), quoted for a POSIX shell.
 */
function rerunCommand(report: Report, values: Record<string, unknown>): string | undefined {
  const ids = failingResults(report).map((r) => r.id);
  if (!ids.length) return undefined;
  const words = ['probekit', 'conformance', 'checker'];
  for (const flag of RERUN_FLAGS) {
    const value = values[flag];
    if (typeof value === 'string') words.push(`--${flag}`, value);
    else if (flag === 'time-scale' && values.exec !== undefined) words.push('--time-scale', '1');
    if (flag === 'exec') words.push('--only', ids.join(','));
  }
  return commandLine(words);
}

/** A one-line progress counter on a terminal's stderr, redrawn in place. */
function progressLine(stderr: Writable, enabled: boolean, runs: readonly { durationMs: number }[]) {
  const eta = createEta(runs);
  let shown = false;
  let finished = 0;
  return {
    clear() {
      if (shown) stderr.write('\r\u001b[K');
      shown = false;
    },
    done(elapsedMs: number) {
      eta.done(elapsedMs);
      finished++;
    },
    draw() {
      if (!enabled || finished >= runs.length) return;
      stderr.write(`\r\u001b[K[${eta.line()}]`);
      shown = true;
    },
  };
}

function isTerminal(stream: Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
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
        repeat: { type: 'string' },
        'expect-fail': { type: 'string' },
        reporter: { type: 'string' },
        report: { type: 'string' },
        fixtures: { type: 'string' },
        profile: { type: 'string' },
        identify: { type: 'boolean' },
      },
      false,
    );
    const profile = profileFlag(values.profile as string | undefined);
    const identify = values.identify === true;
    if (identify && values.repeat !== undefined) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        'Failed to read the arguments of "probekit conformance checker": --identify runs every case once; leave out --repeat.',
      );
    }
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
    const repeat = repeatFlag(values.repeat as string | undefined);
    const reporterName = reporterFlag(values.reporter as string | undefined, REPORTERS);
    const fixturesDir = values.fixtures as string | undefined;
    if (command === undefined) {
      const realTimeOnly = (['time-scale', 'tolerance', 'startup-timeout', 'repeat'] as const).filter(
        (flag) => values[flag] !== undefined,
      );
      if (realTimeOnly.length) {
        throw new ProbekitError(
          'ERR_PROBEKIT_USAGE',
          `Failed to read the arguments of "probekit conformance checker": --${realTimeOnly.join(', --')} ${realTimeOnly.length === 1 ? 'applies' : 'apply'} only with --exec (the reference runs in virtual time, exactly). Add --exec CMD or leave them out.`,
        );
      }
    }

    let cases: ScenarioFile[];
    let all: ScenarioFile[];
    try {
      cases = checkerCases({ levels, only, fixturesDir });
      all = checkerCases({ fixturesDir });
    } catch (error) {
      if (error instanceof ProbekitError) throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message);
      throw error;
    }
    if (only) {
      const known = new Set(all.map(({ scenario }) => scenario.id));
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
    const expectedFailures = expectFailFlag(values['expect-fail'] as string | undefined, all, fixturesDir);
    const reportPath = values.report as string | undefined;
    await checkWritable('report', reportPath);

    const reporter = createReporter(reporterName, io.stdout, { color: io.color });
    if (identify) {
      return runIdentify(io, reporterName, {
        command,
        cases: cases.map(({ scenario }) => scenario),
        levels,
        only,
        fixturesDir,
        timeScale,
        tolerance,
        startupTimeoutMs,
        profile,
        reportPath,
      });
    }
    const report =
      command === undefined
        ? await runReference(reporter, { levels, only, fixturesDir, expectedFailures, profile })
        : await runExec(io, reporter, {
            command,
            cases: cases.map(({ scenario }) => scenario),
            levels,
            only,
            fixturesDir,
            timeScale,
            tolerance,
            startupTimeoutMs,
            repeat,
            expectedFailures,
            profile,
          });
    reporter.end(report);
    if (reportPath !== undefined) {
      await writeReportPage(reportPath, report, cases, {
        command,
        timeScale,
        tolerance,
        repeat,
        fixturesDir,
      });
      (reporterName === 'human' ? io.stdout : io.stderr).write(`\nReport written to ${reportPath}\n`);
    }
    const rerun = rerunCommand(report, values);
    if (rerun) {
      const out = reporterName === 'human' ? io.stdout : io.stderr;
      out.write(`\nRerun the failing cases:\n  ${rerun}\n`);
    }
    return reportSucceeded(report) && report.results.length === cases.length && !io.signal.aborted
      ? EXIT.ok
      : EXIT.failure;
  },
};

type Selection = { levels?: ScenarioLevel[]; only?: string[]; fixturesDir?: string };

/** The built-in reference, in process and virtual time; expected failures marked as they come. */
async function runReference(
  reporter: ReturnType<typeof createReporter>,
  options: Selection & { expectedFailures?: ExpectedFailures; profile: string },
): Promise<Report> {
  const total = checkerCases(options).length;
  const adapter = options.profile === REFERENCE_PROFILE ? referenceAdapter : profileAdapter(options.profile);
  reporter.begin({
    suite: 'checker',
    implementation: adapter.name,
    total,
    details: `in process, virtual time (exact)${options.profile === REFERENCE_PROFILE ? '' : `, judged as ${options.profile}`}`,
  });
  const report = await runCheckerConformance(adapter, {
    ...options,
    onResult: (result) => reporter.result(markExpectedFailure(result, options.expectedFailures)),
  });
  const results = report.results.map((r) => markExpectedFailure(r, options.expectedFailures));
  return makeReport('checker', report.implementation, results, report.elapsedMs);
}

/** Another process, in real time: warnings first, progress on a terminal, runs in rounds. */
async function runExec(
  io: CliIo,
  reporter: ReturnType<typeof createReporter>,
  options: Selection & {
    command: string;
    cases: Scenario[];
    timeScale?: number;
    tolerance?: number;
    startupTimeoutMs?: number;
    repeat?: number;
    expectedFailures?: ExpectedFailures;
    profile?: string;
    judgeAs?: readonly string[];
  },
): Promise<Report> {
  const { command, cases, timeScale = 1, tolerance, repeat = 1, ...rest } = options;
  const runnable = cases.filter((s) => s.virtualOnly === undefined);
  const warning = toleranceWarning(runnable, timeScale, tolerance);
  if (warning) io.stderr.write(warning);
  const planned = Array.from({ length: repeat }, () =>
    runnable.map((s) => ({ durationMs: scaleMs(s.durationMs, timeScale) })),
  ).flat();
  const progress = progressLine(io.stderr, isTerminal(io.stderr), planned);
  const skipped = cases.length - runnable.length;
  reporter.begin({
    suite: 'checker',
    implementation: `exec: ${command}`,
    total: cases.length,
    repeat,
    details: [
      `real time, time scale ${timeScale}, tolerance ${toleranceText(tolerance)}, protocol 2${
        options.profile && options.profile !== REFERENCE_PROFILE ? `, judged as ${options.profile}` : ''
      }`,
      skipped ? `${skipped} skipped (virtual time only)` : '',
    ]
      .filter(Boolean)
      .join(', '),
  });
  progress.draw();
  try {
    return await runProcessConformance({
      ...rest,
      command,
      timeScale,
      tolerance,
      repeat,
      env: io.env,
      signal: io.signal,
      onRun: (result, { round, rounds }) => {
        progress.clear();
        progress.done(result.elapsedMs);
        if (rounds > 1) {
          reporter.run?.(result, round, rounds);
          progress.draw();
        }
      },
      onResult: (result) => {
        progress.clear();
        reporter.result(result);
        progress.draw();
      },
    });
  } finally {
    progress.clear();
  }
}

/**
 * `--report FILE`: the run as a page, one column (the implementation judged against the
 * fixtures' expectations, Dapr v1.0's). Under --exec at another time scale the expected
 * timelines are the scaled ones the run was compared with.
 */
async function writeReportPage(
  path: string,
  report: Report,
  cases: readonly ScenarioFile[],
  run: { command?: string; timeScale?: number; tolerance?: number; repeat?: number; fixturesDir?: string },
): Promise<void> {
  const scale = run.timeScale ?? 1;
  const expected = new Map<string, Trace>();
  for (const { scenario } of cases) {
    if (!scenario.expected) continue;
    expected.set(
      scenario.id,
      run.command === undefined || scale === 1
        ? scenario.expected
        : (await scaleScenario(scenario, scale)).expected,
    );
  }
  const summary =
    run.command === undefined
      ? 'in process, virtual time (exact)'
      : `real time, time scale ${scale}, tolerance ${toleranceText(run.tolerance)}${run.repeat ? `, ${run.repeat} runs per case` : ''}`;
  const model = reportFromResults({
    implementation: report.implementation,
    generatedAt: new Date(systemWallClock()).toISOString(),
    summary,
    columns: [
      {
        column: {
          id: 'dapr-1.0',
          label: 'dapr-1.0',
          note: `Dapr v1.0's checker: the expected traces of ${run.fixturesDir ?? 'fixtures/checker/'}`,
        },
        results: report.results,
        expected: (id) => expected.get(id),
      },
    ],
  });
  try {
    await writeHtmlReport(path, renderHtmlReport(model));
  } catch (error) {
    // Checked before the run; the folder can still vanish or fill up meanwhile.
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to write --report ${JSON.stringify(path)}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}. Check that the folder still exists and has room.`,
    );
  }
}

function profileFlag(value: string | undefined): string {
  if (value === undefined) return REFERENCE_PROFILE;
  try {
    return profileNamed(value.trim()).name;
  } catch (error) {
    throw new ProbekitError('ERR_PROBEKIT_USAGE', `Failed to read --profile: ${(error as Error).message}`);
  }
}

/**
 * `--identify`: every case once, judged as every profile; prints the ranking and the evidence.
 * In process it identifies probekit's own checker (under --profile): a check of the engine.
 */
async function runIdentify(
  io: CliIo,
  reporterName: string,
  options: Selection & {
    command: string | undefined;
    cases: Scenario[];
    timeScale?: number;
    tolerance?: number;
    startupTimeoutMs?: number;
    profile: string;
    reportPath: string | undefined;
  },
): Promise<number> {
  const { command, cases, profile } = options;
  let identification: Identification;
  let report: Report | undefined;
  if (command === undefined) {
    const adapter = profile === REFERENCE_PROFILE ? referenceAdapter : profileAdapter(profile);
    identification = await identifyChecker(adapter, options);
  } else {
    const quiet = createReporter('json', new DevNull(), { color: false });
    report = await runExec(io, quiet, {
      command,
      cases,
      levels: options.levels,
      only: options.only,
      fixturesDir: options.fixturesDir,
      timeScale: options.timeScale,
      tolerance: options.tolerance,
      startupTimeoutMs: options.startupTimeoutMs,
      profile,
      judgeAs: PROFILE_NAMES,
    });
    identification = rankProfiles(
      report.implementation,
      report.results.map((result) => ({
        id: result.id,
        byProfile:
          result.profiles ??
          Object.fromEntries(
            PROFILE_NAMES.map((name) => [
              name,
              {
                status: result.status === 'skip' ? 'skip' : 'fail',
                headline: result.message ?? result.status,
              },
            ]),
          ),
      })),
    );
  }
  const out = reporterName === 'json' ? undefined : io.stdout;
  if (out) {
    out.write(`${identification.implementation}\n${identification.summary}\n\n`);
    for (const match of identification.ranking) {
      out.write(
        `  ${match.profile.padEnd(20)} ${String(match.passed).padStart(3)}/${String(match.judged).padEnd(3)} ${match.versions}\n`,
      );
    }
  } else {
    io.stdout.write(
      `${JSON.stringify({ summary: identification.summary, best: identification.best.profile, exact: identification.exact, ranking: identification.ranking }, null, 2)}\n`,
    );
  }
  if (options.reportPath !== undefined) {
    await writeIdentifyPage(options.reportPath, identification, report, cases, options);
    (out ?? io.stderr).write(`\nReport written to ${options.reportPath}\n`);
  }
  return identification.exact && !io.signal.aborted ? EXIT.ok : EXIT.failure;
}

/** The identify run as a page: one column per profile. */
async function writeIdentifyPage(
  path: string,
  identification: Identification,
  report: Report | undefined,
  cases: readonly Scenario[],
  run: { command?: string; timeScale?: number; tolerance?: number },
): Promise<void> {
  const scale = run.timeScale ?? 1;
  const actual = new Map((report?.results ?? []).map((r) => [r.id, r]));
  const columns = [];
  for (const name of PROFILE_NAMES) {
    const expected = new Map<string, Trace>();
    for (const scenario of cases) {
      const prepared =
        run.command === undefined || scale === 1 ? scenario : (await scaleScenario(scenario, scale)).scenario;
      const trace = await expectedUnder(
        prepared,
        name,
        run.command === undefined ? 'in-process' : 'profile',
      ).catch(() => undefined);
      if (trace && !('refused' in trace)) expected.set(scenario.id, trace);
    }
    const results = identification.cases.map((kase) => {
      const verdict = kase.byProfile[name];
      const scenario = cases.find((s) => s.id === kase.id) as Scenario;
      const ran = actual.get(kase.id);
      return {
        id: kase.id,
        level: scenario.level,
        description: scenario.description,
        rules: scenario.rules,
        status: verdict?.status ?? 'skip',
        diffs: verdict?.diffs ?? [],
        ...(verdict?.message || verdict?.headline ? { message: verdict.message ?? verdict.headline } : {}),
        elapsedMs: ran?.elapsedMs ?? 0,
        ...(ran?.actual ? { actual: ran.actual } : {}),
      } as const;
    });
    const match = identification.ranking.find((m) => m.profile === name);
    columns.push({
      column: {
        id: name,
        label: name,
        note: `${profileNamed(name).versions}: ${match?.passed ?? 0}/${match?.judged ?? 0}`,
      },
      results,
      expected: (id: string) => expected.get(id),
    });
  }
  const model = reportFromResults({
    implementation: identification.implementation,
    generatedAt: new Date(systemWallClock()).toISOString(),
    summary: identification.summary,
    columns,
  });
  try {
    await writeHtmlReport(path, renderHtmlReport(model));
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to write --report ${JSON.stringify(path)}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}. Check that the folder still exists and has room.`,
    );
  }
}

/** A stream that drops what it is given (the per-case reporter is quiet under --identify). */
class DevNull extends Writable {
  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
}
