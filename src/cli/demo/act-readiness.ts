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
import { createHealthzServer } from '../../healthz/control-plane.js';
import type { Logger } from '../../healthz/types.js';
import { type Clock, sleep } from '../../time/clock.js';
import { httpTransport } from '../../transport/http.js';
import type { ActResult, DemoAct, DemoContext } from './context.js';
import { elapsedClock } from './elapsed-clock.js';
import { LiveReasons } from './live-reasons.js';
import type { DemoOutput } from './output.js';
import { deferred, within } from './wait.js';
import { warmUp } from './warm-up.js';

/** One step of the act: flip the server (or not), then wait for the checker to say `expect`. */
interface Phase {
  readonly flip: 'ready' | 'notReady' | undefined;
  readonly expect: boolean;
}

const PHASES: readonly Phase[] = [
  { flip: undefined, expect: false },
  { flip: 'ready', expect: true },
  { flip: 'notReady', expect: false },
  { flip: 'ready', expect: true },
];

/** Hands each value the consumer reads to whoever waits for the next one that matches. */
class SignalWaiter {
  #waiters: Array<{ expect: boolean; resolve(at: number): void }> = [];
  constructor(readonly clock: Clock) {}

  next(expect: boolean): Promise<number> {
    const seen = deferred<number>();
    this.#waiters.push({ expect, resolve: seen.resolve });
    return seen.promise;
  }

  deliver(value: boolean): void {
    const at = this.clock.now;
    const matching = this.#waiters.filter((w) => w.expect === value);
    this.#waiters = this.#waiters.filter((w) => w.expect !== value);
    for (const waiter of matching) waiter.resolve(at);
  }
}

/**
 * The server's log lines, as dim notes at the time they are written; held back until `flush()`
 * while the act is still printing its introduction.
 */
function demoLogger(out: DemoOutput, clock: () => Clock | undefined): Logger & { flush(): void } {
  let held: string[] | undefined = [];
  const write = (message: string) => {
    if (held) held.push(message);
    else out.note(clock()?.now, `log: ${message}`, 'dim');
  };
  return {
    info: write,
    error: write,
    flush() {
      const lines = held ?? [];
      held = undefined;
      for (const line of lines) out.note(undefined, `log: ${line}`, 'dim');
    },
  };
}

/**
 * Act 2: Dapr's control-plane healthz server on 127.0.0.1, starting not ready, and a checker
 * against its `/healthz`. The act flips readiness and prints when the checker noticed: a
 * `ready()` shows at the next probe, a `notReady()` only after `threshold` failures in a row.
 *
 * @example
 * await readinessAct.run({ out, profile: DEMO_PROFILES.normal, signal });
 */
export const readinessAct: DemoAct = {
  title: 'A healthz server flips readiness',
  async run(ctx: DemoContext): Promise<ActResult> {
    const { out, profile, signal } = ctx;
    let clock: Clock | undefined;
    const listening = deferred<string>();
    const logger = demoLogger(out, () => clock);
    const healthz = createHealthzServer({
      logger,
      shutdownGrace: 1000,
      onListening: ({ url }) => listening.resolve(url),
    });
    const serverStop = new AbortController();
    const served = healthz.run(serverStop.signal, 0, '127.0.0.1');
    const transport = httpTransport();
    let check: HealthCheck | undefined;
    let reading: Promise<unknown> = Promise.resolve();
    try {
      // run() rejects at once when it cannot listen; otherwise it resolves only after shutdown.
      const base = await Promise.race([listening.promise, served.then(() => '')]);
      const url = `${base}/healthz`;
      await warmUp(transport, url, signal);

      const settings = {
        intervalMs: profile.intervalMs,
        initialDelayMs: profile.initialDelayMs,
        requestTimeoutMs: profile.requestTimeoutMs,
        failureThreshold: profile.failureThreshold,
        successStatusCode: 200,
      };
      out.field('server', `${url}, Dapr's control-plane healthz server`);
      out.field('', '200 when ready, 503 when not; it starts not ready');
      out.field(
        'checker',
        `the same: every ${settings.intervalMs} ms · timeout ${settings.requestTimeoutMs} ms · ` +
          `threshold ${settings.failureThreshold}`,
      );
      out.line();
      out.rowHeader();
      logger.flush();

      const now = elapsedClock();
      clock = now;
      const reasons = new LiveReasons(settings);
      const waiter = new SignalWaiter(now);
      check = startEndpointHealthCheck(
        url,
        withInterval(settings.intervalMs),
        withRequestTimeout(settings.requestTimeoutMs),
        withFailureThreshold(settings.failureThreshold),
        withInitialDelay(settings.initialDelayMs),
        withClock(now),
        withTransport(transport),
        withAbortSignal(signal),
        withObserver((event) => {
          if (event.type !== 'probe-end' && event.type !== 'tick-dropped' && event.type !== 'start') return;
          const row = reasons.row(event);
          if (row && event.type !== 'start') out.row(row);
        }),
      );
      const running = check;
      reading = (async () => {
        for await (const value of running) waiter.deliver(value);
      })();

      let ok = true;
      let flippedAt = 0;
      for (const phase of PHASES) {
        const seen = waiter.next(phase.expect);
        if (phase.flip) {
          // Flip between two ticks, so the wait for the next probe shows.
          await sleep(now, Math.round(settings.intervalMs / 2), signal);
          healthz[phase.flip]();
          flippedAt = now.now;
          out.note(
            flippedAt,
            `${`${phase.flip}()`.padEnd(11)}→ /healthz answers ${phase.flip === 'ready' ? 200 : 503} from now on`,
            'cyan',
          );
        }
        const noticed = await within(seen, profile.patienceMs, now, signal);
        if (!noticed.done) {
          out.note(
            undefined,
            `the checker did not say ${phase.expect} within ${profile.patienceMs} ms: a very busy machine?`,
            'yellow',
          );
          ok = false;
          break;
        }
        out.note(
          noticed.value,
          noticeText(phase, noticed.value - flippedAt, settings.failureThreshold),
          'bold',
        );
      }
      await check.stop();
      await reading;
      serverStop.abort();
      await served;
      out.line();
      out.line(`ready() shows at the next probe: within one interval (${settings.intervalMs} ms).`);
      out.line(
        `notReady() needs ${settings.failureThreshold} failures in a row: up to ` +
          `${settings.failureThreshold} × ${settings.intervalMs} ms.`,
      );
      return { ok };
    } finally {
      await check?.stop();
      await reading.catch(() => {});
      await transport.close();
      serverStop.abort();
      await served.catch(() => {});
    }
  },
};

function noticeText(phase: Phase, after: number, threshold: number): string {
  const value = String(phase.expect);
  if (phase.flip === undefined)
    return `⇒ checker says ${value}: never ready yet (${threshold} failures in a row)`;
  const why = phase.expect ? 'the next probe succeeded' : `${threshold} failures in a row`;
  return `⇒ checker says ${value}, ${after} ms after ${phase.flip}(): ${why}`;
}
