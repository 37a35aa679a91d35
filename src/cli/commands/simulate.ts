import { readFile } from 'node:fs/promises';
import { PROFILE_NAMES, profileNamed, REFERENCE_PROFILE } from '../../checker/profiles/catalogue.js';
import { ProbekitError } from '../../errors.js';
import {
  type FleetDistribution,
  type FleetEndpointSummary,
  type FleetPlan,
  type FleetSummary,
  MAX_FLEET_ENDPOINTS,
  planFleet,
  simulateFleet,
  worstEndpoints,
} from '../../scenario/fleet.js';
import type { ScenarioOptions } from '../../scenario/types.js';
import { monotonicNs } from '../../time/monotonic.js';
import { durationFlag, integerFlag, parseCommandArgs, rangeFlag, usageError } from '../args.js';
import { type Command, EXIT } from '../command.js';

const FORMATS = ['table', 'json'] as const;
type SimulateFormat = (typeof FORMATS)[number];

/** A what-if hour: long enough for rare faults to show, seconds of CPU at a 1 s interval. */
const DEFAULT_FOR_MS = 3_600_000;
const DEFAULT_TOP = 10;

const HELP = `Usage: probekit simulate "<script>" [--endpoints N] [options]
       probekit simulate --scripts <file> [options]

A what-if fleet run: N endpoints, each checked by the reference checker (Dapr v1.0,
faithfully), all in virtual time on the discrete-event simulator (an hour of 1,000
endpoints at 1 s takes seconds). Prints what the signals said: per endpoint (the worst
ones when there are many), probes, true/false signals, flaps (true → false), time
unhealthy (from a false to the next true, or to the end) and the first false; fleet totals
and percentiles; the wall and CPU time it took.

<script> is the endpoint DSL (docs/dsl.md in the probekit package). With --endpoints N,
N endpoints play it with seeds --seed, --seed+1, …: random steps such as
"(200@99 | 503@1)..." then differ per endpoint, and the same seed replays the same run.

Options (durations are Go-style, 5s, 150ms, 1m30s, or a bare number of ms):
  --endpoints <n>             how many endpoints play <script> (default 1, at most ${MAX_FLEET_ENDPOINTS})
  --scripts <file>            one script per endpoint instead: one per line (blank lines
                              and lines starting with # are skipped), or a JSON array of
                              strings
  --for <duration>            how long each endpoint runs (default 1h)
  --interval <duration>       time between ticks (default 5s)
  --initial-delay <duration>  delay before the first tick is read (default 1s)
  --timeout <duration>        request timeout per probe (default 2s)
  --threshold <n>             failures in a row that emit false (default 2)
  --success-status <code>     the one status that counts as success (default 200)
  --seed <n>                  seed of endpoint 0; endpoint i gets seed+i (default 0)
  --profile <name>            every checker is this Dapr version (default dapr-1.0; its own
                              defaults apply to options left out): ${PROFILE_NAMES.join(', ')}
  --format <format>           table (default) or json (every endpoint, for scripts)
  --top <n>                   endpoints listed in the table, worst first (default ${DEFAULT_TOP})
  -h, --help                  show this help

Times must be whole milliseconds. The run is bounded: at most 1,000,000 ticks per endpoint
and 100,000,000 in all; the probe count (at most one per tick) is printed to stderr before
it starts, and on a terminal the endpoints done as it goes. Bad flags, a bad script or a run too large exit with code 2; Ctrl-C stops it
(exit 130).

Examples:
  probekit simulate "(200@99 | 503@1)..." --endpoints 1000 --for 1h --interval 1s --initial-delay 0
  probekit simulate "200*100, 503*5, 200..." --interval 1s --threshold 3 --for 10m
  probekit simulate --scripts fleet.txt --for 1h --interval 1s --format json`;

function formatFlag(value: string | undefined): SimulateFormat {
  if (value === undefined) return 'table';
  if ((FORMATS as readonly string[]).includes(value)) return value as SimulateFormat;
  throw usageError(
    `Failed to read --format ${JSON.stringify(value)}: it is not a format. Use one of ${FORMATS.join(', ')}.`,
  );
}

/** Reads a --scripts file: a JSON array of strings, or one script per line. */
async function scriptsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(
      `Failed to read --scripts ${JSON.stringify(path)}: ${reason}. Pass a file with one script per line, or a JSON array of strings.`,
    );
  }
  let scripts: string[];
  if (text.trimStart().startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw usageError(
        `Failed to read --scripts ${JSON.stringify(path)}: it starts like JSON but is not (${reason}). Write a JSON array of strings, or one script per line.`,
      );
    }
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
      throw usageError(
        `Failed to read --scripts ${JSON.stringify(path)}: it is JSON but not an array of strings. Write it like ["200...", "503*3, 200..."].`,
      );
    }
    scripts = value;
  } else {
    // The DSL's own comments start with #: a line that is only a comment is no endpoint.
    scripts = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  }
  if (scripts.length === 0 || scripts.length > MAX_FLEET_ENDPOINTS) {
    throw usageError(
      `Failed to read --scripts ${JSON.stringify(path)}: it has ${scripts.length} scripts. Give from 1 to ${MAX_FLEET_ENDPOINTS}, one per endpoint.`,
    );
  }
  return scripts;
}

/** What a `probekit simulate` command line asks for, read and checked before anything runs. */
export interface SimulateArgs {
  readonly plan: FleetPlan;
  readonly format: SimulateFormat;
  readonly top: number;
}

/**
 * Reads and checks the arguments of `probekit simulate` (and its --scripts file) without
 * running the fleet: every bad flag, value, script or size is an `ERR_PROBEKIT_USAGE` here.
 *
 * @example
 * (await readSimulateArgs(['200...', '--endpoints', '1000', '--interval', '1s'])).plan.totalTicks; // 3_600_000
 */
export async function readSimulateArgs(args: string[]): Promise<SimulateArgs> {
  const { values, positionals } = parseCommandArgs('simulate', args, {
    endpoints: { type: 'string' },
    scripts: { type: 'string' },
    for: { type: 'string' },
    interval: { type: 'string' },
    profile: { type: 'string' },
    'initial-delay': { type: 'string' },
    timeout: { type: 'string' },
    threshold: { type: 'string' },
    'success-status': { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string' },
    top: { type: 'string' },
  });
  const flag = (name: keyof typeof values) => values[name] as string | undefined;
  const scriptsPath = flag('scripts');
  if (scriptsPath !== undefined && (positionals.length > 0 || flag('endpoints') !== undefined)) {
    throw usageError(
      'Failed to read the arguments of "probekit simulate": --scripts gives one script per endpoint, so a script argument or --endpoints cannot apply. Drop them, or drop --scripts.',
    );
  }
  if (scriptsPath === undefined && positionals.length !== 1) {
    throw usageError(
      `Failed to read the arguments of "probekit simulate": expected one script in quotes (or --scripts <file>), got ${positionals.length} arguments. Write it like probekit simulate "200, 503*3, 200..." --endpoints 100.`,
    );
  }
  const endpoints = rangeFlag('endpoints', flag('endpoints'), 1, MAX_FLEET_ENDPOINTS);
  const profileText = flag('profile');
  let profile: string | undefined;
  if (profileText !== undefined) {
    try {
      profile = profileNamed(profileText.trim()).name;
    } catch (error) {
      throw usageError(`Failed to read --profile: ${(error as Error).message}`);
    }
  }
  const format = formatFlag(flag('format'));
  const top = rangeFlag('top', flag('top'), 0, MAX_FLEET_ENDPOINTS) ?? DEFAULT_TOP;
  const seed = rangeFlag('seed', flag('seed'), 0, 0xffff_ffff);
  const options: ScenarioOptions = {};
  const interval = durationFlag('interval', flag('interval'));
  if (interval !== undefined) {
    if (interval <= 0) {
      throw usageError(
        `Failed to read --interval ${JSON.stringify(flag('interval'))}: it is not above 0 (Dapr would panic). Write it like --interval 1s.`,
      );
    }
    options.intervalMs = interval;
  }
  const delay = durationFlag('initial-delay', flag('initial-delay'));
  if (delay !== undefined) options.initialDelayMs = delay;
  const timeout = durationFlag('timeout', flag('timeout'));
  if (timeout !== undefined) options.requestTimeoutMs = timeout;
  const threshold = integerFlag('threshold', flag('threshold'));
  if (threshold !== undefined) options.failureThreshold = threshold;
  const success = integerFlag('success-status', flag('success-status'));
  if (success !== undefined) options.successStatusCode = success;
  const forMs = durationFlag('for', flag('for')) ?? DEFAULT_FOR_MS;
  for (const [name, ms] of [
    ['for', forMs],
    ['interval', interval],
    ['initial-delay', delay],
    ['timeout', timeout],
  ] as const) {
    if (ms !== undefined && !Number.isInteger(ms)) {
      throw usageError(
        `Failed to read --${name} ${JSON.stringify(flag(name))}: it is ${ms} ms, not a whole number of ms. Round it: the fleet simulator runs in whole milliseconds.`,
      );
    }
  }
  const scripts = scriptsPath === undefined ? undefined : await scriptsFile(scriptsPath);
  let plan: FleetPlan;
  try {
    plan = planFleet(
      scripts === undefined
        ? {
            script: positionals[0] as string,
            endpoints: endpoints ?? 1,
            options,
            durationMs: forMs,
            seed,
            profile,
          }
        : { scripts, options, durationMs: forMs, seed, profile },
    );
  } catch (error) {
    // A bad script, option or size is the caller's input: a usage error, in the library's words.
    if (error instanceof ProbekitError && error.code !== 'ERR_PROBEKIT_USAGE') {
      throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message, { cause: error });
    }
    throw error;
  }
  return { plan, format, top };
}

const count = new Intl.NumberFormat('en-US');

/** A duration the way --for reads one, to the ms, zero parts left out: `1h`, `1h2m3.5s`, `250ms`. */
function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

/** A script for one table cell: its newlines (the DSL allows them) as spaces, at most 40 characters. */
function oneLine(script: string): string {
  const line = script.replace(/\s+/g, ' ').trim();
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function optionsLine(summary: FleetSummary): string {
  const o = summary.options;
  return `${summary.profile === REFERENCE_PROFILE ? '' : `${summary.profile}, `}interval ${duration(o.intervalMs)}, initial delay ${duration(o.initialDelayMs)}, timeout ${duration(o.requestTimeoutMs)}, threshold ${o.failureThreshold}, success ${o.successStatusCode}`;
}

function table(rows: string[][], right: (column: number) => boolean): string {
  // A loop, not Math.max(...rows): --top may list 100,000 rows, past the spread's argument limit.
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, c) => {
      widths[c] = Math.max(widths[c] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, c) => (right(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function renderTable(summary: FleetSummary, top: number, wallMs: number, cpuMs: number): string {
  const { totals, distribution: d } = summary;
  const n = totals.endpoints;
  const rate = wallMs > 0 ? Math.round((totals.probes / wallMs) * 1000) : 0;
  const dist = (name: string, total: string, values: FleetDistribution, show: (v: number) => string) => [
    name,
    total,
    show(values.min),
    show(values.p50),
    show(values.p90),
    show(values.p99),
    show(values.max),
  ];
  const lines = [
    `${count.format(n)} endpoint${n === 1 ? '' : 's'} × ${duration(summary.durationMs)} of virtual time (${optionsLine(summary)})`,
    `${count.format(totals.probes)} probes in ${(wallMs / 1000).toFixed(2)} s of wall time, ${(cpuMs / 1000).toFixed(2)} s of CPU (${count.format(rate)} probes/s)`,
    '',
    table(
      [
        ['fleet', 'total', 'min', 'p50', 'p90', 'p99', 'max'],
        dist('probes', count.format(totals.probes), d.probes, String),
        ['failed probes', count.format(totals.failedProbes), '', '', '', '', ''],
        ['true signals', count.format(totals.trueSignals), '', '', '', '', ''],
        dist('false signals', count.format(totals.falseSignals), d.falseSignals, String),
        dist('flaps', count.format(totals.flaps), d.flaps, String),
        dist('time unhealthy', duration(totals.unhealthyMs), d.unhealthyMs, duration),
      ],
      (c) => c > 0,
    ),
    '',
    `ever unhealthy: ${count.format(totals.everUnhealthy)} of ${count.format(n)} endpoints; unhealthy at the end: ${count.format(totals.unhealthyAtEnd)}`,
  ];
  const shown = worstEndpoints(summary, top);
  if (shown.length > 0) {
    const title =
      shown.length === n
        ? 'endpoints, longest unhealthy first:'
        : `the ${shown.length} endpoints unhealthy longest (of ${count.format(n)}):`;
    const row = (e: FleetEndpointSummary) => [
      `#${e.index}`,
      String(e.seed),
      String(e.probes),
      String(e.failedProbes),
      String(e.trueSignals),
      String(e.falseSignals),
      String(e.flaps),
      duration(e.unhealthyMs),
      e.firstFalseAt === null ? '—' : duration(e.firstFalseAt),
      e.healthyAtEnd === null ? '—' : String(e.healthyAtEnd),
      oneLine(e.script),
    ];
    lines.push(
      '',
      title,
      table(
        [
          [
            'endpoint',
            'seed',
            'probes',
            'failed',
            'true',
            'false',
            'flaps',
            'unhealthy',
            'first false',
            'last',
            'script',
          ],
          ...shown.map(row),
        ],
        (c) => c >= 1 && c <= 7,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `probekit simulate "<script>" --endpoints N --for 1h`: a what-if fleet run of the reference
 * checker in virtual time, summarised as a table or JSON.
 *
 * @example
 * await main(['simulate', '(200@99 | 503@1)...', '--endpoints', '1000', '--interval', '1s'], io);
 */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'a what-if fleet run: N endpoints for an hour in virtual time, summarised in seconds',
  help: HELP,
  async run(args, io) {
    const { plan, format, top } = await readSimulateArgs(args);
    const endpoints = plan.scripts.length;
    io.stderr.write(
      `simulating ${count.format(endpoints)} endpoint${endpoints === 1 ? '' : 's'} for ${duration(plan.durationMs)}: at most ${count.format(plan.totalTicks)} probes (one per tick)\n`,
    );
    const started = monotonicNs();
    // CPU time as well: on a busy machine the wall time says more about the neighbours.
    const cpuBefore = process.cpuUsage();
    let done = 0;
    // Progress on a terminal only (CI logs and pipes stay clean), by whole percents: a count,
    // not a clock, so the same run prints the same lines.
    const progress = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const step = Math.max(1, Math.ceil(endpoints / 100));
    let summary: FleetSummary;
    try {
      summary = await simulateFleet(plan, {
        signal: io.signal,
        onEndpoint: (n) => {
          done = n;
          if (progress && (n % step === 0 || n === endpoints)) {
            io.stderr.write(`\rsimulated ${n} of ${endpoints} endpoints`);
          }
        },
      });
    } catch (error) {
      if (progress) io.stderr.write('\r\u001b[K');
      if (io.signal.aborted) {
        io.stderr.write(
          `probekit: simulate interrupted after ${done} of ${endpoints} endpoints; nothing was summarised.\n`,
        );
        return EXIT.interrupted;
      }
      throw error;
    }
    const wallMs = Number(monotonicNs() - started) / 1e6;
    // Clear the progress line: the summary goes to stdout, which may share the terminal.
    if (progress) io.stderr.write('\r\u001b[K');
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (format === 'json') {
      const probesPerSecond = wallMs > 0 ? Math.round((summary.totals.probes / wallMs) * 1000) : 0;
      const wall = { wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs), probesPerSecond };
      io.stdout.write(`${JSON.stringify({ ...summary, run: wall }, null, 2)}\n`);
    } else {
      io.stdout.write(renderTable(summary, top, wallMs, cpuMs));
    }
    return EXIT.ok;
  },
};
