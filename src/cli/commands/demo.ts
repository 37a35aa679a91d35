import { ProbekitError } from '../../errors.js';
import { integerFlag, parseCommandArgs } from '../args.js';
import { commandColor } from '../color.js';
import type { Command } from '../command.js';
import { DEMO_ACTS, DEMO_PROFILES, runDemo } from '../demo/index.js';
import { checkWritable } from '../writable.js';

const HELP = `Usage: probekit demo [--fast] [--act <n>] [--trace <file>] [--no-color]

The first five minutes with probekit (what "npm start" runs). Everything runs on
127.0.0.1, at demo scale (200 ms instead of Dapr's 5 s; the rules are the same), and
stops by itself in a few seconds:

  1  A flaky endpoint, probed live: a real mock server plays
     "200*2, 503, 200, 503*2, hang, 200..." and the real checker probes it, one
     annotated line per probe (outcome, failure count, signal, the rule behind it),
     then the text timeline of the recorded trace.
  2  A healthz server flips readiness: Dapr's control-plane /healthz starts not ready;
     the demo flips it ready, not ready, ready, and shows when the checker noticed.
  3  The conformance suite against the built-in reference: counts per level.

Options:
  --fast        an even shorter run (100 ms interval), for tests and the impatient
  --act <n>     run only act 1, 2 or 3
  --trace <file>
                write act 1's recorded trace (JSON) to <file>; draw it again with
                probekit explain --trace <file> [--format svg --out t.svg]
  --no-color    no ANSI colour, even on a terminal (also: NO_COLOR=1; never in a pipe
                unless FORCE_COLOR=1)
  -h, --help    show this help

Ctrl-C stops everything cleanly (exit code 130). Exit code 1 means an act could not
show what it shows (usually a machine too busy for 100 ms timeouts).`;

function actFlag(value: string | undefined): number[] | undefined {
  const act = integerFlag('act', value);
  if (act === undefined) return undefined;
  if (act < 1 || act > DEMO_ACTS.length) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --act ${JSON.stringify(value)}: there is no act ${act}. Use 1, 2 or 3, or leave it out for all three.`,
    );
  }
  return [act];
}

/** What a `probekit demo` command line asks for. */
export interface DemoArgs {
  readonly fast: boolean;
  /** The acts to run (all when undefined). */
  readonly acts: number[] | undefined;
  readonly traceFile: string | undefined;
  readonly noColor: boolean;
}

/**
 * Reads and checks the flags of `probekit demo` without running anything.
 *
 * @example
 * readDemoArgs(['--fast', '--act', '2']); // { fast: true, acts: [2], … }
 */
export function readDemoArgs(args: string[]): DemoArgs {
  const { values } = parseCommandArgs(
    'demo',
    args,
    {
      fast: { type: 'boolean' },
      act: { type: 'string' },
      trace: { type: 'string' },
      'no-color': { type: 'boolean' },
    },
    false,
  );
  return {
    fast: values.fast === true,
    acts: actFlag(values.act as string | undefined),
    traceFile: values.trace as string | undefined,
    noColor: values['no-color'] === true,
  };
}

/**
 * `probekit demo`: a flaky endpoint probed live, a healthz server flipping readiness, and the
 * conformance suite against the reference, in a few seconds, on 127.0.0.1 only.
 *
 * @example
 * process.exitCode = await main(['demo', '--fast']);
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'a flaky endpoint, a readiness flip and the conformance suite, live (npm start)',
  help: HELP,
  async run(args, io) {
    const { fast, acts, traceFile, noColor } = readDemoArgs(args);
    await checkWritable('trace', traceFile);
    return runDemo({
      profile: fast ? DEMO_PROFILES.fast : DEMO_PROFILES.normal,
      acts,
      stdout: io.stdout,
      color: commandColor(io, noColor),
      traceFile,
      signal: io.signal,
    });
  },
};
