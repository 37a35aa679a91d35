/**
 * A binary min-heap of timed events, ordered by time and then by the order they were
 * scheduled — the order `@sinonjs/fake-timers` fires same-instant timers in (by creation).
 * The simulator schedules an event exactly where the async checker creates a timer, so ties
 * break the same way in both.
 *
 * Stored as parallel arrays of numbers: a million events allocate no objects.
 *
 * @example
 * const queue = new EventQueue();
 * queue.push(100, 1, 0);
 * queue.push(100, 2, 0);
 * queue.pop(); // true: queue.at === 100, queue.kind === 1 (scheduled first)
 */
export class EventQueue {
  readonly #at: number[] = [];
  readonly #seq: number[] = [];
  readonly #kind: number[] = [];
  readonly #data: number[] = [];
  #size = 0;
  #nextSeq = 0;
  /** The popped event's time. */
  at = 0;
  /** The popped event's kind. */
  kind = 0;
  /** The popped event's payload (e.g. a probe index). */
  data = 0;

  get size(): number {
    return this.#size;
  }

  /** The earliest event's time, or `Infinity` when the queue is empty. */
  peekAt(): number {
    return this.#size > 0 ? (this.#at[0] as number) : Number.POSITIVE_INFINITY;
  }

  /** Schedules an event; among events at the same time, earlier pushes come out first. */
  push(at: number, kind: number, data: number): void {
    const seq = this.#nextSeq++;
    let index = this.#size++;
    const times = this.#at;
    const seqs = this.#seq;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentAt = times[parent] as number;
      if (parentAt < at || (parentAt === at && (seqs[parent] as number) < seq)) break;
      this.#move(parent, index);
      index = parent;
    }
    this.#set(index, at, seq, kind, data);
  }

  /** Removes the earliest event into `at`, `kind` and `data`; `false` when empty. */
  pop(): boolean {
    const size = this.#size;
    if (size === 0) return false;
    this.at = this.#at[0] as number;
    this.kind = this.#kind[0] as number;
    this.data = this.#data[0] as number;
    const last = size - 1;
    this.#size = last;
    if (last === 0) return true;
    const at = this.#at[last] as number;
    const seq = this.#seq[last] as number;
    const kind = this.#kind[last] as number;
    const data = this.#data[last] as number;
    const times = this.#at;
    const seqs = this.#seq;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        const ca = times[child] as number;
        const ra = times[right] as number;
        if (ra < ca || (ra === ca && (seqs[right] as number) < (seqs[child] as number))) child = right;
      }
      const childAt = times[child] as number;
      if (at < childAt || (at === childAt && seq < (seqs[child] as number))) break;
      this.#move(child, index);
      index = child;
    }
    this.#set(index, at, seq, kind, data);
    return true;
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from] as number;
    this.#seq[to] = this.#seq[from] as number;
    this.#kind[to] = this.#kind[from] as number;
    this.#data[to] = this.#data[from] as number;
  }

  #set(index: number, at: number, seq: number, kind: number, data: number): void {
    this.#at[index] = at;
    this.#seq[index] = seq;
    this.#kind[index] = kind;
    this.#data[index] = data;
  }
}
