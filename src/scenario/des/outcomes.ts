import type { Decision, DecisionAction } from '../../endpoint/engine/decision.js';
import type { TraceOutcome } from '../types.js';

/**
 * The trace outcome of each decision action, as the in-process transport performs it and the
 * checker describes it (`describeOutcome(outcomeOfError(…))`): a reset is `reset`, a close
 * `closed`, bytes that are not HTTP `malformed` (their code is `HPE_INVALID_CONSTANT`). `hang`
 * never answers, so it has no outcome of its own (the probe times out). One table, checked for
 * every action, so a new action cannot compile while the simulator ignores it.
 */
const FAULT_OUTCOMES = {
  respond: undefined,
  hang: undefined,
  reset: 'reset',
  close: 'closed',
  malformed: 'malformed',
  refuse: 'refused',
  // The player refuses a script with `pass` in process (no upstream); if one ever got here, the
  // in-process transport would close the connection.
  pass: 'closed',
} satisfies Record<DecisionAction, TraceOutcome | undefined>;

/** Status outcomes as strings, made once per status: a run of a million probes makes a few. */
const statusTexts = new Map<number, string>();

/** The trace outcome of a decision that answers (`hang` has none: it only times out). */
export function outcomeOfDecision(decision: Decision): TraceOutcome {
  if (decision.action === 'respond') return statusText(decision.status);
  return FAULT_OUTCOMES[decision.action] ?? 'timeout';
}

/** `"200"` for 200, shared. */
export function statusText(status: number): string {
  let text = statusTexts.get(status);
  if (text === undefined) {
    text = String(status);
    if (statusTexts.size < 1000) statusTexts.set(status, text);
  }
  return text;
}
