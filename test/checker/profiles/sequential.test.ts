import { describe, expect, it } from 'vitest';
import { end, loopOf, play, sent } from './drive.js';

/**
 * The loop of Dapr v0.6–v1.10.4 (PROFILES.md §1 A, B, C): one goroutine makes the ticker,
 * sleeps the initial delay, then takes a tick, probes, maybe sends (blocking), and takes the
 * next tick. A and B count "false once per streak"; C1 and C2 step the count back to n−1, so
 * `false` repeats.
 */

const ONCE_PER_STREAK = ['dapr-0.6', 'dapr-1.0'] as const;
const FALSE_REPEATS = ['dapr-1.1', 'dapr-1.9'] as const;
const SEQUENTIAL = [...ONCE_PER_STREAK, ...FALSE_REPEATS] as const;

describe.each(SEQUENTIAL)('the %s loop', (profile) => {
  it('makes the ticker first, then sleeps the initial delay', () => {
    const loop = loopOf(profile, { interval: 100, initialDelay: 250 });
    expect(loop.on({ kind: 'start' })).toEqual([
      { kind: 'ticker', period: 100 },
      { kind: 'sleep', ms: 250 },
    ]);
  });

  it('reads the ticker when the delay ends, probes on a tick, and reads again after a probe that sends nothing', () => {
    const loop = loopOf(profile, { failureThreshold: 3 });
    loop.on({ kind: 'start' });
    expect(loop.on({ kind: 'delay-end' })).toEqual([{ kind: 'wait-tick' }]);
    expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }]);
    expect(end(loop, 503).commands).toEqual([{ kind: 'wait-tick' }]);
  });

  it('sends in the loop itself (blocking) and reads the ticker only once the value was taken', () => {
    const loop = loopOf(profile);
    expect(end(loop, 200).commands).toEqual([{ kind: 'send', value: true, blocking: true }]);
    expect(loop.on({ kind: 'sent' })).toEqual([{ kind: 'wait-tick' }]);
  });

  it('sends true on every success and resets the count', () => {
    expect(play(loopOf(profile), [503, 200, 200, 200])).toEqual({
      signals: [undefined, true, true, true],
      counts: [1, 0, 0, 0],
    });
  });

  it('counts only the exact success status: another 2xx, a 3xx and no response are failures', () => {
    const { signals, counts } = play(loopOf(profile, { failureThreshold: 5 }), [204, 302, undefined, 200]);
    expect(signals).toEqual([undefined, undefined, undefined, true]);
    expect(counts).toEqual([1, 2, 3, 0]);
  });

  it('succeeds on the configured status only (503 when asked for 503)', () => {
    expect(sent(play(loopOf(profile, { successStatusCode: 503 }), [503, 200, 200]).signals)).toEqual([
      true,
      false,
    ]);
  });

  it('never sends false with a threshold of 0 or less (the count never equals it)', () => {
    for (const failureThreshold of [0, -1]) {
      const { signals, counts } = play(loopOf(profile, { failureThreshold }), [503, 503, 503, 200, 503]);
      expect(sent(signals), `threshold ${failureThreshold}`).toEqual([true]);
      expect(counts, `threshold ${failureThreshold}`).toEqual([1, 2, 3, 0, 1]);
    }
  });

  it('recovers: true on the first success after false, and the next streak reports false again', () => {
    const { signals } = play(loopOf(profile), [503, 503, 200, 503, 503]);
    expect(signals).toEqual([undefined, false, true, undefined, false]);
  });

  it('sends false on the first failure of each streak with a threshold of 1', () => {
    expect(play(loopOf(profile, { failureThreshold: 1 }), [503, 200, 503]).signals).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe.each(ONCE_PER_STREAK)('the %s counter (false once per streak)', (profile) => {
  it('sends false once, when the count reaches the threshold, and nothing for the rest of the streak', () => {
    const loop = loopOf(profile);
    const { signals, counts } = play(loop, [503, 503, 503, 503]);
    expect(signals).toEqual([undefined, false, undefined, undefined]);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(loop.lastRule).toBe('streak-continues');
  });

  it('sends false once per streak with a threshold of 1, however long the streak', () => {
    const { signals, counts } = play(loopOf(profile, { failureThreshold: 1 }), [503, 503, 503]);
    expect(signals).toEqual([false, undefined, undefined]);
    expect(counts).toEqual([1, 2, 3]);
  });
});

describe.each(FALSE_REPEATS)('the %s counter (false repeats)', (profile) => {
  it('sends false on every failure once the streak reaches the threshold, the count held at n−1', () => {
    const loop = loopOf(profile);
    const { signals, counts } = play(loop, [503, 503, 503, 503]);
    expect(signals).toEqual([undefined, false, false, false]);
    expect(counts).toEqual([1, 1, 1, 1]);
    expect(loop.lastRule).toBe('false-repeats');
  });

  it('sends false on every failure with a threshold of 1, the count held at 0', () => {
    const { signals, counts } = play(loopOf(profile, { failureThreshold: 1 }), [503, 503, 200, 503]);
    expect(signals).toEqual([false, false, true, false]);
    expect(counts).toEqual([0, 0, 0, 0]);
  });

  it('names the first false of a streak "streak-reached" and the later ones "false-repeats"', () => {
    const loop = loopOf(profile, { failureThreshold: 3 });
    const rules: Array<string | undefined> = [];
    for (const status of [503, 503, 503, 503]) {
      end(loop, status);
      rules.push(loop.lastRule);
    }
    expect(rules).toEqual(['streak-continues', 'streak-continues', 'streak-reached', 'false-repeats']);
  });
});
