import { BufferedChannel } from '../../src/checker/channel.js';
import { ProbeRunner } from '../../src/checker/probe.js';
import type { CheckerAdapter, CheckerRun } from '../../src/scenario/adapter.js';
import type { ScenarioOptions } from '../../src/scenario/types.js';
import { sleep } from '../../src/time/clock.js';
import { Ticker } from '../../src/time/ticker.js';
import { outcomeOfError, type ProbeOutcome } from '../../src/transport/outcome.js';
import type { Transport } from '../../src/transport/types.js';

/**
 * Deliberately broken checkers: each one is the faithful loop with one classic mistake.
 * The conformance suite must catch every one of them (promises-aplus-tests style self-test).
 */
export interface Bug {
  /** `>=` instead of `==` on the threshold: false on every failure past it. */
  thresholdGte?: boolean;
  /** The failure count is not reset by a success. */
  noResetOnSuccess?: boolean;
  /** Signals only on transitions (true once on recovery), like Dapr 1.12 / app health. */
  transitionsOnly?: boolean;
  /** First probe when the initial delay ends, then every interval after each probe ends. */
  firstProbeAtDelay?: boolean;
  /** Every tick is queued (none dropped): stale ticks fire back to back. */
  noDroppedTicks?: boolean;
  /** Any 2xx counts as success. */
  any2xx?: boolean;
  /** A 3xx is followed with a second request. */
  followRedirects?: boolean;
  /** Signals are queued without bound: the loop never blocks. */
  noBackpressure?: boolean;
  /** The request timeout is not enforced: a hanging request blocks the loop for ever. */
  noTimeout?: boolean;
  /** Emits `false` before the first probe (as Dapr's never-shipped v1.12 checker did). */
  initialFalse?: boolean;
  /** `failureCount--` before `false`, so every further failure sends `false` again (Dapr v1.1–v1.10.4). */
  falseRepeats?: boolean;
}

function resolved(options: ScenarioOptions) {
  return {
    initialDelay: options.initialDelayMs ?? 1000,
    interval: options.intervalMs ?? 5000,
    timeout: options.requestTimeoutMs ?? 2000,
    threshold: options.failureThreshold ?? 2,
    success: options.successStatusCode ?? 200,
  };
}

/** An unbounded queue read as an async iterator (for the no-back-pressure mutant). */
class UnboundedQueue {
  readonly #values: boolean[] = [];
  readonly #readers: Array<(r: IteratorResult<boolean, undefined>) => void> = [];
  #closed = false;
  push(value: boolean) {
    const reader = this.#readers.shift();
    if (reader) reader({ done: false, value });
    else this.#values.push(value);
  }
  next(): Promise<IteratorResult<boolean, undefined>> {
    if (this.#values.length) return Promise.resolve({ done: false, value: this.#values.shift() as boolean });
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.#readers.push(resolve));
  }
  close() {
    this.#closed = true;
    for (const reader of this.#readers.splice(0)) reader({ done: true, value: undefined });
  }
}

async function probeOnce(
  bug: Bug,
  prober: ProbeRunner,
  transport: Transport,
  url: string,
  timeout: number,
  controller: AbortController,
): Promise<ProbeOutcome> {
  if (!bug.noTimeout) return prober.run();
  try {
    return { kind: 'status', status: (await transport({ url, timeout, signal: controller.signal })).status };
  } catch (error) {
    return outcomeOfError(error);
  }
}

/** A checker adapter with one deliberate bug. */
export function mutant(name: string, bug: Bug): CheckerAdapter {
  return {
    name,
    start(url, options, { clock, transport }): CheckerRun {
      const o = resolved(options);
      const stop = new AbortController();
      const channel = new BufferedChannel<boolean>();
      const queue = new UnboundedQueue();
      const emit = async (value: boolean) => {
        if (bug.noBackpressure) queue.push(value);
        else await channel.send(value);
      };
      const ticker = bug.firstProbeAtDelay || bug.noDroppedTicks ? undefined : new Ticker(clock, o.interval);
      const start = clock.now;
      let count = 0;
      let healthy: boolean | undefined;
      let inflight: AbortController | undefined;
      const prober = new ProbeRunner(transport, url, o.timeout, clock);
      const loop = (async () => {
        if (bug.initialFalse) await emit(false);
        await sleep(clock, o.initialDelay, stop.signal);
        for (let k = 1; !stop.signal.aborted; k++) {
          if (ticker) await ticker.next(stop.signal);
          else if (bug.noDroppedTicks) {
            const due = start + k * o.interval;
            if (due > clock.now) await sleep(clock, due - clock.now, stop.signal);
          } else if (k > 1) await sleep(clock, o.interval, stop.signal);
          inflight = new AbortController();
          let outcome = await probeOnce(bug, prober, transport, url, o.timeout, inflight);
          if (
            bug.followRedirects &&
            outcome.kind === 'status' &&
            outcome.status >= 300 &&
            outcome.status < 400
          ) {
            inflight = new AbortController();
            outcome = await probeOnce(bug, prober, transport, url, o.timeout, inflight);
          }
          if (stop.signal.aborted) return;
          const status = outcome.kind === 'status' ? outcome.status : -1;
          const success = bug.any2xx ? status >= 200 && status < 300 : status === o.success;
          if (success) {
            if (!bug.noResetOnSuccess) count = 0;
            if (!bug.transitionsOnly || healthy !== true) await emit(true);
            healthy = true;
          } else {
            count++;
            const reached = bug.thresholdGte ? count >= o.threshold : count === o.threshold;
            if (reached && bug.falseRepeats) count--;
            if (reached && (!bug.transitionsOnly || healthy !== false)) {
              await emit(false);
              healthy = false;
            }
          }
        }
      })().catch(() => {});
      return {
        async stop() {
          stop.abort(new Error('stopped'));
          inflight?.abort(new Error('stopped'));
          prober.abort(new Error('stopped'));
          ticker?.stop();
          channel.close();
          queue.close();
          await loop;
        },
        [Symbol.asyncIterator]: () => ({
          next: () => (bug.noBackpressure ? queue.next() : channel.receive()),
        }),
      };
    },
  };
}

/** The broken checkers the suite must catch, each with the scenario expected to catch it. */
export const MUTANTS: ReadonlyArray<{ adapter: CheckerAdapter; caughtBy: string }> = [
  {
    adapter: mutant('threshold >= instead of ==', { thresholdGte: true }),
    caughtBy: 'streaks-one-false-per-streak',
  },
  {
    adapter: mutant('no reset on success', { noResetOnSuccess: true }),
    caughtBy: 'streaks-one-false-per-streak',
  },
  {
    adapter: mutant('true only on transitions', { transitionsOnly: true }),
    caughtBy: 'all-200-true-every-probe',
  },
  {
    adapter: mutant('first probe at the initial delay', { firstProbeAtDelay: true }),
    caughtBy: 'first-probe-at-first-tick',
  },
  { adapter: mutant('no dropped ticks', { noDroppedTicks: true }), caughtBy: 'delay-250-drops-tick-200' },
  { adapter: mutant('any 2xx is success', { any2xx: true }), caughtBy: 'status-204-is-failure-for-200' },
  { adapter: mutant('redirects followed', { followRedirects: true }), caughtBy: 'redirect-302-not-followed' },
  { adapter: mutant('no back-pressure', { noBackpressure: true }), caughtBy: 'late-consumer-blocks-loop' },
  { adapter: mutant('timeout not enforced', { noTimeout: true }), caughtBy: 'hang-times-out' },
];
