import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { ProbeRunner } from '../../src/checker/probe.js';
import type { Clock } from '../../src/time/clock.js';
import type { Transport } from '../../src/transport/types.js';

describe('an answer handled after the deadline', () => {
  it('is a timeout even when the deadline timer has not run yet (regression: a stalled process took the late 200)', async () => {
    const base = FakeTimers.createClock(0);
    // A process stalled past the deadline: its timers run 100 ms late.
    const stalled: Clock = {
      get now() {
        return base.now;
      },
      setTimeout: (callback: () => void, ms: number) => base.setTimeout(callback, ms + 100),
      clearTimeout: (handle: unknown) => base.clearTimeout(handle as never),
    };
    // The answer comes at 150 ms, after the 90 ms deadline, before the late timer at 190 ms.
    const transport: Transport = () =>
      new Promise((resolve) => base.setTimeout(() => resolve({ status: 200 }), 150));
    const runner = new ProbeRunner(transport, 'http://127.0.0.1:1/healthz', 90, stalled);
    const outcome = runner.run();
    await base.tickAsync(200);
    expect(await outcome).toEqual({ kind: 'timeout' });
    expect(base.countTimers()).toBe(0);
  });

  it('is still a success when it is handled before the deadline', async () => {
    const clock = FakeTimers.createClock(0);
    const transport: Transport = () =>
      new Promise((resolve) => clock.setTimeout(() => resolve({ status: 200 }), 20));
    const outcome = new ProbeRunner(transport, 'http://127.0.0.1:1/healthz', 90, clock).run();
    await clock.tickAsync(20);
    expect(await outcome).toEqual({ kind: 'status', status: 200 });
  });
});
