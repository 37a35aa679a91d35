import { writeFile } from 'node:fs/promises';
import {
  type HealthCheck,
  startEndpointHealthCheck,
  withAbortSignal,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withTransport,
} from '../../checker/index.js';
import { startMockServer } from '../../endpoint/backends/server/server.js';
import { ProbekitError } from '../../errors.js';
import { TraceRecorder } from '../../scenario/trace-recorder.js';
import type { Trace } from '../../scenario/types.js';
import { renderTimeline } from '../../teach/render.js';
import { sleep } from '../../time/clock.js';
import { httpTransport } from '../../transport/http.js';
import type { ActResult, DemoAct, DemoContext } from './context.js';
import { elapsedClock } from './elapsed-clock.js';
import { LiveReasons } from './live-reasons.js';
import { deferred, within } from './wait.js';
import { warmUp } from './warm-up.js';

/**
 * Act 1: a real flaky mock server on 127.0.0.1 and the real checker (real HTTP client, system
 * clock) at demo scale, one annotated line per probe as it happens, then the text timeline of
 * the trace recorded along the way.
 *
 * @example
 * await flakyEndpointAct.run({ out, profile: DEMO_PROFILES.normal, signal });
 */
export const flakyEndpointAct: DemoAct = {
  title: 'A flaky endpoint, probed live',
  async run(ctx: DemoContext): Promise<ActResult> {
    const { out, profile, signal } = ctx;
    const server = await startMockServer(profile.script, { host: '127.0.0.1', port: 0 });
    const transport = httpTransport();
    let check: HealthCheck | undefined;
    let reading: Promise<unknown> = Promise.resolve();
    try {
      const url = `${server.url}/healthz`;
      await warmUp(transport, url, signal);
      // The warm-up used the first steps of the script: start it over, with a clean journal.
      server.reset();

      const settings = {
        intervalMs: profile.intervalMs,
        initialDelayMs: profile.initialDelayMs,
        requestTimeoutMs: profile.requestTimeoutMs,
        failureThreshold: profile.failureThreshold,
        successStatusCode: 200,
      };
      out.field('endpoint', `${url}, a real mock server on its own port`);
      out.field('script', profile.script);
      out.field(
        'checker',
        `every ${settings.intervalMs} ms · timeout ${settings.requestTimeoutMs} ms · threshold ` +
          `${settings.failureThreshold} · initial delay ${settings.initialDelayMs} ms`,
      );
      out.field('', "Dapr v1.0's rules, the real HTTP client, real time");
      out.line();
      out.rowHeader();

      const clock = elapsedClock();
      const recorder = new TraceRecorder({
        source: 'probekit demo (real sockets, real time)',
        options: {
          intervalMs: settings.intervalMs,
          initialDelayMs: settings.initialDelayMs,
          requestTimeoutMs: settings.requestTimeoutMs,
          failureThreshold: settings.failureThreshold,
        },
      });
      const reasons = new LiveReasons(settings);
      const enough = deferred();
      let probes = 0;
      check = startEndpointHealthCheck(
        url,
        withInterval(settings.intervalMs),
        withRequestTimeout(settings.requestTimeoutMs),
        withFailureThreshold(settings.failureThreshold),
        withInitialDelay(settings.initialDelayMs),
        withClock(clock),
        withTransport(transport),
        withAbortSignal(signal),
        withObserver(recorder.observe),
        withObserver((event) => {
          const row = reasons.row(event);
          if (row) out.row(row);
          if (event.type === 'probe-end' && ++probes === profile.probes) enough.resolve();
        }),
      );
      const running = check;
      const emitted: boolean[] = [];
      reading = (async () => {
        for await (const value of running) emitted.push(value);
      })();

      const finished = await within(enough.promise, profile.patienceMs, clock, signal);
      // End the picture half an interval after the last probe: its signal has been read by then.
      if (finished.done) await sleep(clock, Math.round(settings.intervalMs / 2), signal);
      const trace = readAtOnce(recorder.finish(clock.now));
      await check.stop();
      await reading;

      out.line();
      if (!finished.done) {
        out.note(
          undefined,
          `Only ${probes} of ${profile.probes} probes in ${profile.patienceMs} ms: a very busy machine?`,
          'yellow',
        );
      }
      const journal = server.journal
        .entries()
        .map((entry) => (entry.fate === 'aborted' ? `${entry.explain}✕` : entry.explain));
      out.field(
        'endpoint',
        `answered ${journal.length} requests: ${journal.join(' ')} (✕: the client gave up)`,
      );
      out.field(
        'checker',
        `emitted ${emitted.map((value) => out.value(value)).join(' ')} — true on every success, false once per streak`,
      );
      out.line();
      if (ctx.traceFile !== undefined) {
        await writeTrace(ctx.traceFile, trace);
        out.field(
          'trace',
          `written to ${ctx.traceFile}; draw it again with probekit explain --trace ${ctx.traceFile}`,
        );
        out.line();
      }
      out.line(out.paint('The recorded trace, as a timeline:', 'dim'));
      out.line();
      out.block(renderTimeline(trace, { format: 'ascii', width: out.width, color: out.color }));
      return { ok: finished.done && emitted.includes(true) && emitted.includes(false) };
    } finally {
      await check?.stop();
      await reading.catch(() => {});
      await transport.close();
      await server.close();
    }
  },
};

/**
 * The demo's consumer reads every value at once; on a whole-ms clock a read can still land in
 * the next millisecond than the send. Such a 1 ms gap is rounding, not a late reader, and the
 * timeline should not draw it as one.
 */
function readAtOnce(trace: Trace): Trace {
  const signals = trace.signals.map((signal) =>
    signal.emittedAt !== undefined && signal.at - signal.emittedAt <= 1
      ? { at: signal.emittedAt, value: signal.value }
      : { ...signal },
  );
  return { ...trace, signals };
}

async function writeTrace(file: string, trace: Trace): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(trace, null, 2)}\n`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to write --trace ${JSON.stringify(file)}: ${reason}. Check that the folder exists and is writable.`,
    );
  }
}
