import { describeValue } from '../../errors.js';
import { atDeadline } from '../../time/deadline.js';
import { transportError } from '../../transport/outcome.js';
import type { ProbeRequest, ProbeResponse, Transport } from '../../transport/types.js';
import { type Decision, type DecisionAction, decisionDuration } from '../engine/decision.js';
import type { ScriptPlayer } from '../engine/player.js';

/**
 * The `code` an in-process `malformed` step rejects with: what Node's HTTP parser (and undici,
 * and so `fetch`) report for a response that does not start with `HTTP/`, which is what the
 * real mock server sends.
 *
 * @example
 * outcomeOfError(error); // { kind: 'error', code: MALFORMED_CODE } for a malformed step
 */
export const MALFORMED_CODE = 'HPE_INVALID_CONSTANT';

function pathOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

type Performer = (decision: Decision, where: string) => ProbeResponse | Error | typeof NEVER;
/** What `hang` resolves to: nothing, ever (the request waits for its abort). */
const NEVER = Symbol('never');

/** What the in-process transport does for each action: one table, checked for every action. */
const PERFORMERS = {
  respond: (decision) => ({ status: decision.status }),
  hang: () => NEVER,
  reset: (_, where) =>
    transportError('reset', `Failed to probe ${where}: the mock endpoint reset the connection.`),
  close: (_, where) =>
    transportError(
      'closed',
      `Failed to probe ${where}: the mock endpoint closed the connection without answering.`,
    ),
  malformed: (_, where) =>
    Object.assign(
      new Error(
        `Failed to probe ${where}: the mock endpoint sent a malformed response (it does not start with "HTTP/").`,
      ),
      { code: MALFORMED_CODE },
    ),
  // The player refuses before a request is received, so no decision to refuse reaches here.
  refuse: (_, where) =>
    transportError('refused', `Failed to probe ${where}: the mock endpoint refused the connection.`),
  // The player refuses a script with `pass` in process (no upstream), so none reaches here.
  pass: (_, where) =>
    transportError('closed', `Failed to probe ${where}: the in-process endpoint has no upstream to pass to.`),
} satisfies Record<DecisionAction, Performer>;

/**
 * An in-process {@link Transport} that plays the script on the player's clock, for the
 * checker in virtual time. Exactly:
 *
 * - a response resolves `{ status }` after the decision's delay (plus the dribble time of a
 *   slow step: like fasthttp, a probe ends when the whole response has arrived); with no delay
 *   it resolves in the same microtask queue turn, using no timer;
 * - `hang` never resolves; it rejects with the signal's reason when the request's signal aborts;
 * - `reset` / `close` reject with `code` ECONNRESET / ECONNCLOSED, `malformed` with
 *   {@link MALFORMED_CODE}, and refused connections with ECONNREFUSED (they are not received:
 *   not counted, not journalled);
 * - an abort at any time rejects with the signal's reason and leaves no timer behind; the
 *   journal records the request as aborted at that time.
 *
 * @example
 * const { transport } = flakyEndpoint('delay 120ms then 200', { clock });
 */
export function inProcessTransport(player: ScriptPlayer): Transport {
  const clock = player.clock;
  const journal = player.journal;
  return (request: ProbeRequest): Promise<ProbeResponse> => {
    const { url, signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const path = pathOf(url);
    if (path === undefined) {
      return Promise.reject(
        transportError(
          'invalid-url',
          `Failed to probe ${describeValue(url)}: it is not a valid URL. Pass an absolute URL like "http://endpoint.test/healthz".`,
        ),
      );
    }
    const reception = player.receive('GET', path, clock.now);
    if (reception.refused) {
      return Promise.reject(
        transportError(
          'refused',
          `Failed to probe ${describeValue(url)}: the mock endpoint refused the connection.`,
        ),
      );
    }
    const { ticket, decision } = reception;
    const act = (): ProbeResponse => {
      journal.settle(ticket, 'completed', clock.now);
      const outcome = PERFORMERS[decision.action](decision, describeValue(url));
      if (outcome instanceof Error) throw outcome;
      // `hang` never gets here: it has no timer, only its abort.
      return outcome as ProbeResponse;
    };
    const wait = decisionDuration(decision);
    if (decision.action !== 'hang' && wait === 0) {
      try {
        return Promise.resolve(act());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<ProbeResponse>((resolve, reject) => {
      const onAbort = () => {
        timer?.cancel();
        journal.settle(ticket, 'aborted', clock.now);
        reject(signal.reason);
      };
      const timer =
        decision.action === 'hang'
          ? undefined
          : atDeadline(clock, clock.now + wait, () => {
              signal?.removeEventListener('abort', onAbort);
              try {
                resolve(act());
              } catch (error) {
                reject(error);
              }
            });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
}
