/**
 * The time scale of one demo run. Dapr's defaults (a 5 s interval) would make a first look
 * last minutes; the same rules at 200 ms show every case in a couple of seconds.
 */
export interface DemoProfile {
  readonly name: 'normal' | 'fast';
  readonly intervalMs: number;
  readonly requestTimeoutMs: number;
  readonly initialDelayMs: number;
  readonly failureThreshold: number;
  /**
   * What the flaky endpoint of act 1 plays (the endpoint DSL): two successes, a lone failure
   * that does not reach the threshold, a streak that does, a hang that times out inside the
   * streak (no second false), and recovery.
   */
  readonly script: string;
  /** Act 1 stops after this many probes: one per step of the script, plus a recovered one. */
  readonly probes: number;
  /** How long an act waits for something the checker must do before it gives up (a very busy machine). */
  readonly patienceMs: number;
}

const SCRIPT = '200*2, 503, 200, 503*2, hang, 200...';

/**
 * The demo's time scales: `normal` for people (`npm start`), `fast` for tests and the impatient.
 *
 * @example
 * DEMO_PROFILES.fast.intervalMs; // 100
 */
export const DEMO_PROFILES: Readonly<Record<DemoProfile['name'], DemoProfile>> = Object.freeze({
  normal: Object.freeze({
    name: 'normal',
    intervalMs: 200,
    requestTimeoutMs: 100,
    initialDelayMs: 50,
    failureThreshold: 2,
    script: SCRIPT,
    probes: 9,
    patienceMs: 20_000,
  }),
  fast: Object.freeze({
    name: 'fast',
    intervalMs: 100,
    requestTimeoutMs: 50,
    initialDelayMs: 30,
    failureThreshold: 2,
    script: SCRIPT,
    probes: 9,
    patienceMs: 15_000,
  }),
});
