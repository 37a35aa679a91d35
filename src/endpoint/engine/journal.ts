import { describeValue, ProbekitError } from '../../errors.js';
import { type Decision, explainDecision } from './decision.js';

/** What became of a journalled request. */
export type Fate =
  /** Still being answered (a delay running, a hang, a dribble). */
  | 'pending'
  /** The endpoint did what it decided (sent the response, or performed the fault). */
  | 'completed'
  /** The client gave up first (aborted, or closed the connection). */
  | 'aborted';

/** What the upstream did for a `pass` (fault proxy only). */
export interface UpstreamRecord {
  /** The upstream's status, or `undefined` when it gave no response. */
  readonly status: number | undefined;
  /** ms from forwarding the request to the upstream's response head (or to its failure). */
  readonly ms: number;
  /** Why there was no response (`refused`, `reset`, `timeout`, …), when there was none. */
  readonly error?: string;
}

/** One received request, as the journal reports it. */
export interface JournalEntry {
  /**
   * 0-based: the n-th request the endpoint received since the journal was last cleared (refused
   * connections are never received).
   */
  readonly index: number;
  /** When it arrived, in ms on the endpoint's clock (`clock.now`). */
  readonly time: number;
  readonly method: string;
  /**
   * The path as requested, query string included; one longer than {@link MAX_JOURNAL_PATH_CHARS}
   * is cut there and ends with a marker saying how much was cut (`...[+15000 chars]`).
   */
  readonly path: string;
  /** The script position that answered, or -1 for a window, a flap, or no route. */
  readonly position: number;
  readonly decision: Decision;
  /** {@link explainDecision} of the decision. */
  readonly explain: string;
  readonly fate: Fate;
  /** When it completed or was aborted (clock ms), if it has. */
  readonly endedAt: number | undefined;
  /** For a `pass` through the fault proxy: what the upstream did (absent otherwise). */
  readonly upstream?: UpstreamRecord;
}

/** A journal as JSON (what the mock server's `GET /__probekit/journal` returns). */
export interface JournalSnapshot {
  readonly seed: number;
  readonly capacity: number;
  readonly total: number;
  readonly dropped: number;
  readonly entries: JournalEntry[];
}

/**
 * Identifies one recorded request for {@link Journal.settle}. Unlike an index, a ticket is never
 * reused: one issued before {@link Journal.clear} settles nothing after it.
 */
export type JournalTicket = number;

/**
 * The longest path (or method) a journal keeps, in characters: with 10,000 entries of 15 KB
 * paths, a journal would otherwise hold 150 MB.
 *
 * @example
 * journal.at(0)?.path.length <= MAX_JOURNAL_PATH_CHARS + 20; // true
 */
export const MAX_JOURNAL_PATH_CHARS = 1024;

/**
 * Cuts `text` to `max` characters, with a marker saying how many were cut.
 *
 * @example
 * truncateMarked('/' + 'a'.repeat(2000), 10); // '/aaaaaaaaa...[+1991 chars]'
 */
export function truncateMarked(text: string, max = MAX_JOURNAL_PATH_CHARS): string {
  if (text.length <= max) return text;
  // A copy, not a slice: V8 keeps a slice's whole parent string alive (15 KB for a 1 KB path).
  // Latin-1 when it fits (request paths always do), so the copy stays one byte a character.
  const slice = text.slice(0, max);
  const encoding = /[\u0100-\uffff]/.test(slice) ? 'utf16le' : 'latin1';
  const kept = Buffer.from(slice, encoding).toString(encoding);
  return `${kept}...[+${text.length - max} chars]`;
}

/**
 * The default number of entries a journal keeps.
 *
 * @example
 * new Journal({ seed: 0 }).capacity === DEFAULT_JOURNAL_SIZE; // true
 */
export const DEFAULT_JOURNAL_SIZE = 10_000;

function checkCount(name: string, value: number): void {
  if (value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 0)) return;
  throw new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to read the journal: ${name} ${describeValue(value)} is not a whole number of 0 or more. Pass an index or a count, like 100.`,
  );
}

const FATES: readonly Fate[] = ['pending', 'completed', 'aborted'];
const FATE_CODE: Readonly<Record<Fate, number>> = { pending: 0, completed: 1, aborted: 2 };

/**
 * Checks a journal size option (0 keeps nothing but still counts).
 *
 * @example
 * checkJournalSize(1000);
 */
export function checkJournalSize(size: unknown): number {
  if (size === undefined) return DEFAULT_JOURNAL_SIZE;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > 100_000_000) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the journal: journalSize ${describeValue(size)} is not a whole number from 0 to 100000000. Leave it out for ${DEFAULT_JOURNAL_SIZE}.`,
    );
  }
  return size;
}

/**
 * Every request an endpoint received, in a ring of bounded size: once full, the oldest entries
 * are dropped (and counted). Stored column by column in typed arrays, so a million entries cost
 * tens of megabytes, not hundreds, and recording allocates nothing; long paths are cut to
 * {@link MAX_JOURNAL_PATH_CHARS}, so the ring is bounded in bytes too.
 *
 * @example
 * const journal = new Journal({ capacity: 100, seed: 42 });
 * const ticket = journal.record(0, 'GET', '/healthz', decision, 0);
 * journal.settle(ticket, 'completed', 12);
 * journal.entries(); // [{ index: 0, time: 0, …, fate: 'completed', endedAt: 12 }]
 */
export class Journal {
  /** How many entries are kept. */
  readonly capacity: number;
  /** The seed of the endpoint's random decisions: replaying with it replays them. */
  readonly seed: number;
  /** Tickets issued so far (never reset); entry `index` is ticket `index + #base`. */
  #serial = 0;
  #base = 0;
  #times: Float64Array;
  #ends: Float64Array;
  #positions: Float64Array;
  #fates: Uint8Array;
  #methods: string[];
  #paths: string[];
  #decisions: Decision[];
  /** Sparse: only `pass` entries through the fault proxy have one. */
  #upstreams = new Map<number, UpstreamRecord>();
  #allocated = 0;
  #listeners: Array<(entry: JournalEntry) => void> = [];

  constructor(options: { capacity?: number; seed: number }) {
    this.capacity = checkJournalSize(options.capacity);
    this.seed = options.seed;
    this.#times = new Float64Array(0);
    this.#ends = new Float64Array(0);
    this.#positions = new Float64Array(0);
    this.#fates = new Uint8Array(0);
    this.#methods = [];
    this.#paths = [];
    this.#decisions = [];
  }

  /** Requests recorded since the journal was last cleared (the next index). */
  get total(): number {
    return this.#serial - this.#base;
  }

  /** Requests recorded since the journal was created, clears included. */
  get recorded(): number {
    return this.#serial;
  }

  /** Entries no longer kept because the ring was full. */
  get dropped(): number {
    return Math.max(0, this.total - this.capacity);
  }

  /** Entries kept right now. */
  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  /**
   * Records a received request and returns its ticket for {@link Journal.settle} (its index is
   * `total - 1` right after). Paths and methods longer than {@link MAX_JOURNAL_PATH_CHARS} are cut.
   */
  record(time: number, method: string, path: string, decision: Decision, position: number): JournalTicket {
    const ticket = this.#serial++;
    const index = ticket - this.#base;
    const kept = { method: truncateMarked(method, 64), path: truncateMarked(path) };
    if (this.capacity > 0) {
      if (index >= this.#allocated && this.#allocated < this.capacity) this.#grow();
      const slot = index % this.capacity;
      this.#times[slot] = time;
      this.#ends[slot] = Number.NaN;
      this.#positions[slot] = position;
      this.#fates[slot] = 0;
      this.#methods[slot] = kept.method;
      this.#paths[slot] = kept.path;
      this.#decisions[slot] = decision;
      this.#upstreams.delete(slot);
    }
    if (this.#listeners.length > 0) {
      const entry = this.#entryOrSketch(index, time, kept.method, kept.path, decision, position);
      for (const listener of this.#listeners) listener(entry);
    }
    return ticket;
  }

  /**
   * Records what became of the request with this ticket (ignored once it has been dropped or
   * settled, or when the journal was cleared after it was recorded).
   */
  settle(ticket: JournalTicket, fate: 'completed' | 'aborted', at: number): void {
    if (ticket < this.#base) return;
    const index = ticket - this.#base;
    if (index < this.total - this.capacity || index >= this.total) return;
    const slot = index % this.capacity;
    if (this.#fates[slot] !== 0) return;
    this.#fates[slot] = FATE_CODE[fate];
    this.#ends[slot] = at;
  }

  /**
   * Records what the upstream did for the request with this ticket (the fault proxy's `pass`);
   * ignored like {@link Journal.settle} once the entry is gone.
   */
  noteUpstream(ticket: JournalTicket, upstream: UpstreamRecord): void {
    if (ticket < this.#base) return;
    const index = ticket - this.#base;
    if (index < this.total - this.capacity || index >= this.total) return;
    this.#upstreams.set(index % this.capacity, upstream);
  }

  /** The entry for request `index`, if it is still kept. */
  at(index: number): JournalEntry | undefined {
    if (!Number.isInteger(index) || index < 0 || index < this.total - this.capacity || index >= this.total) {
      return undefined;
    }
    return this.#entry(index);
  }

  /** The kept entries, oldest first (the last `limit` of them if given). */
  entries(limit = Number.POSITIVE_INFINITY): JournalEntry[] {
    checkCount('limit', limit);
    return this.page(this.total - Math.min(this.size, limit), limit);
  }

  /**
   * Up to `limit` kept entries from index `since` on, oldest first: read a long journal a page
   * at a time, passing the index after the last entry read as the next `since`.
   *
   * @example
   * const page = journal.page(0, 100); // then journal.page(page.at(-1).index + 1, 100)
   */
  page(since: number, limit = Number.POSITIVE_INFINITY): JournalEntry[] {
    checkCount('since', since);
    checkCount('limit', limit);
    const total = this.total;
    const first = Math.max(since, total - this.size);
    const end = Math.min(total, first + limit);
    const out: JournalEntry[] = [];
    for (let index = first; index < end; index++) out.push(this.#entry(index));
    return out;
  }

  /** Calls `listener` with each new entry as it is recorded; returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Forgets every entry and starts counting from 0 again. Tickets issued before settle nothing
   * after: a request in flight across a clear cannot touch the new request #0.
   */
  clear(): void {
    this.#base = this.#serial;
    this.#methods.fill('');
    this.#paths.fill('');
    this.#decisions.length = 0;
    this.#upstreams.clear();
  }

  /** The journal as JSON (entries oldest first). */
  toJSON(): JournalSnapshot {
    return {
      seed: this.seed,
      capacity: this.capacity,
      total: this.total,
      dropped: this.dropped,
      entries: this.entries(),
    };
  }

  #grow(): void {
    const size = Math.min(this.capacity, Math.max(1024, this.#allocated * 2));
    const grow64 = (old: Float64Array) => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.#times = grow64(this.#times);
    this.#ends = grow64(this.#ends);
    this.#positions = grow64(this.#positions);
    const fates = new Uint8Array(size);
    fates.set(this.#fates);
    this.#fates = fates;
    this.#allocated = size;
  }

  #entry(index: number): JournalEntry {
    const slot = index % this.capacity;
    const decision = this.#decisions[slot] as Decision;
    const end = this.#ends[slot] as number;
    const upstream = this.#upstreams.get(slot);
    return {
      index,
      time: this.#times[slot] as number,
      method: this.#methods[slot] as string,
      path: this.#paths[slot] as string,
      position: this.#positions[slot] as number,
      decision,
      explain: explainDecision(decision),
      fate: FATES[this.#fates[slot] as number] as Fate,
      endedAt: Number.isNaN(end) ? undefined : end,
      ...(upstream && { upstream }),
    };
  }

  #entryOrSketch(
    index: number,
    time: number,
    method: string,
    path: string,
    decision: Decision,
    position: number,
  ): JournalEntry {
    if (this.capacity > 0) return this.#entry(index);
    return {
      index,
      time,
      method,
      path,
      position,
      decision,
      explain: explainDecision(decision),
      fate: 'pending',
      endedAt: undefined,
    };
  }
}
