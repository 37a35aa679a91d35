import { describe, expect, it } from 'vitest';
import { createLoop } from '../../../src/checker/profiles/machines.js';
import { end, loopOf, settings } from './drive.js';

/**
 * Dapr v1.13–v1.14 (PROFILES.md §1 I, `dapr-1.13`): two phases in the `Run` goroutine and an
 * unbuffered channel. Unhealthy: a ticker of the unhealthy interval, a probe at once, one per
 * tick until a success, which reports `true`; nothing else is reported. Healthy (entered once
 * `true` was read): a new ticker of the interval, a probe per tick, `false` when the count is
 * at least the threshold, then back to unhealthy.
 */
const PROFILE = 'dapr-1.13';

/** A dapr-1.13 loop taken into the healthy phase: started, one success, its `true` read. */
function healthy(failureThreshold = 2) {
  const loop = loopOf(PROFILE, { interval: 3000, unhealthyInterval: 500, failureThreshold });
  loop.on({ kind: 'start' });
  end(loop, 200);
  loop.on({ kind: 'sent' });
  return loop;
}

describe('the dapr-1.13 loop, unhealthy phase', () => {
  it('starts unhealthy: a ticker of the unhealthy interval and a probe at once, no initial delay', () => {
    const loop = loopOf(PROFILE, { interval: 3000, unhealthyInterval: 500, initialDelay: 1000 });
    expect(loop.on({ kind: 'start' })).toEqual([{ kind: 'ticker', period: 500 }, { kind: 'probe' }]);
  });

  it('reports nothing for failures while unhealthy (no initial false, none at the threshold) and probes on the next tick', () => {
    const loop = loopOf(PROFILE, { failureThreshold: 1 });
    loop.on({ kind: 'start' });
    for (let i = 0; i < 4; i++) {
      const step = end(loop, 503);
      expect(step.commands).toEqual([{ kind: 'wait-tick' }]);
      expect(loop.lastRule).toBe('unhealthy-stays');
      expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }]);
    }
    expect(loop.failureCount).toBe(0);
  });

  it('reports true on the first success, and waits for the reader (unbuffered channel)', () => {
    const loop = loopOf(PROFILE);
    loop.on({ kind: 'start' });
    expect(end(loop, 200).commands).toEqual([{ kind: 'send', value: true, blocking: true }]);
    expect(loop.lastRule).toBe('recovered');
  });
});

describe('the dapr-1.13 loop, healthy phase', () => {
  it('makes a new ticker of the interval only once true was read, and waits for its first tick', () => {
    const loop = loopOf(PROFILE, { interval: 3000 });
    loop.on({ kind: 'start' });
    end(loop, 200);
    expect(loop.on({ kind: 'sent' })).toEqual([{ kind: 'ticker', period: 3000 }, { kind: 'wait-tick' }]);
    expect(loop.on({ kind: 'tick' })).toEqual([{ kind: 'probe' }]);
  });

  it('reports nothing for successes (true only on recovery) and resets the count', () => {
    const loop = healthy(3);
    end(loop, 503);
    expect(loop.failureCount).toBe(1);
    const step = end(loop, 200);
    expect(step.commands).toEqual([{ kind: 'wait-tick' }]);
    expect(step.count).toBe(0);
    expect(loop.lastRule).toBe('healthy-stays');
  });

  it('reports false when the count reaches the threshold, and not before', () => {
    const loop = healthy(3);
    expect(end(loop, 503).commands).toEqual([{ kind: 'wait-tick' }]);
    expect(end(loop, undefined).commands).toEqual([{ kind: 'wait-tick' }]);
    const step = end(loop, 503);
    expect(step.commands).toEqual([{ kind: 'send', value: false, blocking: true }]);
    expect(step.count).toBe(3);
  });

  it('goes back to unhealthy once false was read: a ticker of the unhealthy interval and a probe at once', () => {
    const loop = healthy(1);
    end(loop, 503);
    expect(loop.on({ kind: 'sent' })).toEqual([{ kind: 'ticker', period: 500 }, { kind: 'probe' }]);
    // Unhealthy again: further failures report nothing (false once per fall).
    expect(end(loop, 503).commands).toEqual([{ kind: 'wait-tick' }]);
  });

  it('recovers: true again on the first success after falling back to unhealthy', () => {
    const loop = healthy(1);
    end(loop, 503);
    loop.on({ kind: 'sent' });
    end(loop, 503);
    expect(end(loop, 200).commands).toEqual([{ kind: 'send', value: true, blocking: true }]);
  });

  it('reports false at the first healthy tick with a threshold of 0 or less, whatever the probe says', () => {
    for (const failureThreshold of [0, -1]) {
      for (const status of [200, 503]) {
        const step = end(healthy(failureThreshold), status);
        expect(step.commands, `threshold ${failureThreshold}, ${status}`).toEqual([
          { kind: 'send', value: false, blocking: true },
        ]);
      }
    }
  });

  it('counts the exact success status only', () => {
    const loop = healthy(2);
    end(loop, 204);
    expect(end(loop, 302).signal).toBe(false);
  });
});

describe('the dapr-1.13 loop with an initial delay (behaviour H, master only)', () => {
  it('sleeps the delay first, then enters the unhealthy phase with a probe at once', () => {
    const loop = createLoop({ kind: 'phased', initialDelay: true }, settings({ initialDelay: 1000 }));
    expect(loop.on({ kind: 'start' })).toEqual([{ kind: 'sleep', ms: 1000 }]);
    expect(loop.on({ kind: 'delay-end' })).toEqual([{ kind: 'ticker', period: 500 }, { kind: 'probe' }]);
  });
});
