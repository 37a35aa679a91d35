import FakeTimers from '@sinonjs/fake-timers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../src/time/clock.js';
import { rearmableDeadline } from '../../src/time/deadline.js';
import { MAX_DURATION_MS } from '../../src/time/duration.js';
import { QueuedTimer, TimerQueue } from '../../src/time/timer-queue.js';

/** A queue on a fake clock, and a log of which timer fired when. */
function setUp() {
  const clock = FakeTimers.createClock(0);
  const queue = new TimerQueue(clock);
  const fired: Array<{ name: string; at: number }> = [];
  const timer = (name: string) => new QueuedTimer(() => fired.push({ name, at: clock.now }));
  return { clock, queue, fired, timer };
}

describe('TimerQueue: every deadline of a clock behind one clock timer', () => {
  it('fires by deadline, equal deadlines in arming order, each at its deadline', () => {
    const { clock, queue, fired, timer } = setUp();
    queue.add(timer('c'), 30);
    queue.add(timer('a'), 10);
    queue.add(timer('b1'), 20);
    queue.add(timer('b2'), 20);
    expect(clock.countTimers()).toBe(1);
    clock.tick(100);
    expect(fired).toEqual([
      { name: 'a', at: 10 },
      { name: 'b1', at: 20 },
      { name: 'b2', at: 20 },
      { name: 'c', at: 30 },
    ]);
    expect(queue.size).toBe(0);
    expect(clock.countTimers()).toBe(0);
  });

  it('a removed timer never fires, and an empty queue holds no clock timer', () => {
    const { clock, queue, fired, timer } = setUp();
    const a = timer('a');
    queue.add(a, 10);
    queue.remove(a);
    queue.remove(a); // twice is harmless
    expect(clock.countTimers()).toBe(0);
    clock.tick(100);
    expect(fired).toEqual([]);
  });

  it('adding a queued timer again moves it', () => {
    const { clock, queue, fired, timer } = setUp();
    const a = timer('a');
    queue.add(a, 10);
    queue.add(timer('b'), 20);
    queue.add(a, 30);
    clock.tick(100);
    expect(fired.map((entry) => entry.name)).toEqual(['b', 'a']);
    expect(fired[1]?.at).toBe(30);
  });

  it('a timer armed for "now" while others fire waits for the next firing (no starving loop)', () => {
    const { clock, queue, fired } = setUp();
    let rounds = 0;
    const again: QueuedTimer = new QueuedTimer(() => {
      fired.push({ name: 'again', at: clock.now });
      if (++rounds < 3) queue.add(again, clock.now);
    });
    queue.add(again, 5);
    clock.tick(5);
    expect(fired).toHaveLength(1);
    // The next firing is the clock's next timer: 1 ms on (a 0 ms timer set inside a timer
    // callback waits 1 ms on fake-timers, as on Node).
    clock.tick(1);
    expect(fired).toHaveLength(2);
    clock.tick(1);
    expect(fired.map((entry) => entry.at)).toEqual([5, 6, 7]);
    clock.tick(10);
    expect(fired).toHaveLength(3);
    expect(clock.countTimers()).toBe(0);
  });

  it('a clock timer that fires before the deadline by this clock runs nothing and aims again', () => {
    // Node anchors a timer to the start of the loop turn, so it can fire before performance.now()
    // reaches the deadline: here the queue's clock reads 0.5 ms behind the timers' clock.
    const fake = FakeTimers.createClock(0);
    const lagging: Clock = {
      get now() {
        return fake.now - 0.5;
      },
      setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
      clearTimeout: (handle) => fake.clearTimeout(handle as FakeTimers.TimerId),
    };
    const queue = new TimerQueue(lagging);
    const fired: number[] = [];
    queue.add(new QueuedTimer(() => fired.push(lagging.now)), 10);
    fake.tick(10);
    expect(fired).toEqual([]);
    expect(fake.countTimers()).toBe(1);
    fake.tick(1);
    expect(fired).toEqual([10.5]);
  });

  it('aims again when the timers underneath were swapped (fake timers installed, then not)', () => {
    // The real clock's timers are the global ones of the moment; a test may swap them. A timer
    // armed before the swap may never fire after it, so an add in the new world aims again.
    const first = FakeTimers.createClock(0);
    const second = FakeTimers.createClock(0);
    let current = first;
    const swappable: Clock = {
      get now() {
        return current.now;
      },
      setTimeout: (callback, ms) => current.setTimeout(callback, ms),
      clearTimeout: (handle) => current.clearTimeout(handle as FakeTimers.TimerId),
    };
    const queue = new TimerQueue(swappable, { world: () => current });
    const fired: string[] = [];
    queue.add(new QueuedTimer(() => fired.push('early')), 10);
    current = second;
    queue.add(new QueuedTimer(() => fired.push('late')), 20);
    second.tick(20);
    expect(fired).toEqual(['early', 'late']);
    // The first world's timer, if it ever fires, is stale and does nothing.
    first.tick(100);
    expect(fired).toEqual(['early', 'late']);
    expect(second.countTimers()).toBe(0);
  });

  it('runs what comes due while a firing runs its entries (re-reading the clock during its first ms)', () => {
    // Each entry's work takes 0.4 ms of this clock's time, as a probe's does in real time.
    const fake = FakeTimers.createClock(0);
    let worked = 0;
    const busy: Clock = {
      get now() {
        return fake.now + worked;
      },
      setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
      clearTimeout: (handle) => fake.clearTimeout(handle as FakeTimers.TimerId),
    };
    const queue = new TimerQueue(busy);
    const fired: Array<[string, number]> = [];
    const entry = (name: string) =>
      new QueuedTimer(() => {
        fired.push([name, busy.now]);
        worked += 0.4;
      });
    queue.add(entry('a'), 10);
    queue.add(entry('b'), 10.3); // due while a runs: same firing
    queue.add(entry('c'), 10.7); // due while b runs, still within 1 ms of the firing: same
    queue.add(entry('d'), 11.5); // not due at the last read (11.2), past the first ms: next firing
    fake.tick(10);
    expect(fired.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(fired.every(([name, at]) => at >= { a: 10, b: 10.3, c: 10.7 }[name as 'a' | 'b' | 'c'])).toBe(
      true,
    );
    fake.tick(1);
    expect(fired.map(([name]) => name)).toEqual(['a', 'b', 'c', 'd']);
    expect(fired[3]?.[1]).toBeGreaterThanOrEqual(11.5);
  });

  it('a deadline past 2^31−1 ms is reached by aiming again, never fired early', () => {
    const { clock, queue, fired, timer } = setUp();
    queue.add(timer('far'), 3e9);
    clock.tick(MAX_DURATION_MS + 1);
    expect(fired).toEqual([]);
    clock.tick(3e9);
    expect(fired).toEqual([{ name: 'far', at: 3e9 }]);
  });

  it('fires what a model of sorted deadlines says, for any sequence of adds, removes and waits', () => {
    type Op =
      | { kind: 'add'; timer: number; delay: number }
      | { kind: 'remove'; timer: number }
      | { kind: 'tick'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), timer: fc.nat(7), delay: fc.nat(50) }),
      fc.record({ kind: fc.constant('remove' as const), timer: fc.nat(7) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = FakeTimers.createClock(0);
        const queue = new TimerQueue(clock);
        const fired: Array<[number, number]> = [];
        const timers = Array.from(
          { length: 8 },
          (_, id) => new QueuedTimer(() => fired.push([id, clock.now])),
        );
        // The model: what is armed, with its deadline and arming order.
        const armed = new Map<number, { deadline: number; order: number }>();
        const expected: Array<[number, number]> = [];
        let order = 0;
        const advanceModel = (to: number) => {
          for (;;) {
            let next: [number, { deadline: number; order: number }] | undefined;
            for (const entry of armed) {
              if (entry[1].deadline > to) continue;
              if (
                !next ||
                entry[1].deadline < next[1].deadline ||
                (entry[1].deadline === next[1].deadline && entry[1].order < next[1].order)
              )
                next = entry;
            }
            if (!next) return;
            armed.delete(next[0]);
            expected.push([next[0], next[1].deadline]);
          }
        };
        for (const step of ops) {
          if (step.kind === 'add') {
            queue.add(timers[step.timer] as QueuedTimer, clock.now + step.delay);
            armed.set(step.timer, { deadline: clock.now + step.delay, order: order++ });
          } else if (step.kind === 'remove') {
            queue.remove(timers[step.timer] as QueuedTimer);
            armed.delete(step.timer);
          } else {
            advanceModel(clock.now + step.ms);
            clock.tick(step.ms);
          }
        }
        advanceModel(Number.POSITIVE_INFINITY);
        clock.runAll();
        expect(fired).toEqual(expected);
        expect(queue.size).toBe(0);
        expect(clock.countTimers()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rearmableDeadline', () => {
  it('on a fake clock, arms one clock timer per arm and cancels it', () => {
    const clock = FakeTimers.createClock(0);
    const fired: number[] = [];
    const deadline = rearmableDeadline(clock, () => fired.push(clock.now));
    deadline.arm(10);
    deadline.arm(20); // aims again: the first aim is gone
    expect(clock.countTimers()).toBe(1);
    clock.tick(15);
    expect(fired).toEqual([]);
    clock.tick(5);
    expect(fired).toEqual([20]);
    deadline.arm(30);
    deadline.cancel();
    expect(clock.countTimers()).toBe(0);
  });

  it('on the real clock, fires each deadline once it has passed, in deadline order', async () => {
    const order: string[] = [];
    const passed: boolean[] = [];
    const done = new Promise<void>((resolve) => {
      const make = (name: string, last = false) => {
        let deadlineAt = 0;
        const timer = rearmableDeadline(systemClock, () => {
          order.push(name);
          passed.push(systemClock.now >= deadlineAt);
          if (last) resolve();
        });
        return (at: number) => {
          deadlineAt = at;
          timer.arm(at);
        };
      };
      const start = systemClock.now;
      make('third', true)(start + 12);
      make('first')(start + 2);
      make('second')(start + 6);
      const cancelled = rearmableDeadline(systemClock, () => order.push('cancelled'));
      cancelled.arm(start + 4);
      cancelled.cancel();
    });
    await done;
    expect(order).toEqual(['first', 'second', 'third']);
    expect(passed).toEqual([true, true, true]);
  });
});
