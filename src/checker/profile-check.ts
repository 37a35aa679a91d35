import { ProbekitError } from '../errors.js';
import { sleep } from '../time/clock.js';
import { Ticker } from '../time/ticker.js';
import type { ProbeOutcome } from '../transport/outcome.js';
import type { Transport } from '../transport/types.js';
import { CheckLifecycle } from './check-lifecycle.js';
import { defaultTransport } from './default-transport.js';
import type { CheckEvent } from './events.js';
import { GoChannel } from './go-channel.js';
import type { HealthCheck, HealthCheckState, LoopPhase } from './health-check.js';
import type { HealthCheckOptions } from './options.js';
import { ProbeRunner } from './probe.js';
import type { LoopCommand, LoopEvent, LoopMachine } from './profiles/loop.js';
import type { LoopKind } from './profiles/machines.js';
import { createLoop } from './profiles/machines.js';

/** The channel's capacity under each loop kind: Go's `make(chan bool, 1)`, v1.13's unbuffered one, a callback. */
export const CHANNEL_CAPACITY: Readonly<Record<LoopKind['kind'], number>> = {
  sequential: 1,
  'goroutine-per-tick': 1,
  phased: 0,
  'app-health': Number.POSITIVE_INFINITY,
};

/**
 * A check under a Dapr profile other than the reference: the profile's loop machine
 * (src/checker/profiles/) driven in real time — or on any injected clock — by timers, the
 * transport and a Go channel of the profile's capacity. The machine decides; this performs:
 * the same commands the discrete-event simulator performs in virtual time.
 *
 * The reference (`dapr-1.0`, the default) keeps its own hand-tuned loop (health-check.ts), the
 * checker's hot path at thousands of probes a second; test/checker/profile-check.test.ts shows
 * both drivers give the same traces under it.
 */
export class ProfileHealthCheck extends CheckLifecycle implements HealthCheck {
  readonly #options: HealthCheckOptions;
  readonly #url: string;
  readonly #stopController = new AbortController();
  readonly #loop: LoopMachine;
  readonly #channel: GoChannel<boolean>;
  readonly #transport: Transport;
  readonly #closeTransport: (() => Promise<void>) | undefined;
  readonly #observed: boolean;
  /** Probes run one at a time share a runner; overlapping ones (a goroutine per tick) get their own. */
  readonly #runner: ProbeRunner;
  readonly #inFlight = new Set<ProbeRunner>();
  /** Everything started and not yet settled, so stop() can wait for all of it. */
  readonly #pending = new Set<Promise<unknown>>();
  #ticker: Ticker | undefined;
  #tickIndex = 0;
  #probes = 0;
  #phase: LoopPhase = 'initial-delay';

  constructor(url: string, options: HealthCheckOptions) {
    super();
    this.#url = url;
    this.#options = options;
    const profile = options.profile;
    if (options.transport) {
      this.#transport = options.transport;
    } else {
      const owned = defaultTransport(profile.client);
      this.#transport = owned.transport;
      this.#closeTransport = owned.close;
    }
    this.#observed = options.observers.length > 0;
    this.#runner = this.#newRunner();
    this.#loop = createLoop(profile.loop, {
      initialDelay: profile.ignores.includes('initialDelay') ? 0 : options.initialDelay,
      interval: options.interval,
      failureThreshold: options.failureThreshold,
      successStatusCode: options.successStatusCode,
      unhealthyInterval: options.unhealthyInterval,
    });
    this.#channel = new GoChannel<boolean>(
      CHANNEL_CAPACITY[profile.loop.kind],
      this.#observed ? (value) => this.#emit({ type: 'delivered', at: this.#now, value }) : undefined,
      () => this.readEnded(),
    );
    this.#emit({ type: 'start', at: this.#now });
    this.#handle({ kind: 'start' });
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
    return { phase: this.#phase, failureCount: this.#loop.failureCount, probes: this.#probes };
  }

  get options(): Readonly<Omit<HealthCheckOptions, 'observers' | 'signal'>> {
    const { observers: _observers, signal: _signal, ...rest } = this.#options;
    return rest;
  }

  get #now(): number {
    return this.#options.clock.now;
  }

  get #stopped(): boolean {
    return this.#stopController.signal.aborted;
  }

  #newRunner(): ProbeRunner {
    const { clock, requestTimeout, profile } = this.#options;
    return new ProbeRunner(
      this.#transport,
      this.#url,
      requestTimeout,
      clock,
      profile.client.zeroTimeout === 'no-timeout',
    );
  }

  /** Hands the machine an event and performs its commands; a bug stops the check. */
  #handle(event: LoopEvent): void {
    if (this.#stopped) return;
    try {
      for (const command of this.#loop.on(event)) this.#perform(command);
    } catch (error) {
      this.fail(error);
    }
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => {
      if (!this.#stopped) this.fail(error);
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #perform(command: LoopCommand): void {
    switch (command.kind) {
      case 'ticker': {
        this.#ticker?.stop();
        this.#ticker = new Ticker(
          this.#options.clock,
          command.period,
          this.#observed
            ? {
                tick: (tick) => this.#emit({ type: 'tick', at: tick.due, index: tick.index }),
                drop: (tick) => this.#emit({ type: 'tick-dropped', at: tick.due, index: tick.index }),
              }
            : undefined,
        );
        return;
      }
      case 'sleep':
        this.#track(
          sleep(this.#options.clock, command.ms, this.#stopController.signal).then(() => {
            this.#emit({ type: 'delay-end', at: this.#now });
            this.#handle({ kind: 'delay-end' });
          }),
        );
        return;
      case 'wait-tick': {
        const ticker = this.#ticker;
        if (!ticker) throw new Error('Failed to read the ticker: the profile made none.');
        if (this.#inFlight.size === 0) this.#phase = 'waiting-for-tick';
        this.#track(
          ticker.next().then(
            (tick) => {
              // A ticker replaced meanwhile (v1.13 changes phase) no longer drives the loop.
              if (ticker !== this.#ticker) return;
              this.#tickIndex = tick.index;
              this.#handle({ kind: 'tick' });
            },
            (error: unknown) => {
              if (ticker === this.#ticker && !this.#stopped) throw error;
            },
          ),
        );
        return;
      }
      case 'probe':
        this.#probe();
        return;
      case 'send':
        this.#send(command.value, command.blocking);
        return;
    }
  }

  #probe(): void {
    const concurrent = this.#options.profile.loop.kind === 'goroutine-per-tick';
    const runner = concurrent ? this.#newRunner() : this.#runner;
    const probe = this.#probes++;
    this.#phase = 'probing';
    this.#inFlight.add(runner);
    if (this.#observed) this.#emit({ type: 'probe-start', at: this.#now, probe, tick: this.#tickIndex });
    this.#track(
      runner.run().then((outcome) => {
        this.#inFlight.delete(runner);
        if (this.#stopped) return;
        this.#ended(probe, outcome);
      }),
    );
  }

  #ended(probe: number, outcome: ProbeOutcome): void {
    const { profile, successStatusCode } = this.#options;
    const status = outcome.kind === 'status' ? outcome.status : undefined;
    const success =
      status !== undefined &&
      (profile.client.success === '2xx' ? status >= 200 && status < 300 : status === successStatusCode);
    if (this.#stopped) return;
    let commands: readonly LoopCommand[];
    try {
      commands = this.#loop.on({ kind: 'probe-end', probe, result: { status } });
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.#observed) {
      this.#emit({
        type: 'probe-end',
        at: this.#now,
        probe,
        outcome,
        success,
        failureCount: this.#loop.failureCount,
        rule: this.#loop.lastRule ?? (success ? 'success' : 'streak-continues'),
      });
    }
    try {
      for (const command of commands) this.#perform(command);
    } catch (error) {
      this.fail(error);
    }
  }

  #send(value: boolean, blocking: boolean): void {
    if (this.#observed) this.#emit({ type: 'signal', at: this.#now, value, probe: this.#probes - 1 });
    const waits = this.#channel.wouldBlock;
    if (blocking && waits) {
      this.#phase = 'blocked';
      if (this.#observed) this.#emit({ type: 'blocked', at: this.#now, value });
    }
    const sent = this.#channel.send(value);
    if (!blocking) {
      this.#track(sent);
      return;
    }
    this.#track(
      sent.then((immediate) => {
        if (immediate === undefined) return;
        if (immediate === false && this.#observed) this.#emit({ type: 'unblocked', at: this.#now });
        this.#handle({ kind: 'sent' });
      }),
    );
  }

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
    for (const runner of this.#inFlight) runner.abort(reason);
    this.#inFlight.clear();
    // Settle the ticks that came due unread, so observers (traces) see them before the end.
    const ticker = this.#ticker;
    if (ticker) {
      void ticker.hasPendingTick;
      ticker.stop();
    }
    this.#channel.close();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
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
