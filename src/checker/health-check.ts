import { ProbekitError } from '../errors.js';
import { atDeadline, type DeadlineTimer } from '../time/deadline.js';
import { type Tick, Ticker } from '../time/ticker.js';
import type { ProbeOutcome } from '../transport/outcome.js';
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

/**
 * The reference loop, driven by callbacks rather than an async function: a thousand checks
 * run ten thousand loop turns a second, and each `await` there was a promise, a resumption
 * and garbage (docs/decisions/0018-callback-loop.md). Every entry point — the initial delay's
 * timer, a tick, a probe's outcome, a send that waited — is one method below; each checks
 * `#stopped` first, since `stop()` may land between any two of them.
 */
class EndpointHealthCheck extends CheckLifecycle implements HealthCheck {
  readonly #options: HealthCheckOptions;
  readonly #channel: BufferedChannel<boolean>;
  readonly #ticker: Ticker;
  readonly #transport: Transport;
  readonly #closeTransport: (() => Promise<void>) | undefined;
  readonly #prober: ProbeRunner;
  /** Events are built only when someone observes them: the loop is a hot path at scale. */
  readonly #observed: boolean;
  #delay: DeadlineTimer | undefined;
  /** Takes our listener off the caller's `signal` when the check stops. */
  #removeAbortListener: (() => void) | undefined;
  #stopped = false;
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
      () => this.readEnded(),
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
    const { clock } = options;
    this.#delay = atDeadline(clock, clock.now + options.initialDelay, this.#onDelayEnd);
    // Emitted only once every field exists: an observer that throws here stops the check, and
    // stop() must find the ticker and the delay's timer.
    this.#emit({ type: 'start', at: this.#now });
    const external = options.signal;
    if (external && !this.#stopped) {
      if (external.aborted) void this.stop();
      else {
        const onAbort = () => void this.stop();
        external.addEventListener('abort', onAbort, { once: true });
        this.#removeAbortListener = () => external.removeEventListener('abort', onAbort);
      }
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

  readonly #onDelayEnd = (): void => {
    this.#delay = undefined;
    if (this.#stopped) return;
    if (this.#observed) this.#emit({ type: 'delay-end', at: this.#now });
    this.#awaitTick();
  };

  /** Reads the ticker; `#onTick` runs at once if a tick waits (it may, after a long probe). */
  #awaitTick(): void {
    if (this.#stopped) return;
    this.#phase = 'waiting-for-tick';
    try {
      this.#ticker.read(this.#onTick);
    } catch (error) {
      this.#bug(error);
    }
  }

  // The entry points called from outside (the ticker's timer, the transport's answer) catch
  // what they throw: nobody else would, and the async loop's `catch` used to.
  readonly #onTick = (tick: Tick): void => {
    if (this.#stopped) return;
    try {
      this.#phase = 'probing';
      const probe = this.#probes++;
      if (this.#observed) {
        this.#emit({ type: 'probe-start', at: this.#now, probe, tick: tick.index });
        if (this.#stopped) return;
      }
      this.#prober.start(this.#onOutcome);
    } catch (error) {
      this.#bug(error);
    }
  };

  readonly #onOutcome = (outcome: ProbeOutcome): void => {
    if (this.#stopped) return;
    try {
      this.#afterProbe(outcome);
    } catch (error) {
      this.#bug(error);
    }
  };

  #afterProbe(outcome: ProbeOutcome): void {
    const { failureThreshold, successStatusCode } = this.#options;
    const probe = this.#probes - 1;
    const success = outcome.kind === 'status' && outcome.status === successStatusCode;
    const next = step(this.#counter, success, failureThreshold);
    this.#counter = next.state;
    if (this.#observed) {
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
    if (next.signal === undefined) this.#awaitTick();
    else this.#send(next.signal, probe);
  }

  #send(value: boolean, probe: number): void {
    const observed = this.#observed;
    if (observed) this.#emit({ type: 'signal', at: this.#now, value, probe });
    if (this.#channel.full) {
      this.#phase = 'blocked';
      if (observed) this.#emit({ type: 'blocked', at: this.#now, value });
    }
    // Closed (stopped): the loop ends here.
    if (this.#channel.offer(value, this.#onUnblocked) === true) this.#awaitTick();
  }

  /**
   * A send that waited went in (`false`), or the channel closed first (`undefined`). The read
   * that let it in runs inside the reader's `receive()`, and a reader draining the channel reads
   * again at the same instant, a few microtasks on: the loop goes on only after those (as the
   * simulator's reader takes everything there is before a blocked loop moves), so a probe that
   * ends at once does not find the slot still full. Three turns are what the async loop took
   * before it read the ticker; this is the rare path (a reader that fell behind), not the hot one.
   */
  readonly #onUnblocked = (result: false | undefined): void => {
    if (result === undefined || this.#stopped) return;
    if (this.#observed) this.#emit({ type: 'unblocked', at: this.#now });
    queueMicrotask(() => queueMicrotask(() => queueMicrotask(() => this.#awaitTick())));
  };

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

  /** A throw inside the loop itself is a bug: it stops the check and reaches the reader. */
  #bug(error: unknown): void {
    if (!this.#stopped) this.fail(error);
  }

  protected async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#removeAbortListener?.();
    const reason = new ProbekitError('ERR_PROBEKIT_STOPPED', 'The health check was stopped.');
    this.#delay?.cancel();
    this.#delay = undefined;
    this.#prober.abort(reason);
    // Settle the ticks that came due unread, so observers (traces) see them before the end.
    void this.#ticker.hasPendingTick;
    this.#ticker.stop();
    this.#channel.close();
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
