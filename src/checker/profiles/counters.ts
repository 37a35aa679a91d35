import type { LoopRule } from './loop.js';

/** One counter step: the new count and the value to report, if any. */
export interface CountStep {
  readonly count: number;
  readonly signal: boolean | undefined;
  readonly rule: LoopRule;
}

/**
 * Dapr v0.6–v1.0.1 (`pkg/health@v1.0.0:64-72`): `true` on every success (count reset); a
 * failure reports `false` only when the count *equals* the threshold — once per streak, never
 * for a threshold ≤ 0.
 *
 * @example
 * countOncePerStreak(1, false, 2); // { count: 2, signal: false, rule: 'streak-reached' }
 */
export function countOncePerStreak(count: number, success: boolean, threshold: number): CountStep {
  if (success) return { count: 0, signal: true, rule: 'success' };
  const next = count + 1;
  return next === threshold
    ? { count: next, signal: false, rule: 'streak-reached' }
    : { count: next, signal: undefined, rule: 'streak-continues' };
}

/**
 * Dapr v1.1–v1.10.4 (`pkg/health@v1.1.0:66-68`): as {@link countOncePerStreak}, but on reaching
 * the threshold the count steps back to n−1 before `false`, so every further failure reports
 * `false` again; a threshold ≤ 0 is never equalled, so never `false`.
 *
 * @example
 * countFalseRepeats(1, false, 2); // { count: 1, signal: false, rule: 'streak-reached' }
 */
export function countFalseRepeats(count: number, success: boolean, threshold: number): CountStep {
  if (success) return { count: 0, signal: true, rule: 'success' };
  const next = count + 1;
  if (next !== threshold) return { count: next, signal: undefined, rule: 'streak-continues' };
  return { count: next - 1, signal: false, rule: 'streak-reached' };
}

/**
 * Dapr v1.10.5–v1.12.5 (`pkg/health@v1.11.0`, atomic count): a failure reports `false` when
 * `Add(1) >= n`, then stores n−1: every failure from the n-th on reports `false`, and a
 * threshold ≤ 0 reports `false` on every failure.
 *
 * @example
 * countAtLeastThreshold(0, false, 0); // { count: -1, signal: false, rule: 'streak-reached' }
 */
export function countAtLeastThreshold(count: number, success: boolean, threshold: number): CountStep {
  if (success) return { count: 0, signal: true, rule: 'success' };
  const next = count + 1;
  return next >= threshold
    ? { count: threshold - 1, signal: false, rule: 'streak-reached' }
    : { count: next, signal: undefined, rule: 'streak-continues' };
}
