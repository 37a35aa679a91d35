import { type CountStep, countAtLeastThreshold, countFalseRepeats, countOncePerStreak } from './counters.js';
import type { LoopCommand, LoopEvent, LoopMachine, LoopRule, LoopSettings, ProbeResult } from './loop.js';

const WAIT_TICK: readonly LoopCommand[] = Object.freeze([{ kind: 'wait-tick' }]);
const PROBE: readonly LoopCommand[] = Object.freeze([{ kind: 'probe' }]);
const PROBE_AND_WAIT: readonly LoopCommand[] = Object.freeze([{ kind: 'probe' }, { kind: 'wait-tick' }]);
const NOTHING: readonly LoopCommand[] = Object.freeze([]);

type Counter = (count: number, success: boolean, threshold: number) => CountStep;

/** Whether a result is a success under an exact status match (Dapr's endpoint checkers). */
const exactly = (result: ProbeResult, code: number): boolean => result.status === code;

/**
 * The counter's rule, told apart for teaching: a `false` after the streak already passed the
 * threshold is a repeat (v1.1 on).
 */
function ruleOf(step: CountStep, streak: number, threshold: number): LoopRule {
  return step.signal === false && streak > Math.max(threshold, 1) ? 'false-repeats' : step.rule;
}

/**
 * What the ticker loops of Dapr v0.6–v1.12.5 share: the ticker first, then the initial delay
 * (`pkg/health@v1.0.0:46-48`; v1.10.5 makes the ticker in the caller, the same instant), and a
 * counter stepped by each probe's result.
 */
abstract class TickerLoop implements LoopMachine {
  protected readonly settings: LoopSettings;
  readonly #counter: Counter;
  #count = 0;
  #streak = 0;
  #rule: LoopRule | undefined;

  constructor(settings: LoopSettings, counter: Counter) {
    this.settings = settings;
    this.#counter = counter;
  }

  get failureCount(): number {
    return this.#count;
  }

  get lastRule(): LoopRule | undefined {
    return this.#rule;
  }

  abstract on(event: LoopEvent): readonly LoopCommand[];

  protected start(): readonly LoopCommand[] {
    return [
      { kind: 'ticker', period: this.settings.interval },
      { kind: 'sleep', ms: this.settings.initialDelay },
    ];
  }

  /** Steps the counter with a probe's result; the value to send, if any. */
  protected count(result: ProbeResult): boolean | undefined {
    const { failureThreshold, successStatusCode } = this.settings;
    const success = exactly(result, successStatusCode);
    this.#streak = success ? 0 : this.#streak + 1;
    const step = this.#counter(this.#count, success, failureThreshold);
    this.#count = step.count;
    this.#rule = ruleOf(step, this.#streak, failureThreshold);
    return step.signal;
  }
}

/**
 * Dapr v0.6–v1.10.4 (behaviours A, B, C): one goroutine makes the ticker, sleeps the initial
 * delay, then takes a tick, probes, maybe sends (blocking while the channel of one is full),
 * and takes the next tick. Only the counter differs between them.
 */
class SequentialTickerLoop extends TickerLoop {
  on(event: LoopEvent): readonly LoopCommand[] {
    switch (event.kind) {
      case 'start':
        return this.start();
      case 'delay-end':
      case 'sent':
        return WAIT_TICK;
      case 'tick':
        return PROBE;
      case 'probe-end': {
        const signal = this.count(event.result);
        return signal === undefined ? WAIT_TICK : [{ kind: 'send', value: signal, blocking: true }];
      }
    }
  }
}

/**
 * Dapr v1.10.5–v1.12.5 (behaviour F): the ticker is made by the caller, the delay is waited in
 * the goroutine, then every tick starts a probe in a goroutine of its own. The loop never
 * blocks; a probe's goroutine sends its value and waits for the channel alone.
 */
class GoroutinePerTickLoop extends TickerLoop {
  constructor(settings: LoopSettings) {
    super(settings, countAtLeastThreshold);
  }

  on(event: LoopEvent): readonly LoopCommand[] {
    switch (event.kind) {
      case 'start':
        return this.start();
      case 'delay-end':
        return WAIT_TICK;
      case 'tick':
        return PROBE_AND_WAIT;
      case 'sent':
        return NOTHING;
      case 'probe-end': {
        const signal = this.count(event.result);
        return signal === undefined ? NOTHING : [{ kind: 'send', value: signal, blocking: false }];
      }
    }
  }
}

const UNHEALTHY = 0;
const HEALTHY = 1;
const REPORTING_TRUE = 2;
const REPORTING_FALSE = 3;
const DELAYING = 4;

/**
 * Dapr v1.13–v1.14 (behaviour I, `pkg/actors/health@v1.13.0`): two phases, every probe in the
 * `Run` goroutine, values sent on an unbuffered channel (each waits for the reader).
 * Unhealthy: a ticker of the unhealthy interval, a probe at once, then one per tick until a
 * success, which reports `true`. Healthy (entered once `true` was read): a new ticker of the
 * interval, a probe per tick, the count reset by a success; when the count is at least the
 * threshold it reports `false` and goes back to the unhealthy phase. Nothing is reported while
 * unhealthy. With `initialDelay` (behaviour H, master only) it waits that long first.
 */
class PhasedLoop implements LoopMachine {
  readonly #settings: LoopSettings;
  readonly #delayed: boolean;
  #phase = UNHEALTHY;
  #count = 0;
  #rule: LoopRule | undefined;

  constructor(settings: LoopSettings, delayed: boolean) {
    this.#settings = settings;
    this.#delayed = delayed;
  }

  get failureCount(): number {
    return this.#count;
  }

  get lastRule(): LoopRule | undefined {
    return this.#rule;
  }

  #enterUnhealthy(): readonly LoopCommand[] {
    this.#phase = UNHEALTHY;
    // The count is a local of the healthy phase (`doHealthyStateCheck`): none while unhealthy.
    this.#count = 0;
    return [{ kind: 'ticker', period: this.#settings.unhealthyInterval }, { kind: 'probe' }];
  }

  on(event: LoopEvent): readonly LoopCommand[] {
    switch (event.kind) {
      case 'start':
        if (!this.#delayed) return this.#enterUnhealthy();
        this.#phase = DELAYING;
        return [{ kind: 'sleep', ms: this.#settings.initialDelay }];
      case 'delay-end':
        return this.#enterUnhealthy();
      case 'tick':
        return PROBE;
      case 'sent':
        if (this.#phase === REPORTING_FALSE) return this.#enterUnhealthy();
        // `true` was read: the healthy phase makes its ticker now (`doHealthyStateCheck`).
        this.#phase = HEALTHY;
        this.#count = 0;
        return [{ kind: 'ticker', period: this.#settings.interval }, { kind: 'wait-tick' }];
      case 'probe-end': {
        const { failureThreshold, successStatusCode } = this.#settings;
        const success = exactly(event.result, successStatusCode);
        if (this.#phase === UNHEALTHY) {
          if (!success) {
            this.#rule = 'unhealthy-stays';
            return WAIT_TICK;
          }
          this.#rule = 'recovered';
          this.#phase = REPORTING_TRUE;
          return [{ kind: 'send', value: true, blocking: true }];
        }
        this.#count = success ? 0 : this.#count + 1;
        if (this.#count >= failureThreshold) {
          this.#rule = 'streak-reached';
          this.#phase = REPORTING_FALSE;
          return [{ kind: 'send', value: false, blocking: true }];
        }
        this.#rule = success ? 'healthy-stays' : 'streak-continues';
        return WAIT_TICK;
      }
    }
  }
}

/** Which app health checker: v1.12–v1.15 reset the count on every success; v1.16+ only on a change. */
export type AppHealthGeneration = '1.12' | '1.16';

/**
 * daprd's app health checker (`pkg/apphealth`, v1.12+): a ticker of the interval and a probe
 * queued at start (so the first probe is at once), probes one at a time in the loop, any 2xx a
 * success, and a callback (its own goroutine: it never blocks the loop) on transitions only.
 * It starts unhealthy with the count at the threshold: `true` when a success follows a count at
 * or above the threshold, `false` when a failure brings the count exactly to it. From v1.16 a
 * result that agrees with the current status is not counted (a success while healthy does not
 * reset the count; a failed status while unhealthy does not count), but a probe error always
 * counts as a failure.
 */
class AppHealthLoop implements LoopMachine {
  readonly #settings: LoopSettings;
  readonly #generation: AppHealthGeneration;
  #count: number;
  #healthy = false;
  #rule: LoopRule | undefined;

  constructor(settings: LoopSettings, generation: AppHealthGeneration) {
    this.#settings = settings;
    this.#generation = generation;
    this.#count = settings.failureThreshold;
  }

  get failureCount(): number {
    return this.#count;
  }

  get lastRule(): LoopRule | undefined {
    return this.#rule;
  }

  on(event: LoopEvent): readonly LoopCommand[] {
    switch (event.kind) {
      case 'start':
        return [{ kind: 'ticker', period: this.#settings.interval }, { kind: 'probe' }];
      case 'tick':
        return PROBE;
      case 'delay-end':
      case 'sent':
        return NOTHING;
      case 'probe-end': {
        const signal = this.#result(event.result);
        return signal === undefined
          ? WAIT_TICK
          : [{ kind: 'send', value: signal, blocking: false }, { kind: 'wait-tick' }];
      }
    }
  }

  /** `doProbe` then `setResult` (`pkg/apphealth/health.go@v1.12.0:180-225`, `@v1.17.0:186-200`). */
  #result(result: ProbeResult): boolean | undefined {
    const status = result.status;
    const success = status !== undefined && status >= 200 && status < 300;
    if (this.#generation === '1.16' && status !== undefined && success === this.#healthy) {
      this.#rule = success ? 'healthy-stays' : 'unhealthy-stays';
      return undefined;
    }
    const threshold = this.#settings.failureThreshold;
    if (success) {
      const previous = this.#count;
      this.#count = 0;
      if (previous < threshold) {
        this.#rule = 'healthy-stays';
        return undefined;
      }
      this.#healthy = true;
      this.#rule = 'recovered';
      return true;
    }
    this.#count++;
    if (this.#count !== threshold) {
      this.#rule = this.#healthy ? 'streak-continues' : 'unhealthy-stays';
      return undefined;
    }
    this.#healthy = false;
    this.#rule = 'streak-reached';
    return false;
  }
}

/** The loop kinds a profile is built from. */
export type LoopKind =
  | { readonly kind: 'sequential'; readonly counter: 'once-per-streak' | 'false-repeats' }
  | { readonly kind: 'goroutine-per-tick' }
  | { readonly kind: 'phased'; readonly initialDelay: boolean }
  | { readonly kind: 'app-health'; readonly generation: AppHealthGeneration };

/**
 * A fresh loop machine of `kind` with `settings`.
 *
 * @example
 * const loop = createLoop({ kind: 'sequential', counter: 'false-repeats' }, settings);
 * loop.on({ kind: 'start' }); // [{ kind: 'ticker', period: 5000 }, { kind: 'sleep', ms: 1000 }]
 */
export function createLoop(kind: LoopKind, settings: LoopSettings): LoopMachine {
  switch (kind.kind) {
    case 'sequential':
      return new SequentialTickerLoop(
        settings,
        kind.counter === 'once-per-streak' ? countOncePerStreak : countFalseRepeats,
      );
    case 'goroutine-per-tick':
      return new GoroutinePerTickLoop(settings);
    case 'phased':
      return new PhasedLoop(settings, kind.initialDelay);
    case 'app-health':
      return new AppHealthLoop(settings, kind.generation);
  }
}
