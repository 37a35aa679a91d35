import type { ClientRules } from '../../checker/profiles/client.js';
import type { LoopCommand, LoopEvent, LoopMachine } from '../../checker/profiles/loop.js';
import type { Decision } from '../../endpoint/engine/decision.js';
import type { ScriptPlayer } from '../../endpoint/engine/player.js';
import { MAX_DURATION_MS } from '../../time/duration.js';
import type { ScenarioOptions, Trace, TraceOutcome, TraceProbe, TraceSignal } from '../types.js';
import { EventQueue } from './event-queue.js';
import { outcomeOfDecision } from './outcomes.js';

/** The run's shape and the profile's parts, all whole milliseconds. */
export interface ProfileRunSettings {
  readonly loop: LoopMachine;
  readonly client: ClientRules;
  readonly requestTimeout: number;
  /** The status a success needs, under an exact-match client. */
  readonly successStatusCode: number;
  /** The channel's capacity: 1 (Dapr ≤ v1.12), 0 (v1.13, unbuffered) or Infinity (a callback). */
  readonly channelCapacity: number;
  /** When the consumer starts reading; 0 reads from the start. */
  readonly readDelay: number;
  readonly duration: number;
  /** The path every probe requests. */
  readonly path: string;
  /** How long the endpoint keeps an idle keep-alive connection open (Infinity: for ever). */
  readonly idleTimeout: number;
  /** Copied into the trace, for renderers. */
  readonly options: ScenarioOptions;
}

// Event kinds: one per timer a Go program (or the async checker) would have.
const DELAY_END = 0;
const READ_START = 1;
const TICK = 2;
const DEADLINE = 3;
const ANSWER = 4;

/** The origin redirects are resolved against (never contacted: the player answers). */
const ORIGIN = 'http://endpoint.invalid';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A keep-alive connection: free from `availableAt`, closed by the server at `closesAt`. */
interface Connection {
  readonly availableAt: number;
  readonly closesAt: number;
}

/** One probe in flight, and its current request. */
interface Flight {
  readonly probe: TraceProbe;
  readonly deadline: number;
  requests: number;
  hops: number;
  path: string;
  reused: boolean;
  /** When the current request's outcome is known, and what it is. */
  answerAt: number;
  outcome: TraceOutcome;
  status: number;
  /** What the current request does after its outcome: settle, follow a redirect, or retry. */
  next: 'settle' | 'redirect' | 'retry';
  location: string;
  /** When the response's body ends (the connection is free again), or -1 when it is not kept. */
  keepUntil: number;
}

/** A value on its way to the reader: its sender, and when it was sent. */
interface Pending {
  readonly value: boolean;
  readonly emittedAt: number;
  readonly blocking: boolean;
}

/**
 * A profile's loop machine driven by a queue of timed events, against the scenario's endpoint:
 * the virtual-time driver of every Dapr profile (docs/decisions/0016-dapr-profiles.md). The
 * machine decides; this carries its commands out the way Go would: a ticker with a slot of one
 * (later ticks dropped while one waits), sleeps, probes (one at a time, or overlapping for a
 * goroutine-per-tick loop) through the profile's client rules, and a channel of the profile's
 * capacity with a reader that starts at `readDelay`.
 *
 * For `dapr-1.0` it gives the trace of the reference's own event machine event for event
 * (test/scenario/profile-runner.test.ts): the same creation order of events, so the same ties.
 */
export class ProfileRunner {
  readonly #settings: ProfileRunSettings;
  readonly #player: ScriptPlayer;
  readonly #loop: LoopMachine;
  readonly #queue = new EventQueue();
  #now = 0;
  #started = false;
  #ended = false;
  // The ticker: ticks at origin + k·period; `#slot` is the waiting tick's due time, or -1.
  #tickerOn = false;
  #tickerGeneration = 0;
  #origin = 0;
  #period = 1;
  #nextTick = 1;
  #slot = -1;
  #waitingTick = false;
  // Probes in flight, by index.
  readonly #flights = new Map<number, Flight>();
  // The channel and its reader.
  #reading = false;
  readonly #buffer: Pending[] = [];
  readonly #senders: Pending[] = [];
  // Idle keep-alive connections, most recently freed last.
  readonly #idle: Connection[] = [];
  // What the trace records.
  #delayEnd: number | undefined;
  readonly #probes: TraceProbe[] = [];
  readonly #signals: TraceSignal[] = [];
  readonly #delivered: number[] = [];
  readonly #dropped: number[] = [];
  readonly #blockedPeriods: Array<{ from: number; to?: number }> = [];
  /** Probes failed without a request: marked `sent: false` in the trace (last, as the reference does). */
  readonly #unsent: TraceProbe[] = [];

  constructor(settings: ProfileRunSettings, player: ScriptPlayer) {
    this.#settings = settings;
    this.#player = player;
    this.#loop = settings.loop;
  }

  /** The simulation time (ms since the check started). */
  get now(): number {
    return this.#now;
  }

  /** Runs to the end and returns the trace. Call once. */
  run(): Trace {
    this.advance(Number.POSITIVE_INFINITY);
    return this.trace();
  }

  /** Processes at most `maxEvents` events; `true` once the run has reached its end. */
  advance(maxEvents: number): boolean {
    if (this.#ended) return true;
    const { readDelay, duration } = this.#settings;
    const queue = this.#queue;
    if (!this.#started) {
      this.#started = true;
      // A reader from the start is there before the loop's first send (v1.13 and the app health
      // checker probe at once); a later one's timer comes after the checker's, as in the async run.
      if (readDelay <= 0) this.#reading = true;
      this.#handle({ kind: 'start' });
      if (readDelay > 0) this.#schedule(readDelay, READ_START, 0);
    }
    for (let budget = maxEvents; budget > 0 && queue.peekAt() <= duration; budget--) {
      queue.pop();
      this.#now = queue.at;
      this.#dispatch(queue.kind, queue.data);
    }
    if (queue.peekAt() <= duration) return false;
    this.#ended = true;
    this.#now = duration;
    // Stopping settles the ticks that came due unread.
    if (this.#tickerOn) this.#settle(this.#waitingTick);
    return true;
  }

  #dispatch(kind: number, data: number): void {
    switch (kind) {
      case DELAY_END:
        this.#delayEnd = this.#now;
        this.#handle({ kind: 'delay-end' });
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
        if (!this.#waitingTick || data !== this.#tickerGeneration) return;
        if (this.#settle(true)) {
          this.#waitingTick = false;
          this.#handle({ kind: 'tick' });
        } else this.#queue.push(this.#due(this.#nextTick), TICK, this.#tickerGeneration);
        return;
      case DEADLINE: {
        const flight = this.#flights.get(data);
        if (flight) this.#finish(flight, 'timeout', -1, -1);
        return;
      }
      case ANSWER: {
        const flight = this.#flights.get(data);
        if (!flight) return;
        if (this.#now < flight.answerAt) this.#schedule(flight.answerAt, ANSWER, data);
        else this.#answered(flight);
        return;
      }
      default:
        throw new RangeError(`Failed to simulate: unknown event kind ${kind}.`);
    }
  }

  /** Hands the loop an event and carries out what it asks, in order. */
  #handle(event: LoopEvent): void {
    const commands = this.#loop.on(event);
    for (const command of commands) this.#perform(command);
  }

  #perform(command: LoopCommand): void {
    switch (command.kind) {
      case 'ticker':
        this.#tickerOn = true;
        this.#tickerGeneration++;
        this.#origin = this.#now;
        this.#period = command.period;
        this.#nextTick = 1;
        this.#slot = -1;
        return;
      case 'sleep':
        this.#queue.push(this.#now + command.ms, DELAY_END, 0);
        return;
      case 'wait-tick':
        this.#readTicker();
        return;
      case 'probe':
        this.#startProbe();
        return;
      case 'send':
        this.#send(command.value, command.blocking);
        return;
    }
  }

  #due(index: number): number {
    return this.#origin + index * this.#period;
  }

  /** Schedules at `at`, through a chain of timers no longer than the longest one, as atDeadline does. */
  #schedule(at: number, kind: number, data: number): void {
    const wait = at - this.#now;
    this.#queue.push(wait > MAX_DURATION_MS ? this.#now + MAX_DURATION_MS : at, kind, data);
  }

  /**
   * Processes every tick due by now, in order: the first to a waiting reader if there is one,
   * else into the empty slot; the rest are dropped. Returns whether the waiting reader got one.
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
    let index = Math.max(this.#nextTick, Math.floor((now - this.#origin) / this.#period));
    while (this.#due(index + 1) <= now) index++;
    while (index > this.#nextTick && this.#due(index) > now) index--;
    return index;
  }

  /** The loop reads the ticker: a waiting tick at once, else it waits for the next one. */
  #readTicker(): void {
    this.#settle(false);
    if (this.#slot >= 0) {
      this.#slot = -1;
      this.#handle({ kind: 'tick' });
      return;
    }
    this.#waitingTick = true;
    this.#queue.push(this.#due(this.#nextTick), TICK, this.#tickerGeneration);
  }

  #startProbe(): void {
    const now = this.#now;
    const probe: TraceProbe = { index: this.#probes.length, start: now };
    this.#probes.push(probe);
    const { requestTimeout, client } = this.#settings;
    const timed = requestTimeout > 0 || client.zeroTimeout === 'fail-unsent';
    const flight: Flight = {
      probe,
      deadline: timed ? now + requestTimeout : Number.POSITIVE_INFINITY,
      requests: 0,
      hops: 0,
      path: this.#settings.path,
      reused: false,
      answerAt: 0,
      outcome: '',
      status: -1,
      next: 'settle',
      location: '',
      keepUntil: -1,
    };
    this.#flights.set(probe.index, flight);
    if (requestTimeout <= 0 && timed) {
      // A timeout of 0 fails at once and sends nothing (an expired deadline or context).
      this.#unsent.push(probe);
      this.#finish(flight, 'timeout', -1, -1);
      return;
    }
    // The deadline's timer is made before the request: it wins a tie with the answer.
    if (timed) this.#queue.push(flight.deadline, DEADLINE, probe.index);
    const connection = this.#takeConnection();
    if (connection === 'dead') {
      // fasthttp writes into the connection the server closed and fails without a retry.
      this.#unsent.push(probe);
      this.#finish(flight, 'closed', -1, -1);
      return;
    }
    flight.reused = connection === 'reused';
    this.#request(flight);
  }

  /** A keep-alive connection for the next request: a reused one, a new one, or a dead one. */
  #takeConnection(): 'reused' | 'new' | 'dead' {
    const idle = this.#idle;
    if (this.#settings.client.connections === 'new-per-probe') return 'new';
    const now = this.#now;
    for (let index = idle.length - 1; index >= 0; index--) {
      const connection = idle[index] as Connection;
      if (connection.availableAt > now) continue;
      idle.splice(index, 1);
      // Idle longer than the client keeps one: it closed it itself, and dials a new one.
      if (now - connection.availableAt > this.#settings.client.idleTimeout) return 'new';
      if (connection.closesAt > now) return 'reused';
      // net/http notices a closed idle connection (or retries on a new one): the server sees one request.
      return this.#settings.client.reusedConnectionFailure === 'fail' ? 'dead' : 'new';
    }
    return 'new';
  }

  /** Sends the flight's current request to the endpoint and schedules its outcome. */
  #request(flight: Flight): void {
    const now = this.#now;
    flight.requests++;
    const reception = this.#player.receive('GET', flight.path, now);
    if (reception.refused) {
      this.#finish(flight, 'refused', -1, -1);
      return;
    }
    const decision = reception.decision;
    if (decision.action === 'hang') return;
    const { client } = this.#settings;
    const status = decision.action === 'respond' ? decision.status : -1;
    flight.outcome = outcomeOfDecision(decision);
    flight.status = status;
    flight.next = 'settle';
    const bodyEnd = now + decision.delay + (decision.dribble ? decision.over : 0);
    let wait =
      decision.delay +
      (decision.dribble === 'headers' || client.settleAt === 'body' ? decisionOver(decision) : 0);
    flight.keepUntil = status >= 0 && (!client.bodyUnread || emptyBody(decision)) ? bodyEnd : -1;
    if (
      flight.reused &&
      client.reusedConnectionFailure === 'retry' &&
      (decision.action === 'reset' || decision.action === 'close')
    ) {
      // net/http sends a GET again when a reused connection fails before the first byte.
      flight.next = 'retry';
      wait = decision.delay;
    } else if (status >= 0 && client.followRedirects > 0 && REDIRECTS.has(status)) {
      const location = locationOf(decision);
      if (location !== undefined) {
        flight.next = 'redirect';
        flight.location = location;
      }
    }
    if (wait === 0) {
      this.#answered(flight);
      return;
    }
    flight.answerAt = now + wait;
    this.#schedule(flight.answerAt, ANSWER, flight.probe.index);
  }

  /** The current request's outcome is known: settle, or go on to the next request. */
  #answered(flight: Flight): void {
    switch (flight.next) {
      case 'retry':
        flight.reused = false;
        this.#request(flight);
        return;
      case 'redirect': {
        // Go's CheckRedirect refuses once `via` (the requests sent) holds 10: "stopped after 10
        // redirects", so a probe sends at most `followRedirects` requests.
        if (flight.hops + 1 >= this.#settings.client.followRedirects) {
          this.#finish(flight, 'error:ERR_TOO_MANY_REDIRECTS', -1, -1);
          return;
        }
        const target = new URL(flight.location.replaceAll('{origin}', ORIGIN), ORIGIN + flight.path);
        if (target.origin !== ORIGIN) {
          this.#finish(flight, 'error:REDIRECT_OFF_ORIGIN', -1, -1);
          return;
        }
        flight.hops++;
        flight.path = target.pathname;
        flight.reused = false;
        this.#request(flight);
        return;
      }
      case 'settle':
        this.#finish(flight, flight.outcome, flight.status, flight.keepUntil);
        return;
    }
  }

  /** Probe `flight` ended: `status` is the answer's, or -1; `keepUntil` frees its connection then (-1: closed). */
  #finish(flight: Flight, outcome: TraceOutcome, status: number, keepUntil: number): void {
    const probe = flight.probe;
    this.#flights.delete(probe.index);
    const now = this.#now;
    const { client, idleTimeout } = this.#settings;
    // A body still arriving at the deadline is cut: its connection is closed.
    if (keepUntil >= 0 && keepUntil < flight.deadline && client.connections === 'keep-alive') {
      this.#idle.push({ availableAt: keepUntil, closesAt: keepUntil + idleTimeout });
      if (this.#idle.length > 5) this.#idle.shift();
    }
    const result = { status: status >= 0 ? status : undefined };
    probe.end = now;
    probe.outcome = outcome;
    if (flight.requests > 1) probe.requests = flight.requests;
    probe.success =
      status >= 0 &&
      (client.success === '2xx'
        ? status >= 200 && status < 300
        : status === this.#settings.successStatusCode);
    const commands = this.#loop.on({ kind: 'probe-end', probe: probe.index, result });
    probe.failureCount = this.#loop.failureCount;
    for (const command of commands) this.#perform(command);
  }

  /** Sends on the channel: to the reader, into the buffer, or waits (the loop too when `blocking`). */
  #send(value: boolean, blocking: boolean): void {
    const pending: Pending = { value, emittedAt: this.#now, blocking };
    const capacity = this.#settings.channelCapacity;
    if (this.#reading && this.#buffer.length === 0 && this.#senders.length === 0) {
      this.#deliver(pending);
      if (blocking) this.#handle({ kind: 'sent' });
      return;
    }
    if (this.#buffer.length < capacity && this.#senders.length === 0) {
      this.#buffer.push(pending);
      if (blocking) this.#handle({ kind: 'sent' });
      return;
    }
    this.#senders.push(pending);
    if (blocking) this.#blockedPeriods.push({ from: this.#now });
  }

  /** The reader takes everything there is; a blocked loop goes on once its value is taken. */
  #drain(): void {
    let unblocked = false;
    for (;;) {
      const fromBuffer = this.#buffer.shift();
      if (fromBuffer) {
        // A waiting sender moves into the freed slot.
        const sender = this.#senders.shift();
        if (sender) {
          this.#buffer.push(sender);
          if (sender.blocking) unblocked = true;
        }
        this.#deliver(fromBuffer);
        continue;
      }
      const sender = this.#senders.shift();
      if (!sender) break;
      if (sender.blocking) unblocked = true;
      this.#deliver(sender);
    }
    if (unblocked) {
      const open = this.#blockedPeriods.at(-1);
      if (open) open.to = this.#now;
      this.#handle({ kind: 'sent' });
    }
  }

  #deliver(pending: Pending): void {
    const at = this.#now;
    const emittedAt = pending.emittedAt;
    this.#signals.push(
      emittedAt === at ? { at, value: pending.value } : { at, value: pending.value, emittedAt },
    );
  }

  /** The trace, in the reference's shape and key order. */
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
    if (this.#tickerOn) trace.ticks = { delivered: this.#delivered, dropped: this.#dropped };
    if (this.#blockedPeriods.length) trace.blocked = this.#blockedPeriods;
    trace.options = options;
    return trace;
  }
}

/** The part of a decision that dribbles (0 when nothing does). */
function decisionOver(decision: Decision): number {
  return decision.dribble ? decision.over : 0;
}

function emptyBody(decision: Decision): boolean {
  return decision.dribble !== 'body' && (decision.body === undefined || decision.body === '');
}

/** The decision's `Location` header, whatever its case. */
function locationOf(decision: Decision): string | undefined {
  const headers = decision.headers;
  if (!headers) return undefined;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'location') return headers[name];
  }
  return undefined;
}
