import type { Clock, TimerHandle } from './clock.js';
import { MAX_DURATION_MS } from './duration.js';

/** For how long a firing re-reads the clock to run entries that came due while it ran (ms). */
const PASS_MS = 1;

/**
 * One entry of a {@link TimerQueue}, owned by its user and armed again and again: arming
 * allocates nothing (a Node timer per tick and per request timeout was a tenth of a thousand
 * checks' garbage).
 */
export class QueuedTimer {
  /** When it is due, on the queue's clock. */
  deadline = 0;
  /** Its place in the heap; -1 while not queued. */
  index = -1;
  /** Arming order: equal deadlines fire first armed, first fired, as Node's timers do. */
  order = 0;
  readonly fire: () => void;

  constructor(fire: () => void) {
    this.fire = fire;
  }
}

/**
 * Every deadline of a clock behind one clock timer: a binary heap ordered by (deadline, arming
 * order), and one `clock.setTimeout` aimed at its earliest entry. When that timer fires, every
 * entry due by then runs, in order; one that was armed while they ran waits for the next
 * firing, so an entry that re-arms itself for "now" cannot starve the event loop. A timer that
 * fires early (Node anchors timers to the loop's start-of-turn time) runs nothing and aims
 * again. Entries that come due while a firing runs its entries run in it too, for up to 1 ms.
 *
 * @example
 * const queue = new TimerQueue(systemClock);
 * const timer = new QueuedTimer(() => console.log('due'));
 * queue.add(timer, systemClock.now + 100);
 * queue.remove(timer); // nothing fires, no clock timer is left
 */
export class TimerQueue {
  readonly #clock: Clock;
  readonly #heap: QueuedTimer[] = [];
  #order = 0;
  #handle: TimerHandle | undefined;
  /** The deadline the clock timer aims at; Infinity when none is armed. */
  #aimedAt = Number.POSITIVE_INFINITY;
  #firing = false;
  /** Which aim the clock timer belongs to: a timer left over from an earlier aim is ignored. */
  #aimId = 0;
  readonly #world: (() => unknown) | undefined;
  #aimedInWorld: unknown;

  /**
   * `world` names the timer implementation the clock's timers come from right now (for the real
   * clock: the global `setTimeout`, which a test may swap for fake timers and back): a timer
   * armed in another world may never fire in this one, so the queue aims again.
   */
  constructor(clock: Clock, options: { readonly world?: () => unknown } = {}) {
    this.#clock = clock;
    this.#world = options.world;
  }

  /** How many timers are queued. */
  get size(): number {
    return this.#heap.length;
  }

  /** Queues `timer` for `deadline` (moving it if it was queued already). */
  add(timer: QueuedTimer, deadline: number): void {
    if (timer.index >= 0) this.#removeAt(timer.index);
    timer.deadline = deadline;
    timer.order = this.#order++;
    const heap = this.#heap;
    timer.index = heap.length;
    heap.push(timer);
    this.#siftUp(timer.index);
    if (this.#firing) return;
    if (deadline < this.#aimedAt || (this.#world !== undefined && this.#world() !== this.#aimedInWorld))
      this.#aim();
  }

  /** Takes `timer` out of the queue; nothing happens if it is not queued. */
  remove(timer: QueuedTimer): void {
    if (timer.index < 0) return;
    this.#removeAt(timer.index);
    // An empty queue holds no clock timer: nothing keeps the process alive for it.
    if (this.#heap.length === 0 && !this.#firing) this.#disarm();
  }

  #fireDue(): void {
    const heap = this.#heap;
    let now = this.#clock.now;
    // What comes due while the pass runs (its callbacks take time: a thousand checks' probes)
    // fires in the pass too, the clock read again while the pass is younger than PASS_MS: else
    // it waited for the next clock timer, a millisecond or two on (p50 lateness 1.1 ms, 0.7 with
    // this, measured). The bound leaves the event loop its turn for I/O.
    const until = now + PASS_MS;
    const armedBefore = this.#order;
    this.#firing = true;
    try {
      while (heap.length > 0) {
        const first = heap[0] as QueuedTimer;
        if (first.order >= armedBefore) break;
        if (first.deadline > now) {
          if (now >= until) break;
          now = this.#clock.now;
          if (first.deadline > now) break;
        }
        this.#removeAt(0);
        try {
          first.fire();
        } catch (error) {
          // One entry's bug must not stop the others; it still surfaces, as a timer's throw does.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    } finally {
      this.#firing = false;
      this.#aim();
    }
  }

  #aim(): void {
    this.#disarm();
    const first = this.#heap[0];
    if (first === undefined) return;
    const remaining = first.deadline - this.#clock.now;
    const delay = remaining > 0 ? Math.min(Math.ceil(remaining), MAX_DURATION_MS) : 0;
    const id = ++this.#aimId;
    this.#aimedAt = first.deadline;
    this.#aimedInWorld = this.#world?.();
    this.#handle = this.#clock.setTimeout(() => {
      if (id !== this.#aimId) return;
      this.#handle = undefined;
      this.#aimedAt = Number.POSITIVE_INFINITY;
      this.#fireDue();
    }, delay);
  }

  #disarm(): void {
    if (this.#handle === undefined) return;
    // Another world's timer cannot be cleared from this one; its firing is ignored instead.
    if (this.#world === undefined || this.#world() === this.#aimedInWorld)
      this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#aimedAt = Number.POSITIVE_INFINITY;
    this.#aimId++;
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const removed = heap[index] as QueuedTimer;
    removed.index = -1;
    const last = heap.pop() as QueuedTimer;
    if (index === heap.length) return;
    heap[index] = last;
    last.index = index;
    this.#siftDown(index);
    this.#siftUp(last.index);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const timer = heap[index] as QueuedTimer;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as QueuedTimer;
      if (!before(timer, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = timer;
    timer.index = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const timer = heap[index] as QueuedTimer;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(heap[right] as QueuedTimer, heap[left] as QueuedTimer)) child = right;
      const smaller = heap[child] as QueuedTimer;
      if (!before(smaller, timer)) break;
      heap[index] = smaller;
      smaller.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}

function before(a: QueuedTimer, b: QueuedTimer): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
}
