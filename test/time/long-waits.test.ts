import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/time/clock.js';
import { atDeadline } from '../../src/time/deadline.js';
import { MAX_DURATION_MS } from '../../src/time/duration.js';
import { Ticker } from '../../src/time/ticker.js';

// fake-timers, like Node, fires a setTimeout longer than 2^31−1 ms after 1 ms; these tests
// would fail at the first tick if the time layer handed such a delay to the clock.
const LONG = 3e9;

describe('waits longer than 2^31−1 ms are chained, never fired early', () => {
  it('atDeadline fires a 3e9 ms deadline exactly then, with one timer pending at a time', () => {
    const clock = FakeTimers.createClock(0);
    let firedAt: number | undefined;
    atDeadline(clock, LONG, () => {
      firedAt = clock.now;
    });
    expect(clock.countTimers()).toBe(1);
    clock.tick(1);
    expect(firedAt).toBeUndefined();
    clock.tick(MAX_DURATION_MS);
    expect(firedAt).toBeUndefined();
    expect(clock.countTimers()).toBe(1);
    clock.tick(LONG - MAX_DURATION_MS - 2);
    expect(firedAt).toBeUndefined();
    clock.tick(1);
    expect(firedAt).toBe(LONG);
    expect(clock.countTimers()).toBe(0);
  });

  it('atDeadline cancelled in the middle of a chain leaves no timer', () => {
    const clock = FakeTimers.createClock(0);
    let fired = false;
    const timer = atDeadline(clock, LONG, () => {
      fired = true;
    });
    clock.tick(MAX_DURATION_MS + 5);
    timer.cancel();
    expect(clock.countTimers()).toBe(0);
    clock.tick(LONG);
    expect(fired).toBe(false);
  });

  it('sleep(3e9) resolves at 3e9 and not before', async () => {
    const clock = FakeTimers.createClock(0);
    let wokeAt: number | undefined;
    const sleeping = sleep(clock, LONG).then(() => {
      wokeAt = clock.now;
    });
    await clock.tickAsync(LONG - 1);
    expect(wokeAt).toBeUndefined();
    await clock.tickAsync(1);
    await sleeping;
    expect(wokeAt).toBe(LONG);
  });

  it('a Ticker with a 3e9 ms interval ticks at 3e9, then at 6e9', async () => {
    const clock = FakeTimers.createClock(0);
    const ticker = new Ticker(clock, LONG);
    const seen: number[] = [];
    const reading = (async () => {
      for (let i = 0; i < 2; i++) {
        await ticker.next();
        seen.push(clock.now);
      }
    })();
    await clock.tickAsync(LONG - 1);
    expect(seen).toEqual([]);
    await clock.tickAsync(LONG + 1);
    await reading;
    expect(seen).toEqual([LONG, 2 * LONG]);
    ticker.stop();
    expect(clock.countTimers()).toBe(0);
  });
});
