import { step } from '../../checker/counter.js';
import { decisionDuration } from '../../endpoint/engine/decision.js';
import type { ScriptPlayer } from '../../endpoint/engine/player.js';
import { MAX_DURATION_MS } from '../../time/duration.js';
import type { ScenarioOptions, Trace, TraceOutcome, TraceProbe, TraceSignal } from '../types.js';
import { EventQueue } from './event-queue.js';
import { outcomeOfDecision } from './outcomes.js';

/** The checker settings and the run's shape, all whole milliseconds. */
export interface MachineSettings {
  readonly initialDelay: number;
  readonly interval: number;
  readonly requestTimeout: number;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
  /** When the consumer starts reading; 0 reads from the start (no timer, as in the async run). */
  readonly readDelay: number;
  readonly duration: number;
  /** The path every probe requests. */
  readonly path: string;
  /** Copied into the trace, for renderers. */
  readonly options: ScenarioOptions;
}

// Event kinds: one per timer the async checker (and its reader) would create.
const DELAY_END = 0;
const READ_START = 1;
const TICK = 2;
const DEADLINE = 3;
const ANSWER = 4;

// Where the loop is (the async checker's LoopPhase, minus `stopped`).
const IN_DELAY = 0;
const WAITING = 1;
const PROBING = 2;
const BLOCKED = 3;

/**
 * Dapr v1.0's loop as a state machine stepped by a queue of timed events, with no timers and
 * no promises: the same run `simulate()` makes through the async checker on a fake-timers
 * clock, event for event.
 *
 * Why it matches (docs/decisions/0010-discrete-event-simulator.md):
 * - an event is scheduled exactly where the async run creates a timer (the initial delay, the
 *   reader's delay, the ticker's wait, a probe's deadline, then its answer), and same-instant
 *   events come out in that order, as fake-timers fires same-instant timers by creation;
 * - everything a timer starts happens at that instant before the next timer (fake-timers'
 *   `tickAsync` lets promises settle between timers), so each event runs to quiescence here;
 * - ticks are settled lazily, as `Ticker` does: every tick due by the instant the loop reads
 *   the ticker is delivered, kept or dropped first (a tick comes first at equal instants);
 * - a probe's deadline is scheduled before its answer, so a timeout wins a tie;
 * - the reader drains the channel before the loop it unblocked goes on (its promise chain is
 *   shorter than the loop's).
 */
export class CheckerMachine {
  readonly #settings: MachineSettings;
  readonly #player: ScriptPlayer;
  readonly #queue = new EventQueue();
  #now = 0;
  #started = false;
  #ended = false;
  #phase = IN_DELAY;
  #failureCount = 0;
  // Ticker: ticks are due at k·interval; `#slot` is the due time of the waiting tick, or -1.
  #nextTick = 1;
  #slot = -1;
  // The probe in flight.
  #probe: TraceProbe | undefined;
  #answerAt = 0;
  #answer: TraceOutcome = '';
  /** The answer's status, or -1 for a fault. */
  #answerStatus = -1;
  // The channel of one, and the reader.
  #reading = false;
  #bufferFull = false;
  #bufferValue = false;
  #senderBlocked = false;
  #blockedValue = false;
  // What the trace records.
  #delayEnd: number | undefined;
  readonly #probes: TraceProbe[] = [];
  readonly #signals: TraceSignal[] = [];
  readonly #emitted: number[] = [];
  readonly #delivered: number[] = [];
  readonly #dropped: number[] = [];
  readonly #blocked: Array<{ from: number; to?: number }> = [];
  readonly #unsent: TraceProbe[] = [];

  constructor(settings: MachineSettings, player: ScriptPlayer) {
    this.#settings = settings;
    this.#player = player;
  }

  /** The simulation time (ms since the check started). */
  get now(): number {
    return this.#now;
  }

  /** Runs to `duration` and returns the trace `simulate()` records. Call once. */
  run(): Trace {
    this.advance(Number.POSITIVE_INFINITY);
    return this.trace();
  }

  /**
   * Processes at most `maxEvents` events; returns `true` once the run has reached its end
   * (then {@link trace} may be read). Lets a caller yield to the event loop between slices.
   */
  advance(maxEvents: number): boolean {
    if (this.#ended) return true;
    const { initialDelay, readDelay, duration } = this.#settings;
    const queue = this.#queue;
    if (!this.#started) {
      this.#started = true;
      // The same creation order as the async run: the checker's sleep, then the reader's.
      queue.push(initialDelay, DELAY_END, 0);
      if (readDelay > 0) this.#schedule(readDelay, READ_START, 0);
      else this.#reading = true;
    }
    for (let budget = maxEvents; budget > 0 && queue.peekAt() <= duration; budget--) {
      queue.pop();
      this.#now = queue.at;
      this.#dispatch(queue.kind, queue.data);
    }
    if (queue.peekAt() <= duration) return false;
    this.#ended = true;
    this.#now = duration;
    // stop() settles the ticks that came due unread before it ends the loop.
    this.#settle(this.#phase === WAITING);
    return true;
  }

  #dispatch(kind: number, data: number): void {
    switch (kind) {
      case DELAY_END:
        this.#delayEnd = this.#now;
        this.#readTicker();
        return;
      case READ_START:
        if (this.#now < this.#settings.readDelay) {
          this.#schedule(this.#settings.readDelay, READ_START, 0);
          return;
        }
        this.#reading = true;
        this.#drain();
        return;
      case TICK:
        if (this.#phase !== WAITING) return;
        if (this.#settle(true)) this.#startProbe();
        else this.#queue.push(this.#due(this.#nextTick), TICK, 0);
        return;
      case DEADLINE:
        if (this.#probe?.index === data) this.#finish('timeout', -1);
        return;
      case ANSWER:
        if (this.#probe?.index !== data) return;
        // A wait longer than the longest timer is reached through a chain, as atDeadline does.
        if (this.#now < this.#answerAt) this.#schedule(this.#answerAt, ANSWER, data);
        else this.#finish(this.#answer, this.#answerStatus);
        return;
      default:
        throw new RangeError(`Failed to simulate: unknown event kind ${kind}.`);
    }
  }

  #due(index: number): number {
    return index * this.#settings.interval;
  }

  /** Schedules at `at`, through a chain of timers no longer than the longest one, as atDeadline does. */
  #schedule(at: number, kind: number, data: number): void {
    const wait = at - this.#now;
    this.#queue.push(wait > MAX_DURATION_MS ? this.#now + MAX_DURATION_MS : at, kind, data);
  }

  /**
   * Processes every tick due by now, in order (Ticker.#settle): the first goes to a waiting
   * reader if there is one, else into the empty slot; the rest are dropped. Returns whether the
   * waiting reader got one.
   */
  #settle(waiting: boolean): boolean {
    const now = this.#now;
    if (this.#due(this.#nextTick) > now) return false;
    const last = this.#lastDueIndex(now);
    let handed = false;
    for (let index = this.#nextTick; index <= last; index++) {
      const due = this.#due(index);
      if (waiting && !handed && this.#slot < 0) {
        handed = true;
        this.#delivered.push(due);
      } else if (this.#slot < 0) {
        this.#slot = due;
        this.#delivered.push(due);
      } else {
        this.#dropped.push(due);
      }
    }
    this.#nextTick = last + 1;
    return handed;
  }

  #lastDueIndex(now: number): number {
    const interval = this.#settings.interval;
    let index = Math.max(this.#nextTick, Math.floor(now / interval));
    while (this.#due(index + 1) <= now) index++;
    while (index > this.#nextTick && this.#due(index) > now) index--;
    return index;
  }

  /** The loop reads the ticker: a waiting tick at once, else it waits for the next one. */
  #readTicker(): void {
    this.#phase = WAITING;
    this.#settle(false);
    if (this.#slot >= 0) {
      this.#slot = -1;
      this.#startProbe();
      return;
    }
    this.#queue.push(this.#due(this.#nextTick), TICK, 0);
  }

  #startProbe(): void {
    this.#phase = PROBING;
    const now = this.#now;
    const probe: TraceProbe = { index: this.#probes.length, start: now };
    this.#probes.push(probe);
    this.#probe = probe;
    const { requestTimeout, path } = this.#settings;
    if (requestTimeout <= 0) {
      // Mirrors Dapr: a timeout of 0 fails at once and sends nothing.
      this.#unsent.push(probe);
      this.#finish('timeout', -1);
      return;
    }
    // The deadline's timer is created before the request starts: it wins a tie with the answer.
    this.#queue.push(now + requestTimeout, DEADLINE, probe.index);
    const reception = this.#player.receive('GET', path, now);
    if (reception.refused) {
      this.#finish('refused', -1);
      return;
    }
    const decision = reception.decision;
    if (decision.action === 'hang') return;
    const outcome = outcomeOfDecision(decision);
    const status = decision.action === 'respond' ? decision.status : -1;
    const wait = decisionDuration(decision);
    if (wait === 0) {
      this.#finish(outcome, status);
      return;
    }
    this.#answer = outcome;
    this.#answerStatus = status;
    this.#answerAt = now + wait;
    this.#schedule(this.#answerAt, ANSWER, probe.index);
  }

  /** The probe in flight ended with `outcome`; `status` is the answer's, or -1 for a failure without one. */
  #finish(outcome: TraceOutcome, status: number): void {
    const probe = this.#probe as TraceProbe;
    this.#probe = undefined;
    const success = status === this.#settings.successStatusCode;
    const next = step({ failureCount: this.#failureCount }, success, this.#settings.failureThreshold);
    this.#failureCount = next.state.failureCount;
    probe.end = this.#now;
    probe.outcome = outcome;
    probe.success = success;
    probe.failureCount = next.state.failureCount;
    if (next.signal === undefined) this.#readTicker();
    else this.#send(next.signal);
  }

  /** Sends into the channel of one: to the waiting reader, into the buffer, or block the loop. */
  #send(value: boolean): void {
    this.#emitted.push(this.#now);
    if (!this.#bufferFull) {
      if (this.#reading) this.#deliver(value);
      else {
        this.#bufferFull = true;
        this.#bufferValue = value;
      }
      this.#readTicker();
      return;
    }
    this.#phase = BLOCKED;
    this.#blocked.push({ from: this.#now });
    this.#senderBlocked = true;
    this.#blockedValue = value;
  }

  /** The reader takes what the channel holds; a sender it unblocks goes on afterwards. */
  #drain(): void {
    let unblocked = false;
    while (this.#bufferFull) {
      const value = this.#bufferValue;
      if (this.#senderBlocked) {
        this.#senderBlocked = false;
        this.#bufferValue = this.#blockedValue;
        unblocked = true;
      } else {
        this.#bufferFull = false;
      }
      this.#deliver(value);
    }
    if (unblocked) {
      const open = this.#blocked.at(-1);
      if (open) open.to = this.#now;
      this.#readTicker();
    }
  }

  #deliver(value: boolean): void {
    const at = this.#now;
    const emittedAt = this.#emitted[this.#signals.length] ?? at;
    this.#signals.push(emittedAt === at ? { at, value } : { at, value, emittedAt });
  }

  /** The trace in TraceRecorder.finish's shape (and key order), plus simulate()'s `sent: false`. */
  trace(): Trace {
    if (!this.#ended) throw new Error('Failed to read the trace: the simulation has not reached its end.');
    const { duration, options } = this.#settings;
    for (const probe of this.#unsent) probe.sent = false;
    const trace: Trace = {
      source: 'simulate',
      durationMs: duration,
      probes: this.#probes,
      signals: this.#signals,
    };
    if (this.#delayEnd !== undefined) trace.delayEnd = this.#delayEnd;
    trace.ticks = { delivered: this.#delivered, dropped: this.#dropped };
    if (this.#blocked.length) trace.blocked = this.#blocked;
    trace.options = options;
    return trace;
  }
}
