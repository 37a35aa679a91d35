import { ProbekitError } from '../errors.js';
import { sleep } from '../time/clock.js';
import { Ticker } from '../time/ticker.js';
import type { Transport } from '../transport/types.js';
import { BufferedChannel } from './channel.js';
import { CheckLifecycle } from './check-lifecycle.js';
import { type CounterState, INITIAL_COUNTER, step } from './counter.js';
import { defaultTransport } from './default-transport.js';
import type { CheckEvent } from './events.js';
import { type HealthCheckOptions, type Option, resolveOptions } from './options.js';
import { ProbeRunner } from './probe.js';
import { ProfileHealthCheck } from './profile-check.js';
import { REFERENCE_PROFILE } from './profiles/catalogue.js';

/** Where the loop is: the explicit, inspectable state of a running check. */
export type LoopPhase = 'initial-delay' | 'waiting-for-tick' | 'probing' | 'blocked' | 'stopped';

/** A snapshot of a check's state (for teaching views and debugging). */
export interface HealthCheckState {
  readonly phase: LoopPhase;
  readonly failureCount: number;
  /** Probes started so far. */
  readonly probes: number;
}

/**
 * A running health check. Reading it (`for await`) *is* Dapr's channel read: a buffer of one,
 * and while a value waits unread the next emit blocks the probe loop.
 */
export interface HealthCheck extends AsyncIterable<boolean> {
  /** Ends the loop, aborts an in-flight probe, finishes the iterator; resolves when nothing is left running. */
  stop(): Promise<void>;
  /** The loop's current state. */
  readonly state: HealthCheckState;
  /** The options in force (defaults applied). */
  readonly options: Readonly<Omit<HealthCheckOptions, 'observers' | 'signal'>>;
}

class EndpointHealthCheck extends CheckLifecycle implements HealthCheck {
  readonly #options: HealthCheckOptions;
  readonly #stopController = new AbortController();
  readonly #channel: BufferedChannel<boolean>;
  readonly #ticker: Ticker;
  readonly #transport: Transport;
  readonly #closeTransport: (() => Promise<void>) | undefined;
  readonly #loop: Promise<void>;
  readonly #prober: ProbeRunner;
  /** Events are built only when someone observes them: the loop is a hot path at scale. */
  readonly #observed: boolean;
  #phase: LoopPhase = 'initial-delay';
  #counter: CounterState = INITIAL_COUNTER;
  #probes = 0;

  constructor(url: string, options: HealthCheckOptions) {
    super();
    this.#options = options;
    if (options.transport) {
      this.#transport = options.transport;
    } else {
      const owned = defaultTransport();
      this.#transport = owned.transport;
      this.#closeTransport = owned.close;
    }
    this.#observed = options.observers.length > 0;
    this.#prober = new ProbeRunner(this.#transport, url, options.requestTimeout, options.clock);
    this.#channel = new BufferedChannel<boolean>(
      this.#observed ? (value) => this.#emit({ type: 'delivered', at: this.#now, value }) : undefined,
    );
    // Mirrors Dapr: the ticker starts first, then the initial delay runs (docs/semantics.md §1).
    this.#ticker = new Ticker(
      options.clock,
      options.interval,
      this.#observed
        ? {
            tick: (tick) => this.#emit({ type: 'tick', at: tick.due, index: tick.index }),
            drop: (tick) => this.#emit({ type: 'tick-dropped', at: tick.due, index: tick.index }),
          }
        : undefined,
    );
    this.#loop = this.#run().catch((error: unknown) => {
      if (!this.#stopController.signal.aborted) this.fail(error);
    });
    // Emitted only once every field exists: an observer that throws here stops the check, and
    // stop() must find the ticker and the loop (it once read the ticker before it was built).
    // The loop emits nothing before its first await, so `start` is still the first event.
    this.#emit({ type: 'start', at: this.#now });
    const external = options.signal;
    if (external) {
      if (external.aborted) void this.stop();
      else
        external.addEventListener('abort', () => void this.stop(), {
          once: true,
          signal: this.#stopController.signal,
        });
    }
  }

  get state(): HealthCheckState {
    return { phase: this.#phase, failureCount: this.#counter.failureCount, probes: this.#probes };
  }

  get options(): Readonly<Omit<HealthCheckOptions, 'observers' | 'signal'>> {
    const { observers: _observers, signal: _signal, ...rest } = this.#options;
    return rest;
  }

  get #now(): number {
    return this.#options.clock.now;
  }

  async #run(): Promise<void> {
    const { clock, initialDelay, failureThreshold, successStatusCode } = this.#options;
    const stop = this.#stopController.signal;
    const observed = this.#observed;
    await sleep(clock, initialDelay, stop);
    if (observed) this.#emit({ type: 'delay-end', at: this.#now });
    while (!stop.aborted) {
      this.#phase = 'waiting-for-tick';
      // No abort listener per tick: stop() stops the ticker, which rejects this read.
      const tick = await this.#ticker.next();
      this.#phase = 'probing';
      const probe = this.#probes++;
      if (observed) this.#emit({ type: 'probe-start', at: this.#now, probe, tick: tick.index });
      const outcome = await this.#prober.run();
      if (stop.aborted) return;
      const success = outcome.kind === 'status' && outcome.status === successStatusCode;
      const next = step(this.#counter, success, failureThreshold);
      this.#counter = next.state;
      if (observed) {
        this.#emit({
          type: 'probe-end',
          at: this.#now,
          probe,
          outcome,
          success,
          failureCount: next.state.failureCount,
          rule: next.rule,
        });
      }
      if (next.signal !== undefined) await this.#send(next.signal, probe);
    }
  }

  async #send(value: boolean, probe: number): Promise<void> {
    const observed = this.#observed;
    if (observed) this.#emit({ type: 'signal', at: this.#now, value, probe });
    if (this.#channel.full) {
      this.#phase = 'blocked';
      if (observed) this.#emit({ type: 'blocked', at: this.#now, value });
    }
    const immediate = await this.#channel.send(value);
    if (immediate === false && observed) this.#emit({ type: 'unblocked', at: this.#now });
  }

  /** Every observer sees every event, even after another one threw (see `withObserver`). */
  #emit(event: CheckEvent): void {
    for (const observer of this.#options.observers) {
      try {
        observer(event);
      } catch (error) {
        this.fail(error);
      }
    }
  }

  protected async shutdown(): Promise<void> {
    const reason = new ProbekitError('ERR_PROBEKIT_STOPPED', 'The health check was stopped.');
    this.#stopController.abort(reason);
    this.#prober.abort(reason);
    // Settle the ticks that came due unread, so observers (traces) see them before the end.
    void this.#ticker.hasPendingTick;
    this.#ticker.stop();
    this.#channel.close();
    await this.#loop;
    this.#phase = 'stopped';
    try {
      await this.#closeTransport?.();
    } catch (error) {
      this.fail(error);
    }
    this.#emit({ type: 'stop', at: this.#now });
  }

  protected receive(): Promise<IteratorResult<boolean, undefined>> {
    return this.#channel.receive();
  }
}

/**
 * Starts probing `url` — Dapr v1.0's `StartEndpointHealthCheck`, faithfully: a Go ticker that
 * starts before the initial delay, one probe at a time, `true` on every success, one `false`
 * per failure streak reaching the threshold, and a channel of one that blocks the loop when
 * nobody reads. Options are validated at once (a ProbekitError, never a later crash).
 *
 * `withProfile(name)` makes it another Dapr version's checker instead (docs/profiles.md):
 * `dapr-1.1`'s repeated `false`, `dapr-1.10.5`'s goroutine per tick, `dapr-1.13`'s two phases…
 *
 * @example
 * const check = startEndpointHealthCheck('http://127.0.0.1:8080/healthz', withInterval(1000));
 * for await (const healthy of check) {
 *   console.log(healthy ? 'up' : 'down');
 * }
 */
export function startEndpointHealthCheck(url: string, ...opts: Option[]): HealthCheck {
  if (typeof url !== 'string') {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to start the health check: the address ${String(url)} is not a string. Pass a URL such as "http://127.0.0.1:8080/healthz".`,
    );
  }
  const options = resolveOptions(opts);
  // The reference keeps its own loop, the hot path; every other profile runs on the profile engine.
  return options.profile.name === REFERENCE_PROFILE
    ? new EndpointHealthCheck(url, options)
    : new ProfileHealthCheck(url, options);
}
