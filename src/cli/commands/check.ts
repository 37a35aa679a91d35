import { writeFile } from 'node:fs/promises';
import {
  type CheckEvent,
  type Option,
  startEndpointHealthCheck,
  withAbortSignal,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withSuccessStatusCode,
} from '../../checker/index.js';
import { ProbekitError } from '../../errors.js';
import { TraceRecorder } from '../../scenario/trace-recorder.js';
import { sleep, systemClock } from '../../time/clock.js';
import { formatDuration } from '../../time/duration.js';
import { describeOutcome } from '../../transport/outcome.js';
import { durationFlag, integerFlag, parseCommandArgs } from '../args.js';
import { type Command, EXIT } from '../command.js';

const HELP = `Usage: probekit check <url> [options]

Probes <url> with the Dapr v1.0 health checker in real time and prints every signal
(true = healthy, false = the failure threshold was reached) with a timestamp.

Options (durations are Go-style: 5s, 150ms, 1m30s):
  --interval <duration>       time between ticks (default 5s)
  --timeout <duration>        request timeout per probe (default 2s)
  --threshold <n>             failures in a row that emit false, once per streak (default 2;
                              0 or less never emits false, as in Dapr)
  --initial-delay <duration>  delay before the first tick is read (default 1s; invisible
                              behind a 5s interval, as in Dapr)
  --success-status <code>     the one status that counts as success (default 200)
  --duration <duration>       stop after this long (default: run until Ctrl-C)
  --trace <file>              write the run's trace (JSON) to <file> when it ends
  --verbose                   also print every probe and its outcome
  -h, --help                  show this help

Ctrl-C (SIGINT) or SIGTERM stops the check cleanly; the exit code is then 0.
Bad flags exit with code 2.

Example:
  probekit check http://127.0.0.1:8080/healthz --interval 1s --threshold 3 --verbose`;

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

export const checkCommand: Command = {
  name: 'check',
  summary: 'probe a URL with the Dapr v1.0 checker and print its signals',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('check', args, {
      interval: { type: 'string' },
      timeout: { type: 'string' },
      threshold: { type: 'string' },
      'initial-delay': { type: 'string' },
      'success-status': { type: 'string' },
      duration: { type: 'string' },
      trace: { type: 'string' },
      verbose: { type: 'boolean' },
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
    const opts: Option[] = [];
    if (interval !== undefined) opts.push(withInterval(interval));
    if (timeout !== undefined) opts.push(withRequestTimeout(timeout));
    if (initialDelay !== undefined) opts.push(withInitialDelay(initialDelay));
    if (threshold !== undefined) opts.push(withFailureThreshold(threshold));
    if (successStatus !== undefined) opts.push(withSuccessStatusCode(successStatus));

    const stopper = new AbortController();
    const onInterrupt = () => stopper.abort();
    io.signal.addEventListener('abort', onInterrupt, { once: true });
    const recorder = new TraceRecorder({ source: `probekit check ${url}` });
    const started = systemClock.now;
    const stamp = () => `${new Date().toISOString()} +${((systemClock.now - started) / 1000).toFixed(3)}s`;
    let check: ReturnType<typeof startEndpointHealthCheck>;
    try {
      check = startEndpointHealthCheck(
        url,
        ...opts,
        withAbortSignal(stopper.signal),
        withObserver(recorder.observe),
        withObserver((event) => {
          if (!values.verbose) return;
          const line = describeEvent(event, successStatus ?? 200);
          if (line) io.stdout.write(`${stamp()} ${line}\n`);
        }),
      );
    } catch (error) {
      io.signal.removeEventListener('abort', onInterrupt);
      if (error instanceof ProbekitError) throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message);
      throw error;
    }
    const o = check.options;
    io.stdout.write(
      `${stamp()} checking ${url} every ${formatDuration(o.interval)} (timeout ${formatDuration(o.requestTimeout)}, ` +
        `threshold ${o.failureThreshold}, initial delay ${formatDuration(o.initialDelay)}, success ${o.successStatusCode})\n`,
    );
    const timer =
      duration === undefined
        ? undefined
        : sleep(systemClock, duration, stopper.signal).then(onInterrupt, () => {});
    for await (const healthy of check) {
      io.stdout.write(
        `${stamp()} ${healthy ? 'true  healthy' : 'false unhealthy (failure threshold reached)'}\n`,
      );
    }
    stopper.abort();
    await timer;
    io.signal.removeEventListener('abort', onInterrupt);
    if (values.trace) {
      await writeFile(
        values.trace as string,
        `${JSON.stringify(recorder.finish(systemClock.now), null, 2)}\n`,
      );
      io.stdout.write(`${stamp()} trace written to ${values.trace}\n`);
    }
    io.stdout.write(`${stamp()} stopped\n`);
    return EXIT.ok;
  },
};
