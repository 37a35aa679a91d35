import { describe, expect, it } from 'vitest';
import { end, loopOf, play, sent } from './drive.js';

/**
 * daprd's app health checker (PROFILES.md §4, `pkg/apphealth`): a ticker and a probe queued at
 * start, probes one at a time, any 2xx a success, a callback on transitions only. It starts
 * unhealthy with the count at the threshold. v1.12–v1.15 (`dapr-apphealth-1.12`) count every
 * result; from v1.16 (`dapr-apphealth-1.16`) a result that agrees with the status is not
 * counted, but a probe error always is.
 */
const GENERATIONS = ['dapr-apphealth-1.12', 'dapr-apphealth-1.16'] as const;

describe.each(GENERATIONS)('the %s loop', (profile) => {
  it('makes its ticker and probes at once (the probe daprd queues at start), with no initial delay', () => {
    const loop = loopOf(profile, { interval: 5000, initialDelay: 1000 });
    expect(loop.on({ kind: 'start' })).toEqual([{ kind: 'ticker', period: 5000 }, { kind: 'probe' }]);
    expect(loop.on({ kind: 'delay-end' })).toEqual([]);
  });

  it('starts unhealthy with the count at the threshold, and sends nothing at first', () => {
    expect(loopOf(profile, { failureThreshold: 3 }).failureCount).toBe(3);
  });

  it('reports a transition through the callback (never blocking) and reads the next tick', () => {
    const loop = loopOf(profile, { failureThreshold: 3 });
    loop.on({ kind: 'start' });
    expect(end(loop, 200).commands).toEqual([
      { kind: 'send', value: true, blocking: false },
      { kind: 'wait-tick' },
    ]);
    expect(loop.on({ kind: 'sent' })).toEqual([]);
    expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }]);
  });

  it('reports transitions only: true once on the first success, nothing for the successes after it', () => {
    const { signals, counts } = play(loopOf(profile, { failureThreshold: 3 }), [200, 200, 200]);
    expect(signals).toEqual([true, undefined, undefined]);
    expect(counts).toEqual([0, 0, 0]);
  });

  it('reports false when consecutive failures bring the count to the threshold exactly, then nothing', () => {
    const loop = loopOf(profile, { failureThreshold: 3 });
    const { signals, counts } = play(loop, [200, 503, 503, 503, undefined]);
    expect(signals).toEqual([true, undefined, undefined, false, undefined]);
    expect(counts.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('recovers: true on the first success after false', () => {
    expect(sent(play(loopOf(profile, { failureThreshold: 1 }), [200, 503, 200]).signals)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('takes any 2xx as a success and ignores the success status asked for', () => {
    const loop = loopOf(profile, { failureThreshold: 1, successStatusCode: 503 });
    expect(play(loop, [204, 300, 299, 503]).signals).toEqual([true, false, true, false]);
  });

  it('counts a probe error (no response) as a failure, while healthy and while unhealthy', () => {
    const loop = loopOf(profile, { failureThreshold: 2 });
    expect(end(loop, undefined).count).toBe(3);
    expect(end(loop, 200).signal).toBe(true);
    expect(end(loop, undefined).count).toBe(1);
    expect(end(loop, undefined).signal).toBe(false);
  });
});

describe('the app health checkers of v1.12 and v1.16 on failures apart', () => {
  // PROFILES.md §4: 503, 200, 503, 200, 503 at threshold 3, from healthy.
  const script = [200, 503, 200, 503, 200, 503];

  it('dapr-apphealth-1.12 resets the count on every success: failures apart never reach the threshold', () => {
    const { signals, counts } = play(loopOf('dapr-apphealth-1.12', { failureThreshold: 3 }), script);
    expect(sent(signals)).toEqual([true]);
    expect(counts).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('dapr-apphealth-1.16 does not count a success that agrees with healthy: failures accumulate to false', () => {
    const loop = loopOf('dapr-apphealth-1.16', { failureThreshold: 3 });
    const { signals, counts } = play(loop, script);
    expect(signals).toEqual([true, undefined, undefined, undefined, undefined, false]);
    expect(counts).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('dapr-apphealth-1.16 does not count a failed status while unhealthy, but counts an error', () => {
    const loop = loopOf('dapr-apphealth-1.16', { failureThreshold: 3 });
    expect(end(loop, 503).count).toBe(3);
    expect(loop.lastRule).toBe('unhealthy-stays');
    expect(end(loop, undefined).count).toBe(4);
    expect(end(loop, 200).signal).toBe(true);
  });

  it('dapr-apphealth-1.12 counts a failed status while unhealthy', () => {
    const loop = loopOf('dapr-apphealth-1.12', { failureThreshold: 3 });
    expect(end(loop, 503).count).toBe(4);
    expect(end(loop, 503).signal).toBeUndefined();
  });

  it('dapr-apphealth-1.16 counts errors while healthy even between agreeing successes', () => {
    const loop = loopOf('dapr-apphealth-1.16', { failureThreshold: 2 });
    const { signals } = play(loop, [200, undefined, 200, undefined]);
    expect(signals).toEqual([true, undefined, undefined, false]);
  });
});
