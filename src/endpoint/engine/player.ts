import { describeValue, ProbekitError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import { ANY_PATH, type EndpointDefinition, explainRoute, UNMATCHED_STATUS } from '../script/model.js';
import { refusePassWithoutUpstream } from '../script/pass.js';
import { type EndpointScript, toDefinition } from '../script/schema.js';
import type { Decision } from './decision.js';
import {
  type CompiledEndpoint,
  type Cursor,
  compile,
  decide,
  INITIAL_CURSOR,
  refusal,
  routeFor,
} from './engine.js';
import { Journal, type JournalTicket, MAX_JOURNAL_PATH_CHARS, truncateMarked } from './journal.js';
import { checkSeed } from './rng.js';

/** A received request: its journal index and ticket, and what to do with it. */
export interface Received {
  readonly refused: false;
  /** Its index in the journal (see `JournalEntry.index`). */
  readonly index: number;
  /** Pass this to `journal.settle()`: unlike the index, it stays unique across resets. */
  readonly ticket: JournalTicket;
  readonly decision: Decision;
}

/** A connection nobody is listening for: not received, not journalled. */
export interface Refused {
  readonly refused: true;
}

/** What {@link ScriptPlayer.receive} returns. */
export type Reception = Received | Refused;

const REFUSED: Refused = Object.freeze({ refused: true });

// The schema's path pattern: a URL pathname of safe characters.
const PATH = /^\/[A-Za-z0-9._~%/+!$&'=@-]*$/;

function checkPath(path: unknown): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the endpoint: path ${describeValue(path)} is not a URL path. Write it like "/healthz".`,
    );
  }
  return path;
}

/** Options shared by every backend. */
export interface PlayerOptions {
  readonly clock: Clock;
  /** Seeds the random decisions (default 0): the same seed replays the same decisions. */
  readonly seed?: number;
  /** How many requests the journal keeps (default 10000); older ones are dropped and counted. */
  readonly journalSize?: number;
  /**
   * Play scripts that name no path (one route, `*`) on this path only; scripts that name their
   * paths are played as they are. Applies to every script, including later `setScript()`s.
   */
  readonly path?: string;
  /** Whether `pass` steps have an upstream (only the fault proxy); otherwise a script with `pass` is refused. */
  readonly upstream?: boolean;
}

// Paths are interned so a journal of a million requests to one path keeps one string, not a million.
const MAX_INTERNED = 256;

/**
 * The state of one endpoint, shared by its backends: the definition, each route's cursor, the
 * script's start time, and the journal. Each backend asks it what to do with a request and
 * performs the answer its own way.
 *
 * @example
 * const player = new ScriptPlayer('200, 503...', { clock, seed: 42 });
 * const reception = player.receive('GET', '/healthz', clock.now);
 */
export class ScriptPlayer {
  readonly clock: Clock;
  readonly seed: number;
  readonly journal: Journal;
  #compiled: CompiledEndpoint;
  #cursors: Cursor[];
  #startedAt: number;
  #interned = new Map<string, string>();
  #routesText: string | undefined;
  readonly #path: string | undefined;
  readonly #upstream: boolean;
  #listeners: Array<() => void> = [];

  constructor(script: EndpointScript, options: PlayerOptions) {
    this.clock = options.clock;
    this.seed = checkSeed(options.seed);
    this.journal = new Journal({ capacity: options.journalSize, seed: this.seed });
    this.#path = checkPath(options.path);
    this.#upstream = options.upstream === true;
    this.#compiled = compile(this.#definition(script), this.seed);
    this.#cursors = this.#compiled.routes.map(() => INITIAL_CURSOR);
    this.#startedAt = this.clock.now;
  }

  /** The definition being played (canonical form). */
  get definition(): EndpointDefinition {
    return this.#compiled.definition;
  }

  /** When the script started (clock ms); windows and flaps count from here. */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Decides what to do with a request arriving at `now`, and journals it unless refused. */
  receive(method: string, path: string, now: number): Reception {
    const compiled = this.#compiled;
    const t = now - this.#startedAt;
    if (compiled.mayRefuse && refusal(compiled, this.#cursors, t).refusing) return REFUSED;
    const route = routeFor(compiled, path, method);
    if (route === undefined) {
      const decision = this.#unmatched(method, path);
      const ticket = this.journal.record(now, method, this.#intern(path), decision, -1);
      return { refused: false, index: this.journal.total - 1, ticket, decision };
    }
    const outcome = decide(route, this.#cursors[route.index] as Cursor, t, this.seed);
    this.#cursors[route.index] = outcome.cursor;
    if (outcome.refused) return REFUSED;
    const stored = path === route.route.path ? route.route.path : this.#intern(path);
    const ticket = this.journal.record(now, method, stored, outcome.decision, outcome.position);
    if (compiled.mayRefuse) this.#changed();
    return { refused: false, index: this.journal.total - 1, ticket, decision: outcome.decision };
  }

  /** Whether connections are refused at `now`, and when that may change next (clock ms). */
  refusal(now: number): { refusing: boolean; changesAt: number } {
    const t = now - this.#startedAt;
    const answer = refusal(this.#compiled, this.#cursors, t);
    return { refusing: answer.refusing, changesAt: answer.changesAt + this.#startedAt };
  }

  /**
   * Replaces the script: cursors and the time origin restart now (or at `startedAt`, an instant
   * on this clock not in the future: a process protocol starts the script when the checker says it
   * started, which its line reports after the fact); the journal goes on.
   */
  setScript(script: EndpointScript, { startedAt }: { startedAt?: number } = {}): EndpointDefinition {
    const compiled = compile(this.#definition(script), this.seed);
    this.#compiled = compiled;
    this.#restart(startedAt === undefined ? undefined : Math.min(startedAt, this.clock.now));
    return compiled.definition;
  }

  /** Restarts the script and clears the journal (request indices count from 0 again). */
  reset(): void {
    this.journal.clear();
    this.#restart();
  }

  /** Calls `listener` whenever refusing may have changed without a timer (a request, a new script). */
  onChange(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  #definition(script: EndpointScript): EndpointDefinition {
    const definition = toDefinition(script);
    if (!this.#upstream) refusePassWithoutUpstream(definition);
    const [only, ...more] = definition.routes;
    if (this.#path === undefined || only === undefined || more.length > 0 || only.path !== ANY_PATH) {
      return definition;
    }
    return { routes: [{ ...only, path: this.#path }] };
  }

  #restart(startedAt = this.clock.now): void {
    this.#routesText = undefined;
    this.#cursors = this.#compiled.routes.map(() => INITIAL_CURSOR);
    this.#startedAt = startedAt;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  #intern(path: string): string {
    const known = this.#interned.get(path);
    if (known !== undefined) return known;
    // A long path is cut (copied) by the journal anyway: keeping it here would pin 15 KB strings.
    if (this.#interned.size < MAX_INTERNED && path.length <= MAX_JOURNAL_PATH_CHARS)
      this.#interned.set(path, path);
    return path;
  }

  #unmatched(method: string, path: string): Decision {
    this.#routesText ??= [
      'Configured routes:',
      ...this.#compiled.definition.routes.map((route) => `  ${explainRoute(route)}`),
      '',
    ].join('\n');
    // One short line per request, joined with `+` to the shared route list: V8 keeps the list
    // once (a cons string), not once per journalled request.
    const body =
      `probekit mock: no route matches ${truncateMarked(method, 64)} ${truncateMarked(path)} (request #${this.journal.total}, seed ${this.seed}).\n` +
      this.#routesText;
    return {
      action: 'respond',
      status: UNMATCHED_STATUS,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      delay: 0,
      dribble: undefined,
      over: 0,
      source: 'unmatched',
      route: '',
    };
  }
}
