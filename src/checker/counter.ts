/** The checker's failure counter: the only state Dapr v1.0 keeps between probes. */
export interface CounterState {
  readonly failureCount: number;
}

/** What one probe result does to the counter, and the signal it emits, if any. */
export interface CounterStep {
  readonly state: CounterState;
  /** `true` or `false` when the probe emits a signal; `undefined` when it emits nothing. */
  readonly signal: boolean | undefined;
  /** Which rule applied, for teaching views: `success`, `streak-reached`, `streak-continues`. */
  readonly rule: 'success' | 'streak-reached' | 'streak-continues';
}

/** The counter before the first probe. */
export const INITIAL_COUNTER: CounterState = Object.freeze({ failureCount: 0 });

const SUCCESS: CounterStep = Object.freeze({ state: INITIAL_COUNTER, signal: true, rule: 'success' });

/**
 * The pure state machine of Dapr v1.0's loop. Mirrors Dapr: every success emits `true` and
 * resets the count; a failure increments it and emits `false` only when the count *equals* the
 * threshold — once per streak, and never for a threshold of 0 or less.
 *
 * @example
 * step({ failureCount: 1 }, false, 2); // { state: { failureCount: 2 }, signal: false, rule: 'streak-reached' }
 */
export function step(state: CounterState, success: boolean, failureThreshold: number): CounterStep {
  // A success is always the same step: one shared object, nothing allocated per probe.
  if (success) return SUCCESS;
  const failureCount = state.failureCount + 1;
  const reached = failureCount === failureThreshold;
  return {
    state: { failureCount },
    signal: reached ? false : undefined,
    rule: reached ? 'streak-reached' : 'streak-continues',
  };
}
