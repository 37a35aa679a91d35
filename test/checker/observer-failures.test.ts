import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import {
  type CheckEvent,
  type HealthCheck,
  startEndpointHealthCheck,
  withClock,
  withInitialDelay,
  withInterval,
  withObserver,
  withTransport,
} from '../../src/checker/index.js';
import { scriptedTransport } from '../support/virtual-run.js';

function setup() {
  const clock = FakeTimers.createClock(0);
  const { transport } = scriptedTransport(clock, [], '200');
  return {
    clock,
    base: [withClock(clock), withTransport(transport), withInterval(100), withInitialDelay(0)],
  };
}

/** Reads the check to its end; resolves with the values, or rejects with what the iterator threw. */
async function readAll(check: HealthCheck): Promise<boolean[]> {
  const values: boolean[] = [];
  for await (const value of check) values.push(value);
  return values;
}

/**
 * Runs `body` with the process's `uncaughtException` listeners (vitest's) set aside, and
 * returns the errors thrown asynchronously meanwhile, once `settle` resolves.
 */
async function catchUncaught(body: () => Promise<void>): Promise<unknown[]> {
  const saved = process.listeners('uncaughtException');
  const caught: unknown[] = [];
  const listener = (error: unknown) => caught.push(error);
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', listener);
  try {
    await body();
    // A microtask rethrow surfaces as an uncaught exception before the next macrotask.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off('uncaughtException', listener);
    for (const handler of saved) process.on('uncaughtException', handler);
  }
  return caught;
}

describe('an observer that throws cannot break the check', () => {
  it('regression: a throw on the start event no longer makes stop() reject on a missing ticker or leave for await hanging', async () => {
    const { clock, base } = setup();
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withObserver((event) => {
        if (event.type === 'start') throw new Error('start bug');
      }),
    );
    await expect(readAll(check)).rejects.toThrow('start bug');
    await expect(check.stop()).resolves.toBeUndefined();
    expect(check.state.phase).toBe('stopped');
    expect(clock.countTimers()).toBe(0);
  });

  it('reports the error once: the next read rejects with it, later reads are done', async () => {
    const { clock, base } = setup();
    const failure = new Error('observer bug');
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withObserver((event) => {
        if (event.type === 'probe-end' && event.probe === 1) throw failure;
      }),
    );
    const iterator = check[Symbol.asyncIterator]();
    const first = iterator.next();
    await clock.tickAsync(100);
    expect(await first).toEqual({ done: false, value: true });
    const second = iterator.next().catch((error: unknown) => ({ threw: error }));
    await clock.tickAsync(100);
    // The loop stopped before the second probe's signal went in.
    expect(await second).toEqual({ threw: failure });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(await check[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(check.state).toMatchObject({ phase: 'stopped', probes: 2 });
    expect(clock.countTimers()).toBe(0);
  });

  it('keeps every other observer informed to the end, stop last, once', async () => {
    const { clock, base } = setup();
    const seen: CheckEvent['type'][] = [];
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withObserver(() => {
        throw new Error('always throws');
      }),
      withObserver((event) => seen.push(event.type)),
    );
    const reading = readAll(check).catch((error: unknown) => error);
    await clock.tickAsync(250);
    expect(await reading).toMatchObject({ message: 'always throws' });
    expect(seen).toEqual(['start', 'stop']);
  });

  it('shuts down once when an observer calls stop() from inside an event', async () => {
    const { clock, base } = setup();
    const seen: CheckEvent['type'][] = [];
    let check: HealthCheck | undefined;
    let stopping: Promise<void> | undefined;
    check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withObserver((event) => {
        seen.push(event.type);
        if (event.type === 'probe-end') stopping = check?.stop();
        // Re-entered during shutdown: must get the same promise, not a second shutdown.
        if (event.type === 'tick' && stopping) void check?.stop();
      }),
    );
    const reading = readAll(check);
    await clock.tickAsync(350);
    expect(await reading).toEqual([]);
    await stopping;
    expect(check.stop()).toBe(stopping);
    expect(seen.filter((type) => type === 'stop')).toHaveLength(1);
    expect(seen.filter((type) => type === 'probe-start')).toHaveLength(1);
    expect(clock.countTimers()).toBe(0);
  });

  it('throws an unreported error when the reader breaks out of for await', async () => {
    const { clock, base } = setup();
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withObserver((event) => {
        if (event.type === 'delivered') throw new Error('delivery bug');
      }),
    );
    const reading = (async () => {
      // The first value is delivered (the observer throws while it is handed over), then break.
      for await (const _ of check) break;
    })().catch((error: unknown) => error);
    await clock.tickAsync(100);
    expect(await reading).toMatchObject({ message: 'delivery bug' });
    expect(check.state.phase).toBe('stopped');
  });

  it('rethrows asynchronously an error no reader can see any more (a throw on the final stop event)', async () => {
    const { clock, base } = setup();
    const failure = new Error('stop bug');
    let check: HealthCheck | undefined;
    const caught = await catchUncaught(async () => {
      check = startEndpointHealthCheck(
        'http://svc/healthz',
        ...base,
        withObserver((event) => {
          if (event.type === 'stop') throw failure;
        }),
      );
      const reading = readAll(check);
      await clock.tickAsync(150);
      await check.stop();
      expect(await reading).toEqual([true]);
    });
    expect(caught).toEqual([failure]);
    // Reported once: a later read does not throw it again.
    expect(await check?.[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });
});
