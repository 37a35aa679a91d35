import type { Clock } from '../time/clock.js';
import { type RearmableDeadline, rearmableDeadline } from '../time/deadline.js';
import { outcomeOfError, type ProbeOutcome, transportError } from '../transport/outcome.js';
import {
  PROBE_WITH_CALLBACKS,
  type ProbeSink,
  type ProbeWithCallbacks,
} from '../transport/pooled-transport.js';
import type { ProbeRequest, ProbeResponse, Transport } from '../transport/types.js';

const TIMEOUT: ProbeOutcome = Object.freeze({ kind: 'timeout' });
const INVALID_URL: ProbeOutcome = Object.freeze({ kind: 'invalid-url' });

/** Status outcomes are shared, frozen objects: a probe that succeeds allocates none. */
const statusOutcomes = new Map<number, ProbeOutcome>();
function statusOutcome(status: number): ProbeOutcome {
  let outcome = statusOutcomes.get(status);
  if (!outcome) {
    outcome = Object.freeze({ kind: 'status', status });
    if (statusOutcomes.size < 1000) statusOutcomes.set(status, outcome);
  }
  return outcome;
}

/** The request a probe sends, with the controller that can abort it. */
interface Outgoing {
  readonly controller: AbortController;
  readonly request: ProbeRequest;
}

/** One probe in flight: settles once, from the response, the error, the deadline or an abort. */
class Attempt implements ProbeSink {
  readonly controller: AbortController;
  /** The runner's timeout timer while this attempt has it armed. */
  deadline: RearmableDeadline | undefined;
  #resolve: ((outcome: ProbeOutcome) => void) | undefined;
  readonly #timeoutReason: () => Error;

  readonly #clock: Clock;
  readonly #due: number;
  /** Inside the transport call: an answer that comes at once is passed on in a microtask. */
  starting = false;

  constructor(
    resolve: (outcome: ProbeOutcome) => void,
    controller: AbortController,
    timeoutReason: () => Error,
    clock: Clock,
    due: number,
  ) {
    this.#resolve = resolve;
    this.controller = controller;
    this.#timeoutReason = timeoutReason;
    this.#clock = clock;
    this.#due = due;
  }

  // An answer handled at or after the deadline is too late, whichever callback a process that
  // was stalled past both happens to run first: the timeout wins, as it does at equal instants.
  // Settled already (a timeout, an abort): a late answer is ignored. The transport's callback
  // form calls these two as methods (the attempt is its sink: no closures per probe).
  resolve(response: ProbeResponse): void {
    if (this.#resolve === undefined) return;
    if (this.#clock.now >= this.#due) this.onDeadline();
    else this.settle(statusOutcome(response.status));
  }

  reject(error: unknown): void {
    if (this.#resolve === undefined) return;
    if (this.#clock.now >= this.#due) this.onDeadline();
    else this.settle(outcomeOfError(error));
  }
  /** Also reached from a late answer, before the deadline's own timer ran. */
  onDeadline(): void {
    this.abortWith(this.#timeoutReason(), TIMEOUT);
  }

  /**
   * Settles with `outcome` and aborts the request with `reason`. Settled *before* the abort: a
   * transport that rejects at once on abort (ours do, synchronously) is then ignored, and the
   * loop goes on only once the abort is done, never from inside the signal's listeners.
   */
  abortWith(reason: unknown, outcome: ProbeOutcome): void {
    const resolve = this.#take();
    if (resolve === undefined) return;
    this.controller.abort(reason);
    this.#deliver(resolve, outcome);
  }

  /** A late answer (after a timeout or an abort) finds the attempt settled and is ignored. */
  settle(outcome: ProbeOutcome): void {
    const resolve = this.#take();
    if (resolve !== undefined) this.#deliver(resolve, outcome);
  }

  #take(): ((outcome: ProbeOutcome) => void) | undefined {
    const resolve = this.#resolve;
    if (resolve === undefined) return undefined;
    this.#resolve = undefined;
    this.deadline?.cancel();
    this.deadline = undefined;
    return resolve;
  }

  #deliver(resolve: (outcome: ProbeOutcome) => void, outcome: ProbeOutcome): void {
    if (this.starting) queueMicrotask(() => resolve(outcome));
    else resolve(outcome);
  }
}

/**
 * Runs a check's probes, one at a time: a GET through the transport, bounded by the request
 * timeout on the clock.
 *
 * Mirrors fasthttp's `DoTimeout`: when the deadline passes the probe is a timeout at once, even
 * if the transport has not settled (its request is aborted and its late answer ignored). The
 * deadline timer is armed before the request starts, so on a virtual clock a response due at
 * the very instant of the deadline loses, as it does against Dapr. A timeout of 0 fails at once
 * and an unparsable address fails without a request, as in Dapr.
 *
 * Consecutive probes share one request object and `AbortSignal` until a probe is aborted (a
 * timeout), then get fresh ones: at a thousand probes a second, a new `AbortController` per
 * probe was the largest cost of ours (see docs/decisions/0003-checker-hot-path.md).
 */
export class ProbeRunner {
  readonly #transport: Transport;
  /** The transport's callback form, when it has one (probekit's own HTTP transports do). */
  readonly #withCallbacks: ProbeWithCallbacks | undefined;
  readonly #url: string;
  readonly #timeout: number;
  readonly #clock: Clock;
  /** Parsed once: the address never changes during a check. */
  readonly #urlIsValid: boolean;
  #attempt: Attempt | undefined;
  #outgoing: Outgoing | undefined;
  /** The request timeout's timer, armed by each attempt in turn (settling cancels it). */
  readonly #timeoutTimer: RearmableDeadline;
  readonly #timeoutReason = () =>
    transportError('timeout', `Probe of ${this.#url} timed out after ${this.#timeout} ms.`);

  /** A timeout of 0 means none at all (Dapr v0.6's net/http client, fasthttp ≥ 1.39) instead of failing unsent. */
  readonly #zeroIsNone: boolean;

  constructor(transport: Transport, url: string, timeout: number, clock: Clock, zeroIsNone = false) {
    this.#transport = transport;
    this.#withCallbacks = (transport as { [PROBE_WITH_CALLBACKS]?: ProbeWithCallbacks })[
      PROBE_WITH_CALLBACKS
    ];
    this.#url = url;
    this.#timeout = timeout;
    this.#clock = clock;
    this.#urlIsValid = URL.canParse(url);
    this.#zeroIsNone = zeroIsNone && timeout <= 0;
    this.#timeoutTimer = rearmableDeadline(clock, () => this.#attempt?.onDeadline());
  }

  /** Runs one probe. Only one may run at a time. */
  run(): Promise<ProbeOutcome> {
    return new Promise<ProbeOutcome>((resolve) => this.start(resolve));
  }

  /**
   * Runs one probe and calls `done` with its outcome, once: the checker's hot path (no promise
   * of its own). `done` is never called synchronously from `start`: an outcome known at once (a
   * zero timeout, a bad address) comes in a microtask, as an awaited result would.
   */
  start(done: (outcome: ProbeOutcome) => void): void {
    if (this.#timeout <= 0 && !this.#zeroIsNone) {
      queueMicrotask(() => done(TIMEOUT));
      return;
    }
    if (!this.#urlIsValid) {
      queueMicrotask(() => done(INVALID_URL));
      return;
    }
    let outgoing = this.#outgoing;
    if (!outgoing || outgoing.controller.signal.aborted) {
      const controller = new AbortController();
      const request = Object.freeze({ url: this.#url, timeout: this.#timeout, signal: controller.signal });
      outgoing = { controller, request };
      this.#outgoing = outgoing;
    }
    const { controller, request } = outgoing;
    const due = this.#zeroIsNone ? Number.POSITIVE_INFINITY : this.#clock.now + this.#timeout;
    const attempt = new Attempt(done, controller, this.#timeoutReason, this.#clock, due);
    this.#attempt = attempt;
    if (!this.#zeroIsNone) {
      attempt.deadline = this.#timeoutTimer;
      this.#timeoutTimer.arm(due);
    }
    const withCallbacks = this.#withCallbacks;
    if (withCallbacks !== undefined) {
      // No promise: the transport calls the attempt back (`starting` defers an answer that
      // comes before this call returns, so `done` never runs inside start()).
      attempt.starting = true;
      try {
        withCallbacks(request, attempt);
      } catch (error) {
        attempt.reject(error);
      } finally {
        attempt.starting = false;
      }
      return;
    }
    let pending: Promise<ProbeResponse>;
    try {
      pending = this.#transport(request);
    } catch (error) {
      // Settled in a microtask, as a rejected promise would be: `done` never runs inside start().
      queueMicrotask(() => attempt.reject(error));
      return;
    }
    pending.then(
      (response) => attempt.resolve(response),
      (error: unknown) => attempt.reject(error),
    );
  }

  /**
   * Abandons the probe in flight (on stop): its request is aborted with `reason` and it settles
   * at once, even if the transport ignores the abort.
   */
  abort(reason: unknown): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (!attempt) return;
    attempt.abortWith(reason, outcomeOfError(reason));
    // Settled already, it may still be reading a body (`settleAt: 'headers'`): end that too.
    attempt.controller.abort(reason);
  }
}
