import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/time/clock.js';
import { sleep } from '../../src/time/clock.js';
import { type Tick, Ticker } from '../../src/time/ticker.js';

describe('Ticker: Go time.Ticker semantics', () => {
  it('ticks at start + k·interval without drift', async () => {
    const clock = FakeTimers.createClock(1000);
    const ticker = new Ticker(clock, 100);
    const seen: number[] = [];
    const reading = (async () => {
      for (let i = 0; i < 3; i++) {
        const tick = await ticker.next();
        seen.push(clock.now);
        // A reader that takes 30 ms per tick does not shift the schedule.
        await sleep(clock, 30);
        expect(tick.due).toBe(1000 + (i + 1) * 100);
      }
    })();
    await clock.tickAsync(400);
    await reading;
    expect(seen).toEqual([1100, 1200, 1300]);
    ticker.stop();
  });

  it('keeps one tick waiting and drops the others while nobody reads', async () => {
    const clock = FakeTimers.createClock(0);
    const dropped: Tick[] = [];
    const ticker = new Ticker(clock, 100, { drop: (tick) => dropped.push(tick) });
    await clock.tickAsync(350);
    expect(ticker.hasPendingTick).toBe(true);
    expect(await ticker.next()).toEqual({ index: 1, due: 100 });
    expect(dropped.map((t) => t.due)).toEqual([200, 300]);
    const next = ticker.next();
    await clock.tickAsync(50);
    expect(await next).toEqual({ index: 4, due: 400 });
    ticker.stop();
  });

  it('counts a tick due at the very instant of a read as already arrived (tick first)', async () => {
    const clock = FakeTimers.createClock(0);
    const ticker = new Ticker(clock, 100);
    await clock.tickAsync(200);
    // Ticks 100 and 200 are both due: 100 waits, 200 was dropped; the next read waits for 300.
    expect((await ticker.next()).due).toBe(100);
    expect(ticker.hasPendingTick).toBe(false);
    ticker.stop();
  });

  it('hands a tick straight to a waiting reader, and buffers the following one if the timer fired late', async () => {
    // A clock whose timers fire 250 ms late, as a blocked event loop would.
    const base = FakeTimers.createClock(0);
    const late: Clock = {
      get now() {
        return base.now;
      },
      setTimeout: (fn, ms) => base.setTimeout(fn, ms + 250),
      clearTimeout: (handle) => base.clearTimeout(handle as number),
    };
    const ticker = new Ticker(late, 100);
    const first = ticker.next();
    await base.tickAsync(350);
    expect(await first).toEqual({ index: 1, due: 100 });
    // Ticks 200 and 300 came due after the hand-over: 200 fills the slot, 300 is dropped.
    expect(await ticker.next()).toEqual({ index: 2, due: 200 });
    ticker.stop();
  });

  it('re-arms when a timer fires early, never delivering a tick before it is due', async () => {
    const base = FakeTimers.createClock(0);
    const early: Clock = {
      get now() {
        return base.now;
      },
      setTimeout: (fn, ms) => base.setTimeout(fn, Math.max(0, ms - 2)),
      clearTimeout: (handle) => base.clearTimeout(handle as number),
    };
    const ticker = new Ticker(early, 100);
    let deliveredAt = -1;
    const reading = ticker.next().then(() => {
      deliveredAt = base.now;
    });
    await base.tickAsync(99);
    expect(deliveredAt).toBe(-1);
    await base.tickAsync(5);
    await reading;
    expect(deliveredAt).toBeGreaterThanOrEqual(100);
    ticker.stop();
  });

  it('rejects a waiting read on stop and leaves no timer', async () => {
    const clock = FakeTimers.createClock(0);
    const ticker = new Ticker(clock, 100);
    const waiting = ticker.next();
    ticker.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
    expect(clock.countTimers()).toBe(0);
  });

  it('rejects a waiting read with the abort reason and clears its timer', async () => {
    const clock = FakeTimers.createClock(0);
    const ticker = new Ticker(clock, 100);
    const controller = new AbortController();
    const waiting = ticker.next(controller.signal);
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
    expect(clock.countTimers()).toBe(0);
    ticker.stop();
  });

  it('refuses a non-positive interval', () => {
    expect(() => new Ticker(FakeTimers.createClock(0), 0)).toThrow(/positive/);
  });
});
