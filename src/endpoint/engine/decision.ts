import { formatDuration } from '../../time/duration.js';
import { assertNever } from './kinds.js';

/** Where a decision came from. */
export type DecisionSource =
  /** The route's script (request k → item k). */
  | 'script'
  /** A `down from … until …` window was open. */
  | 'window'
  /** The route was in the down half of its flapping. */
  | 'flap'
  /** The script ran out under the `end` rule. */
  | 'exhausted'
  /** No route matches the path. */
  | 'unmatched'
  /** The route's script is empty (it only has windows or a flap). */
  | 'default';

/** What an endpoint does with one request. */
export type DecisionAction = 'respond' | 'hang' | 'reset' | 'close' | 'malformed' | 'refuse' | 'pass';

/**
 * The engine's answer for one request: concrete values only (random delays already drawn),
 * so every backend performs the same thing.
 */
export interface Decision {
  readonly action: DecisionAction;
  /** For `respond`: the status (0 otherwise). For `pass`: the status replacing the upstream's, or 0 to keep it. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly body: string | undefined;
  /** ms to wait before acting. */
  readonly delay: number;
  /** For slow steps: which part of the response is dribbled, over `over` ms. */
  readonly dribble: 'headers' | 'body' | undefined;
  readonly over: number;
  readonly source: DecisionSource;
  /**
   * The matched route: its path (`*` for the catch-all), after its method when it names one
   * (`POST /healthz`); `''` when nothing matched.
   */
  readonly route: string;
}

/**
 * ms after the request arrives that the client has the whole response (or the fault).
 *
 * @example
 * decisionDuration(decision); // 1100 for delay 100ms then slow-body over 1s
 */
export function decisionDuration(decision: Decision): number {
  return decision.delay + (decision.dribble ? decision.over : 0);
}

const SOURCE_NOTE: Readonly<Record<DecisionSource, string>> = {
  script: '',
  window: ' (down window)',
  flap: ' (flapping: down)',
  exhausted: ' (script exhausted)',
  unmatched: ' (no route for this method and path)',
  default: ' (empty script)',
};

/**
 * One line for a decision, as the journal and `probekit mock --verbose` print it.
 *
 * @example
 * explainDecision(decision); // "503 after 120ms" or "reset (down window)"
 */
export function explainDecision(decision: Decision): string {
  let text: string;
  switch (decision.action) {
    case 'respond':
      text = String(decision.status);
      if (decision.dribble) {
        text += ` with its ${decision.dribble === 'headers' ? 'head' : 'body'} dribbled over ${formatDuration(decision.over)}`;
      }
      break;
    case 'hang':
      text = 'hang';
      break;
    case 'refuse':
      text = 'refuse';
      break;
    case 'reset':
    case 'close':
    case 'malformed':
      text = decision.action;
      break;
    case 'pass':
      text = decision.status === 0 ? 'pass' : `pass with status ${decision.status}`;
      if (decision.dribble) text += ` with its body dribbled over ${formatDuration(decision.over)}`;
      break;
    default:
      return assertNever(decision.action, 'decision');
  }
  if (decision.delay > 0) text += ` after ${formatDuration(decision.delay)}`;
  return text + SOURCE_NOTE[decision.source];
}
