import { writeFile } from 'node:fs/promises';
import { checkTransportOptions } from '../../checker/default-transport.js';
import {
  type CheckEvent,
  type HealthCheck,
  type Option,
  startEndpointHealthCheck,
  withAbortSignal,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withProfile,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from '../../checker/index.js';
import { resolveOptions } from '../../checker/options.js';
import { PROFILE_NAMES } from '../../checker/profiles/catalogue.js';
import { ProbekitError } from '../../errors.js';
import { TraceRecorder } from '../../scenario/trace-recorder.js';
import type { ScenarioOptions } from '../../scenario/types.js';
import { sleep, systemClock } from '../../time/clock.js';
import { formatDuration } from '../../time/duration.js';
import { type HttpTransport, httpTransport } from '../../transport/http.js';
import { describeOutcome } from '../../transport/outcome.js';
import { durationFlag, integerFlag, parseCommandArgs, usageError } from '../args.js';
import { type Command, EXIT } from '../command.js';
import { roundTimes } from '../recorded-trace.js';
import { readCaFile } from '../tls-files.js';
import { checkWritable } from '../writable.js';

const HELP = `Usage: probekit check <url> [options]

Probes <url> with the Dapr v1.0 health checker in real time and prints every signal
(true = healthy, false = the failure threshold was reached) with a timestamp.

With --until it gates a pipeline: it waits for the first signal and exits 0 when that is
the one asked for, 1 when it is the other one or when --deadline passes first.

Options (durations are Go-style, 5s, 150ms, 1m30s, or a bare number of ms; at most 596h):
  --interval <duration>       time between ticks (default 5s)
  --timeout <duration>        request timeout per probe (default 2s)
  --threshold <n>             failures in a row that emit false, once per streak (default 2;
                              0 or less never emits false, as in Dapr)
  --initial-delay <duration>  delay before the first tick is read (default 1s; invisible
                              behind a 5s interval, as in Dapr)
  --success-status <code>     the one status that counts as success (default 200)
  --profile <name>            behave like another Dapr version's checker (default dapr-1.0;
                              its own defaults apply to options left out; docs/profiles.md):
                              ${PROFILE_NAMES.join(', ')}
  --until healthy|unhealthy   stop at the first signal: exit 0 if it is true (healthy) or
                              false (unhealthy) as asked, 1 if it is the other one
  --deadline <duration>       with --until: exit 1 if no signal came within this long
                              (default: wait until Ctrl-C)
  --duration <duration>       stop after this long, exit 0 (not with --until)
  --trace <file>              write the run's trace (JSON) to <file> when it ends; the
                              folder must exist (checked before the first probe)
  --ca <file>                  trust this CA certificate (PEM) for an https:// URL, e.g. the
                              one probekit mock --tls wrote
  --insecure                  accept any certificate from an https:// URL (still TLS, but
                              proves nothing about who answered)
  --verbose                   also print every probe and its outcome
  -h, --help                  show this help

TLS failures are outcomes like any other failure: tls:unknown-ca, tls:wrong-host, tls:expired,
tls:not-yet-valid, tls:bad-certificate, tls:handshake (e.g. a plain-HTTP server on the port).

Exit codes: 0 stopped (Ctrl-C, SIGTERM, --duration) or --until met; 1 --until got the
other signal, its deadline passed, or it was interrupted first; 2 bad input.

Examples:
  probekit check http://127.0.0.1:8080/healthz --interval 1s --threshold 3 --verbose
  probekit check http://127.0.0.1:8080/healthz --profile dapr-1.13 --interval 3s
  probekit check http://127.0.0.1:3500/v1.0/healthz --success-status 204 \\
    --interval 1s --initial-delay 0 --until healthy --deadline 60s`;

type Until = 'healthy' | 'unhealthy';

function untilFlag(values: Record<string, string | boolean | undefined>): {
  until: Until | undefined;
  deadline: number | undefined;
} {
  const until = values.until as string | undefined;
  const deadline = durationFlag('deadline', values.deadline as string | undefined);
  if (until !== undefined && until !== 'healthy' && until !== 'unhealthy') {
    throw usageError(
      `Failed to read --until ${JSON.stringify(until)}: it is not a state. Use --until healthy or --until unhealthy.`,
    );
  }
  if (deadline !== undefined && until === undefined) {
    throw usageError(
      'Failed to use --deadline: it bounds the wait of --until, which is missing. Add --until healthy (or unhealthy), or use --duration to just stop after a while.',
    );
  }
  if (until !== undefined && values.duration !== undefined) {
    throw usageError(
      'Failed to use --duration with --until: --until stops at the first signal. Use --deadline to bound the wait.',
    );
  }
  return { until, deadline };
}

/** The options in force, as a trace records them (renderers draw the threshold from them). */
function traceOptions(o: HealthCheck['options']): ScenarioOptions {
  return {
    initialDelayMs: o.initialDelay,
    intervalMs: o.interval,
    requestTimeoutMs: o.requestTimeout,
    failureThreshold: o.failureThreshold,
    successStatusCode: o.successStatusCode,
  };
}

function describeEvent(event: CheckEvent, successStatus: number): string | undefined {
  if (event.type === 'probe-end') {
    const outcome = describeOutcome(event.outcome);
    const verdict = event.success
      ? 'success'
      : event.outcome.kind === 'status'
        ? `failure (≠ ${successStatus})`
        : 'failure';
    return `probe #${event.probe} → ${outcome}: ${verdict}, failures in a row: ${event.failureCount}`;
  }
  if (event.type === 'tick-dropped') return `tick #${event.index} dropped (a tick was already waiting)`;
  if (event.type === 'blocked') return 'loop blocked: the previous signal is still unread';
  return undefined;
}

/** What a `probekit check` command line asks for, read and checked before anything runs. */
export interface CheckArgs {
  readonly url: string;
  /** The checker options given (the rest keep Dapr's defaults); already validated. */
  readonly opts: readonly Option[];
  readonly successStatus: number | undefined;
  readonly until: Until | undefined;
  readonly deadline: number | undefined;
  readonly duration: number | undefined;
  readonly tracePath: string | undefined;
  /** `--ca FILE` (read when the check starts). */
  readonly caFile: string | undefined;
  readonly insecure: boolean;
  readonly verbose: boolean;
}

/**
 * Reads and checks the arguments of `probekit check` without touching the network or the
 * disk: every bad flag, value or combination is an `ERR_PROBEKIT_USAGE` here.
 *
 * @example
 * readCheckArgs(['http://127.0.0.1:8080/healthz', '--until', 'healthy', '--deadline', '60s']);
 */
export function readCheckArgs(args: string[]): CheckArgs {
  const { values, positionals } = parseCommandArgs('check', args, {
    interval: { type: 'string' },
    timeout: { type: 'string' },
    threshold: { type: 'string' },
    'initial-delay': { type: 'string' },
    'success-status': { type: 'string' },
    until: { type: 'string' },
    deadline: { type: 'string' },
    duration: { type: 'string' },
    trace: { type: 'string' },
    ca: { type: 'string' },
    insecure: { type: 'boolean' },
    verbose: { type: 'boolean' },
    profile: { type: 'string' },
  });
  const [url, ...extra] = positionals;
  if (url === undefined || extra.length > 0) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read the arguments of "probekit check": expected exactly one URL, got ${positionals.length}. See "probekit check --help".`,
    );
  }
  const interval = durationFlag('interval', values.interval as string | undefined);
  const timeout = durationFlag('timeout', values.timeout as string | undefined);
  const initialDelay = durationFlag('initial-delay', values['initial-delay'] as string | undefined);
  const threshold = integerFlag('threshold', values.threshold as string | undefined);
  const successStatus = integerFlag('success-status', values['success-status'] as string | undefined);
  const duration = durationFlag('duration', values.duration as string | undefined);
  const { until, deadline } = untilFlag(values);
  const caFile = values.ca as string | undefined;
  const insecure = values.insecure === true;
  if (caFile !== undefined && insecure) {
    throw usageError(
      'Failed to use --ca with --insecure: one trusts a CA, the other trusts any certificate. Keep one.',
    );
  }
  const opts: Option[] = [];
  const profile = values.profile as string | undefined;
  if (profile !== undefined) {
    try {
      opts.push(withProfile(profile.trim()));
    } catch (error) {
      if (error instanceof ProbekitError) throw usageError(`Failed to read --profile: ${error.message}`);
      throw error;
    }
  }
  if (interval !== undefined) opts.push(withInterval(interval));
  if (timeout !== undefined) opts.push(withRequestTimeout(timeout));
  if (initialDelay !== undefined) opts.push(withInitialDelay(initialDelay));
  if (threshold !== undefined) opts.push(withFailureThreshold(threshold));
  if (successStatus !== undefined) opts.push(withSuccessStatusCode(successStatus));
  try {
    resolveOptions(opts);
  } catch (error) {
    // The checker's own words (they name the option and the value), as a usage error.
    if (error instanceof ProbekitError) throw usageError(error.message);
    throw error;
  }
  return {
    url,
    opts,
    successStatus,
    until,
    deadline,
    duration,
    tracePath: values.trace as string | undefined,
    caFile,
    insecure,
    verbose: values.verbose === true,
  };
}

/**
 * `probekit check <url>`: the real checker in real time, printing its signals; with `--until`,
 * a pipeline gate that exits 0 or 1 on the first signal.
 *
 * @example
 * process.exitCode = await main(['check', url, '--until', 'healthy', '--deadline', '60s']);
 */
export const checkCommand: Command = {
  name: 'check',
  summary: 'probe a URL with the Dapr v1.0 checker and print its signals',
  help: HELP,
  async run(args, io) {
    const { url, opts, successStatus, until, deadline, duration, tracePath, caFile, insecure, verbose } =
      readCheckArgs(args);
    await checkWritable('trace', tracePath);
    // Only with a TLS flag: otherwise the check owns (and closes) its default transport.
    // The transport the check would own, with the profile's client rules, plus the TLS trust.
    const client = resolveOptions(opts).profile.client;
    const tls: HttpTransport | undefined =
      caFile !== undefined
        ? httpTransport({ ...checkTransportOptions(client), ca: await readCaFile('--ca', caFile) })
        : insecure
          ? httpTransport({ ...checkTransportOptions(client), rejectUnauthorized: false })
          : undefined;

    const stopper = new AbortController();
    let interrupted = false;
    const onInterrupt = () => {
      interrupted = true;
      stopper.abort();
    };
    io.signal.addEventListener('abort', onInterrupt, { once: true });
    if (io.signal.aborted) onInterrupt();
    const recorder = new TraceRecorder({ source: `probekit check ${url}` });
    const started = systemClock.now;
    const stamp = () => `${new Date().toISOString()} +${((systemClock.now - started) / 1000).toFixed(3)}s`;
    let lastOutcome: string | undefined;
    let check: HealthCheck;
    try {
      check = startEndpointHealthCheck(
        url,
        ...opts,
        withAbortSignal(stopper.signal),
        ...(tls === undefined ? [] : [withTransport(tls)]),
        withObserver(recorder.observe),
        withObserver((event) => {
          if (event.type === 'probe-end') lastOutcome = describeOutcome(event.outcome);
          if (!verbose) return;
          const line = describeEvent(event, successStatus ?? 200);
          if (line) io.stdout.write(`${stamp()} ${line}\n`);
        }),
      );
    } catch (error) {
      io.signal.removeEventListener('abort', onInterrupt);
      await tls?.close();
      if (error instanceof ProbekitError) throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message);
      throw error;
    }
    const o = check.options;
    io.stdout.write(
      `${stamp()} checking ${url} every ${formatDuration(o.interval)} (timeout ${formatDuration(o.requestTimeout)}, ` +
        `threshold ${o.failureThreshold}, initial delay ${formatDuration(o.initialDelay)}, success ${o.successStatusCode})\n`,
    );
    const limit = until === undefined ? duration : deadline;
    let timedOut = false;
    const timer =
      limit === undefined
        ? undefined
        : sleep(systemClock, limit, stopper.signal).then(
            () => {
              timedOut = true;
              stopper.abort();
            },
            () => {},
          );
    let first: boolean | undefined;
    for await (const healthy of check) {
      io.stdout.write(
        `${stamp()} ${healthy ? 'true  healthy' : 'false unhealthy (failure threshold reached)'}\n`,
      );
      if (until !== undefined) {
        first = healthy;
        break;
      }
    }
    stopper.abort();
    await check.stop();
    await tls?.close();
    await timer;
    io.signal.removeEventListener('abort', onInterrupt);
    if (tracePath !== undefined) {
      const trace = { ...recorder.finish(systemClock.now), options: traceOptions(o) };
      try {
        await writeFile(tracePath, `${JSON.stringify(roundTimes(trace, 3), null, 2)}\n`);
      } catch (error) {
        // Checked before the first probe; the folder can still vanish or fill up meanwhile.
        throw usageError(
          `Failed to write --trace ${JSON.stringify(tracePath)}: ${(error as Error).message}. Check that the folder still exists and has room.`,
        );
      }
      io.stdout.write(`${stamp()} trace written to ${tracePath}\n`);
    }
    if (until === undefined) {
      io.stdout.write(`${stamp()} stopped\n`);
      return EXIT.ok;
    }
    const wanted = until === 'healthy';
    const last = `last probe: ${lastOutcome ?? 'none finished'}`;
    const verdict =
      first === wanted
        ? `${until}: got ${first} (${last})`
        : first !== undefined
          ? `not ${until}: got ${first} first (${last})`
          : timedOut
            ? `not ${until}: the deadline of ${formatDuration(deadline as number)} passed without a signal (${last})`
            : `not ${until}: ${interrupted ? 'interrupted' : 'stopped'} before a signal (${last})`;
    io.stdout.write(`${stamp()} ${verdict}\n`);
    return first === wanted ? EXIT.ok : EXIT.failure;
  },
};
