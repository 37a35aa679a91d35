import type { EndpointDefinition, Step } from '../../../endpoint/script/model.js';
import { mapDefinition } from './scale.js';

/** When a step with fixed times is done, ms after its request arrived (undefined: never, or random). */
function fixedCompletion(step: Step): number | undefined {
  if (step.kind === 'hang' || step.kind === 'refuse') return undefined;
  // A delay drawn at random cannot be planned on the deadline.
  if (typeof step.delay === 'object') return undefined;
  const delay = step.delay ?? 0;
  return step.kind === 'slow-headers' || step.kind === 'slow-body' ? delay + step.over : delay;
}

/**
 * Moves every answer planned at the very instant of the request timeout `by` ms later. In
 * virtual time such a tie is settled by the rule (the timeout wins: docs/semantics.md §1, One
 * probe); in real time it is a coin toss between two timers in two processes. A little later,
 * the timeout wins for sure — the same outcome at the same instant, so the expected trace is
 * unchanged. Returns the definition and how many steps moved.
 *
 * @example
 * const { definition, moved } = separateTimeoutTies(parseScript('delay 50ms then 200'), 50, 10);
 * // "delay 60ms then 200", moved 1
 */
export function separateTimeoutTies(
  definition: EndpointDefinition,
  requestTimeoutMs: number,
  by: number,
): { definition: EndpointDefinition; moved: number } {
  let moved = 0;
  const shift = Math.max(1, Math.ceil(by));
  const separated = mapDefinition(definition, {
    ms: (ms) => ms,
    step: (step) => {
      if (step.kind === 'hang' || step.kind === 'refuse') return step;
      if (requestTimeoutMs <= 0 || fixedCompletion(step) !== requestTimeoutMs) return step;
      moved++;
      return { ...step, delay: ((step.delay as number | undefined) ?? 0) + shift };
    },
  });
  return { definition: separated, moved };
}
