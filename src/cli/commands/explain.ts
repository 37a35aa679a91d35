import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULTS, resolveOptions } from '../../checker/options.js';
import {
  type CheckerProfile,
  isProfileName,
  PROFILE_NAMES,
  profileNamed,
} from '../../checker/profiles/catalogue.js';
import { ProbekitError } from '../../errors.js';
import { optionsFromScenario } from '../../scenario/reference-adapter.js';
import { simulate } from '../../scenario/simulate.js';
import type { Scenario, ScenarioOptions, Trace } from '../../scenario/types.js';
import { jsonShapeProblems } from '../../scenario/validate.js';
import { renderProfileLanes } from '../../teach/profile-lanes.js';
import { renderTimeline } from '../../teach/render.js';
import { optionsSummary } from '../../teach/scale.js';
import { wrap, wrapAt } from '../../teach/text.js';
import { buildTimeline } from '../../teach/timeline-model.js';
import { durationFlag, integerFlag, parseCommandArgs } from '../args.js';
import { commandColor } from '../color.js';
import { type Command, EXIT } from '../command.js';
import { defaultTolerance, tidyRecordedTrace } from '../recorded-trace.js';
import { checkWritable } from '../writable.js';

const FORMATS = ['table', 'timeline', 'svg', 'json'] as const;
type ExplainFormat = (typeof FORMATS)[number];

/** More ticks than this is not something a person reads; it is a typo in --until. */
const MAX_TICKS = 100_000;

const HELP = `Usage: probekit explain "<script>" [options]
       probekit explain --trace <file.json> [--tolerance …] [--format …] [--out …] [--width …]

Simulates the reference checker (Dapr v1.0, faithfully) against an endpoint that plays
<script>, on a virtual clock (exact to the millisecond, instant), and shows what happened
and why: every tick, dropped tick, probe, outcome, failure count and signal. With
--profile, another Dapr version's checker, or several side by side on one time axis.

<script> is the endpoint DSL, one step per request, e.g. "200, 503*3, hang, 200..."
(docs/dsl.md in the probekit package). Options left out use Dapr v1.0's defaults.

With --trace, it draws a trace recorded elsewhere instead (probekit check --trace, a
conformance run, another implementation) with the same renderers.

Options (durations are Go-style, 5s, 150ms, 1m30s, or a bare number of ms; at most 596h):
  --interval <duration>       time between ticks (default 5s)
  --threshold <n>             failures in a row that emit false, once per streak (default 2;
                              0 or less never emits false, as in Dapr)
  --initial-delay <duration>  delay before the first tick is read (default 1s; the ticker
                              is already running, so it is invisible behind a 5s interval)
  --timeout <duration>        request timeout per probe (default 2s)
  --success-status <code>     the one status that counts as success (default 200)
  --read-delay <duration>     when the consumer starts reading signals (default 0); a late
                              reader makes the loop block on the channel of one
  --until <duration>          how long to simulate (default: the initial delay plus 10
                              intervals)
  --profile <names>           the Dapr checker to simulate (default dapr-1.0, the
                              reference): one name, a comma-separated list drawn as lanes
                              on one time axis (json: { profile: trace }), or all. Options
                              left out take each profile's own defaults. Names:
                              ${PROFILE_NAMES.join(', ')}
                              (docs/profiles.md says what changed between them)
  --format <format>           table     one row per event with the rule behind it (default)
                              timeline  a text timeline that fits the width (for terminals
                                        and CI logs)
                              svg       a standalone SVG picture
                              json      the trace itself
  --out <file>                write the output to <file> instead of printing it
  --width <n>                 columns for table/timeline (default 80), pixels for svg
                              (default 960)
  --ascii                     draw the timeline with 7-bit characters only
  --trace <file>              draw this recorded trace (JSON) instead of simulating; the
                              checker options above do not apply
  --tolerance <duration>      with --trace: a step less than this after its cause (a tick,
                              the end of a probe, an emit) is drawn at its cause, then times
                              are rounded to whole ms (default 2ms, a real event loop's
                              jitter, for a recording with fractional ms like probekit
                              check --trace writes; 0 for a trace in whole ms)
  --no-color                  no ANSI colour, even on a terminal
  -h, --help                  show this help

Colour is used only on a terminal, never with --out, --no-color or NO_COLOR set (not
empty); FORCE_COLOR=1 forces it. --format svg needs --out, or stdout redirected to a file.
Bad flags or a bad script exit with code 2.

Examples:
  probekit explain "200, 503*3, 200" --interval 100ms --initial-delay 30ms
  probekit explain "200, 503, 503, 503, 200" --interval 100ms --initial-delay 30ms --read-delay 550ms --until 1s --format timeline
  probekit explain "hang*2, 200..." --interval 100ms --timeout 150ms --initial-delay 250ms --format svg --out t.svg
  probekit explain "200, 503*4, 200..." --interval 100ms --initial-delay 30ms --timeout 50ms --profile dapr-1.0,dapr-1.1,dapr-1.13 --format timeline`;

function formatFlag(value: string | undefined): ExplainFormat {
  if (value === undefined) return 'table';
  if ((FORMATS as readonly string[]).includes(value)) return value as ExplainFormat;
  throw new ProbekitError(
    'ERR_PROBEKIT_USAGE',
    `Failed to read --format ${JSON.stringify(value)}: it is not a format. Use one of ${FORMATS.join(', ')}.`,
  );
}

function widthFlag(value: string | undefined): number | undefined {
  const width = integerFlag('width', value);
  if (width !== undefined && width <= 0) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --width ${JSON.stringify(value)}: it is not positive. Write it like --width 100.`,
    );
  }
  return width;
}

/** The scenario a command line describes (options left out stay out: the checker's defaults apply). */
function scenarioOf(
  script: string,
  values: Record<string, string | boolean | undefined>,
  profiles: readonly CheckerProfile[] = [],
): Scenario {
  const flag = (name: string) => values[name] as string | undefined;
  const options: ScenarioOptions = {};
  const interval = durationFlag('interval', flag('interval'));
  if (interval !== undefined) {
    if (interval <= 0) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to read --interval ${JSON.stringify(flag('interval'))}: it is not above 0 (Dapr would panic). Write it like --interval 100ms.`,
      );
    }
    options.intervalMs = interval;
  }
  const threshold = integerFlag('threshold', flag('threshold'));
  if (threshold !== undefined) options.failureThreshold = threshold;
  const delay = durationFlag('initial-delay', flag('initial-delay'));
  if (delay !== undefined) options.initialDelayMs = delay;
  const timeout = durationFlag('timeout', flag('timeout'));
  if (timeout !== undefined) options.requestTimeoutMs = timeout;
  const success = integerFlag('success-status', flag('success-status'));
  if (success !== undefined) options.successStatusCode = success;
  const readDelay = durationFlag('read-delay', flag('read-delay')) ?? 0;
  // Each profile has its own defaults (v1.13 probes every 3 s): long enough for the slowest.
  const defaults = profiles.length ? profiles.map((p) => p.defaults) : [DEFAULTS];
  const effectiveInterval = Math.min(...defaults.map((d) => options.intervalMs ?? d.interval));
  const until =
    durationFlag('until', flag('until')) ??
    Math.max(
      ...defaults.map(
        (d) => (options.initialDelayMs ?? d.initialDelay) + 10 * (options.intervalMs ?? d.interval),
      ),
    );
  if (until / effectiveInterval > MAX_TICKS) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to simulate ${until} ms at an interval of ${effectiveInterval} ms: that is over ${MAX_TICKS} ticks. Shorten --until or lengthen --interval.`,
    );
  }
  return {
    id: 'explain',
    description: `probekit explain ${JSON.stringify(script)}`,
    rules: [],
    level: 'core',
    options,
    script,
    readDelayMs: readDelay,
    durationMs: until,
  };
}

/** The flags that set up a simulation (meaningless with --trace). */
const SIMULATION_FLAGS = [
  'interval',
  'threshold',
  'initial-delay',
  'timeout',
  'success-status',
  'read-delay',
  'until',
] as const;

/** Resolves with `undefined` once `signal` aborts (never rejects). */
function whenAborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/**
 * The simulated trace, or `undefined` when Ctrl-C / SIGTERM came first: a long simulation
 * (up to MAX_TICKS ticks, seconds of CPU) must not outlive the user's patience.
 */
async function simulated(
  scenario: Scenario,
  signal: AbortSignal,
  profile?: string,
): Promise<Trace | undefined> {
  try {
    // The checker's own option rules first: their errors name the flag's option in its words.
    resolveOptions(optionsFromScenario(scenario.options));
    return await Promise.race([
      profile === undefined ? simulate(scenario) : simulate(scenario, { profile }),
      whenAborted(signal),
    ]);
  } catch (error) {
    // A bad script or option is the caller's input: a usage error, with the checker's words.
    if (
      error instanceof ProbekitError &&
      (error.code === 'ERR_PROBEKIT_INVALID_SCRIPT' || error.code === 'ERR_PROBEKIT_INVALID_OPTION')
    ) {
      if (profile !== undefined && !error.message.includes(profile)) {
        throw new ProbekitError('ERR_PROBEKIT_USAGE', `${error.message} (under --profile ${profile})`, {
          cause: error,
        });
      }
      throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message, { cause: error });
    }
    throw error;
  }
}

async function recorded(path: string, toleranceMs: number | undefined): Promise<Trace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --trace ${JSON.stringify(path)}: ${reason}. Pass a trace written by probekit check --trace or explain --format json.`,
    );
  }
  let trace: Trace;
  try {
    trace = JSON.parse(text) as Trace;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --trace ${JSON.stringify(path)}: it is not JSON (${reason}). Pass a trace written by probekit check --trace or explain --format json.`,
    );
  }
  // Depth and size first: the renderers and --format json recurse once per level.
  const shape = jsonShapeProblems(trace);
  if (shape.length) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --trace ${JSON.stringify(path)}: ${shape[0]}. Pass a trace written by probekit check --trace or explain --format json.`,
    );
  }
  // A trace that is not one (no probes array, say) is left for the renderers to name.
  return isTidyable(trace) ? tidyRecordedTrace(trace, toleranceMs ?? defaultTolerance(trace)) : trace;
}

const isNumber = (value: unknown): value is number => typeof value === 'number';
const isOptionalNumber = (value: unknown) => value === undefined || isNumber(value);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Whether a parsed file has every time the tidy-up walks (the renderers judge the rest). */
function isTidyable(trace: unknown): trace is Trace {
  if (!isObject(trace) || !isNumber(trace.durationMs) || !isOptionalNumber(trace.delayEnd)) return false;
  const { probes, signals, ticks, blocked } = trace;
  return (
    Array.isArray(probes) &&
    probes.every((p) => isObject(p) && isNumber(p.start) && isOptionalNumber(p.end)) &&
    Array.isArray(signals) &&
    signals.every((s) => isObject(s) && isNumber(s.at) && isOptionalNumber(s.emittedAt)) &&
    (ticks === undefined ||
      (isObject(ticks) &&
        Array.isArray(ticks.delivered) &&
        ticks.delivered.every(isNumber) &&
        Array.isArray(ticks.dropped) &&
        ticks.dropped.every(isNumber))) &&
    (blocked === undefined ||
      (Array.isArray(blocked) &&
        blocked.every((b) => isObject(b) && isNumber(b.from) && isOptionalNumber(b.to))))
  );
}

/** What a `probekit explain` command line asks for, read and checked before anything runs. */
export interface ExplainArgs {
  readonly format: ExplainFormat;
  readonly width: number | undefined;
  readonly out: string | undefined;
  readonly tolerance: number | undefined;
  /** The recorded trace to draw; otherwise `scenario` is set. */
  readonly tracePath: string | undefined;
  readonly script: string | undefined;
  /** The simulation to run (its script is checked when it runs). */
  readonly scenario: Scenario | undefined;
  readonly ascii: boolean;
  readonly noColor: boolean;
  /** The profiles named by --profile, in the order given (empty: the reference, unnamed). */
  readonly profiles: readonly string[];
}

/**
 * The profiles of `--profile`: one name, a comma-separated list, or `all`. An unknown name is
 * a usage error that names it and lists the names there are.
 */
function profilesFlag(value: string | undefined): string[] {
  if (value === undefined) return [];
  if (value.trim() === 'all') return [...PROFILE_NAMES];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !isProfileName(name));
  if (unknown !== undefined) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --profile ${JSON.stringify(value.slice(0, 200))}: ${unknown === '' ? 'a name is empty' : `there is no profile ${JSON.stringify(unknown.slice(0, 60))}`}. Use one or more of ${PROFILE_NAMES.join(', ')} (comma-separated), or all.`,
    );
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --profile ${JSON.stringify(value.slice(0, 200))}: ${repeated} is named twice. Name each profile once.`,
    );
  }
  return names;
}

/**
 * Reads and checks the arguments of `probekit explain` without simulating or touching the
 * disk: every bad flag, value or combination is an `ERR_PROBEKIT_USAGE` here.
 *
 * @example
 * readExplainArgs(['200, 503*3', '--interval', '100ms']).scenario?.options; // { intervalMs: 100 }
 */
export function readExplainArgs(args: string[]): ExplainArgs {
  const { values, positionals } = parseCommandArgs('explain', args, {
    interval: { type: 'string' },
    threshold: { type: 'string' },
    'initial-delay': { type: 'string' },
    timeout: { type: 'string' },
    'success-status': { type: 'string' },
    'read-delay': { type: 'string' },
    until: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    width: { type: 'string' },
    ascii: { type: 'boolean' },
    trace: { type: 'string' },
    tolerance: { type: 'string' },
    profile: { type: 'string' },
    'no-color': { type: 'boolean' },
  });
  const profiles = profilesFlag(values.profile as string | undefined);
  const tracePath = values.trace as string | undefined;
  if (tracePath !== undefined) {
    const simulationFlags = SIMULATION_FLAGS.filter((flag) => values[flag] !== undefined);
    if (positionals.length > 0 || simulationFlags.length > 0) {
      const extra = [...positionals.map((p) => JSON.stringify(p)), ...simulationFlags.map((f) => `--${f}`)];
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to read the arguments of "probekit explain": --trace draws a recorded run, so ${extra.join(', ')} cannot apply. Drop them, or drop --trace to simulate.`,
      );
    }
    if (profiles.length > 1) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to read the arguments of "probekit explain": --trace draws one recorded run, so it takes one --profile (to explain it by that profile's rules), not ${profiles.length}. Name one profile, or drop --trace to simulate several.`,
      );
    }
  } else if (values.tolerance !== undefined) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      'Failed to use --tolerance: it applies to a recorded trace, and there is no --trace. Drop it: a simulation has exact times.',
    );
  } else if (positionals.length !== 1) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read the arguments of "probekit explain": expected one script in quotes, got ${positionals.length} arguments. Write it like probekit explain "200, 503*3, 200".`,
    );
  }
  const format = formatFlag(values.format as string | undefined);
  const width = widthFlag(values.width as string | undefined);
  const out = values.out as string | undefined;
  const tolerance = durationFlag('tolerance', values.tolerance as string | undefined);
  const script = positionals[0];
  return {
    format,
    width,
    out,
    tolerance,
    tracePath,
    script,
    scenario:
      tracePath === undefined
        ? scenarioOf(
            script as string,
            values,
            profiles.map((name) => profileNamed(name)),
          )
        : undefined,
    ascii: values.ascii === true,
    noColor: values['no-color'] === true,
    profiles,
  };
}

/**
 * `probekit explain "<script>"`: simulates the reference checker against a script and shows
 * the run as a table of events with their reasons, a text timeline, an SVG picture, or JSON.
 *
 * @example
 * await main(['explain', '200, 503*3, 200', '--interval', '100ms', '--format', 'timeline'], io);
 */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'simulate the checker against a script and show what it did and why',
  help: HELP,
  async run(args, io) {
    const { format, width, out, tolerance, tracePath, script, scenario, ascii, noColor, profiles } =
      readExplainArgs(args);
    if (format === 'svg' && out === undefined && (io.stdout as { isTTY?: boolean }).isTTY === true) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        'Failed to print --format svg: stdout is a terminal, and an SVG is a picture, not text. Add --out <file.svg>, or redirect: > timeline.svg.',
      );
    }
    await checkWritable('out', out);
    const color = out === undefined && commandColor(io, noColor);
    const charset = ascii ? 'ascii' : 'unicode';
    const title = format !== 'svg' ? undefined : `probekit explain "${script}"`;

    if (scenario !== undefined && profiles.length > 1) {
      // One simulation per profile, the same scenario: lanes on one time axis.
      const lanes: Array<{ profile: string; trace: Trace }> = [];
      for (const profile of profiles) {
        const trace = await simulated(scenario, io.signal, profile);
        if (trace === undefined) {
          io.stderr.write('probekit: explain interrupted; nothing was drawn.\n');
          return EXIT.interrupted;
        }
        lanes.push({ profile, trace });
      }
      const text =
        format === 'json'
          ? `${JSON.stringify(Object.fromEntries(lanes.map((l) => [l.profile, l.trace])), null, 2)}\n`
          : drawn(format, lanes.map((l) => l.trace).flatMap((t) => t.probes).length, () =>
              renderProfileLanes(lanes, {
                format: format === 'timeline' ? 'ascii' : format,
                color,
                width,
                charset,
                title,
              }),
            );
      const probes = lanes.reduce((n, l) => n + l.trace.probes.length, 0);
      return written(text, out, io, `the ${format} of ${lanes.length} profiles (${probes} probes)`);
    }

    const profile = profiles[0];
    const trace =
      scenario === undefined
        ? await recorded(tracePath as string, tolerance)
        : await simulated(scenario, io.signal, profile);
    if (trace === undefined) {
      io.stderr.write('probekit: explain interrupted; nothing was drawn.\n');
      return EXIT.interrupted;
    }

    let text: string;
    try {
      text =
        format === 'json'
          ? `${JSON.stringify(trace, null, 2)}\n`
          : drawn(format, trace.probes.length, () => {
              const picture = renderTimeline(trace, {
                format: format === 'timeline' ? 'ascii' : format,
                color,
                width,
                charset,
                ...(profile === undefined ? {} : { profile }),
                title: script === undefined ? title && `Timeline of ${tracePath}` : title,
              });
              return format === 'table' && profile !== undefined
                ? `${profileHeading(trace, profile, width)}${picture}`
                : picture;
            });
    } catch (error) {
      // Only a --trace file can fail here: a trace that is not a trace is the caller's input.
      if (error instanceof ProbekitError && error.code !== 'ERR_PROBEKIT_USAGE')
        throw new ProbekitError(
          'ERR_PROBEKIT_USAGE',
          `${error.message.replace(/\.$/, '')} (in --trace ${JSON.stringify(tracePath)}).`,
        );
      throw error;
    }
    return written(
      text,
      out,
      io,
      `the ${format} of ${trace.probes.length} probes and ${trace.signals.length} signals`,
    );
  },
};

/** The lines above a single profile's table: its name, versions, options and what sets it apart. */
function profileHeading(trace: Trace, profile: string, width: number | undefined): string {
  const p = profileNamed(profile);
  const options = optionsSummary(buildTimeline(trace, { profile }).options);
  const columns = Math.max(40, width ?? 80);
  const lines = [
    ...wrapAt(`${p.name} (${p.versions}) · ${options}`, ' · ', columns),
    ...wrap(p.summary, columns),
  ];
  return `${lines.join('\n')}\n\n`;
}

/**
 * Draws, turning a stack overflow into advice: the table and timeline renderers spread every
 * event into one call, and a run of ~100k ticks overflows the stack; json has no such limit.
 */
function drawn(format: ExplainFormat, probes: number, draw: () => string): string {
  try {
    return draw();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to draw the ${format} of ${probes} probes: it is too long to lay out (${error.message}). Shorten --until or lengthen --interval, or use --format json.`,
      );
    }
    throw error;
  }
}

/** Prints `text`, or writes it to `out` and says what it wrote. */
async function written(
  text: string,
  out: string | undefined,
  io: Parameters<Command['run']>[1],
  what: string,
): Promise<number> {
  if (out === undefined) {
    io.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(out, text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to write --out ${JSON.stringify(out)}: ${reason}. Check that the folder exists and is writable.`,
    );
  }
  io.stdout.write(`wrote ${what} to ${out}\n`);
  return EXIT.ok;
}
