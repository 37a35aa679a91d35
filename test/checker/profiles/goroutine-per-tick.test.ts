import { describe, expect, it } from 'vitest';
import { end, loopOf, play, sent } from './drive.js';

/**
 * Dapr v1.10.5–v1.12.5 (PROFILES.md §1 F, `dapr-1.10.5`): the ticker is made by the caller, the
 * delay waited, then every tick starts a probe in a goroutine of its own; each probe's
 * goroutine sends its value alone. An atomic count: `Add(1) >= n` sends false and stores n−1.
 */
const PROFILE = 'dapr-1.10.5';

describe('the dapr-1.10.5 loop (a goroutine per tick)', () => {
  it('makes the ticker first, then sleeps the initial delay, then reads the ticker', () => {
    const loop = loopOf(PROFILE, { interval: 100, initialDelay: 30 });
    expect(loop.on({ kind: 'start' })).toEqual([
      { kind: 'ticker', period: 100 },
      { kind: 'sleep', ms: 30 },
    ]);
    expect(loop.on({ kind: 'delay-end' })).toEqual([{ kind: 'wait-tick' }]);
  });

  it('starts a probe on every tick and reads the next tick at once, without waiting for the probe', () => {
    const loop = loopOf(PROFILE);
    expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }, { kind: 'wait-tick' }]);
    // A second tick while the first probe runs: probes overlap.
    expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }, { kind: 'wait-tick' }]);
  });

  it("sends from the probe's own goroutine: never blocking the loop, and nothing to do once taken", () => {
    const loop = loopOf(PROFILE);
    expect(end(loop, 200).commands).toEqual([{ kind: 'send', value: true, blocking: false }]);
    expect(end(loop, 503).commands).toEqual([]);
    expect(end(loop, 503).commands).toEqual([{ kind: 'send', value: false, blocking: false }]);
    expect(loop.on({ kind: 'sent' })).toEqual([]);
  });

  it('sends true on every success and resets the count', () => {
    expect(play(loopOf(PROFILE), [503, 200, 200])).toEqual({
      signals: [undefined, true, true],
      counts: [1, 0, 0],
    });
  });

  it('sends false on every failure from the threshold on, the count held at n−1', () => {
    const { signals, counts } = play(loopOf(PROFILE), [503, 503, 503, 503]);
    expect(signals).toEqual([undefined, false, false, false]);
    expect(counts).toEqual([1, 1, 1, 1]);
  });

  it('sends false on every failure with a threshold of 1', () => {
    expect(play(loopOf(PROFILE, { failureThreshold: 1 }), [503, 200, 503, 503]).signals).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });

  it('sends false on every failure with a threshold of 0 or less (Add(1) >= n always holds)', () => {
    for (const failureThreshold of [0, -2]) {
      const { signals, counts } = play(loopOf(PROFILE, { failureThreshold }), [503, 503, 200, 503]);
      expect(signals, `threshold ${failureThreshold}`).toEqual([false, false, true, false]);
      expect(counts, `threshold ${failureThreshold}`).toEqual([
        failureThreshold - 1,
        failureThreshold - 1,
        0,
        failureThreshold - 1,
      ]);
    }
  });

  it('recovers: true on the first success after false', () => {
    expect(sent(play(loopOf(PROFILE), [503, 503, 200, 200]).signals)).toEqual([false, true, true]);
  });

  it('counts overlapping probes on one counter, in the order they end', () => {
    const loop = loopOf(PROFILE, { failureThreshold: 2 });
    loop.on({ kind: 'tick' });
    loop.on({ kind: 'tick' });
    // The second probe ends first: its failure is the first of the streak.
    expect(loop.on({ kind: 'probe-end', probe: 1, result: { status: undefined } })).toEqual([]);
    expect(loop.on({ kind: 'probe-end', probe: 0, result: { status: 503 } })).toEqual([
      { kind: 'send', value: false, blocking: false },
    ]);
    expect(loop.failureCount).toBe(1);
  });
});
