import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { MALFORMED_CODE } from '../../src/endpoint/backends/in-process.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { ProbekitError } from '../../src/errors.js';
import { outcomeOfError } from '../../src/transport/outcome.js';

const PROBE_URL = 'http://endpoint.test/healthz';

function setup(script: string, seed = 0) {
  const clock = FakeTimers.createClock(0);
  const endpoint = flakyEndpoint(script, { clock, seed });
  /** Starts a probe and tracks how it settles. */
  const probe = (signal = new AbortController().signal) => {
    const state: { settled?: 'resolved' | 'rejected'; value?: unknown; at?: number } = {};
    const promise = endpoint.transport({ url: PROBE_URL, timeout: 1000, signal }).then(
      (value) => Object.assign(state, { settled: 'resolved', value, at: clock.now }),
      (value) => Object.assign(state, { settled: 'rejected', value, at: clock.now }),
    );
    return { state, promise };
  };
  return { clock, endpoint, probe };
}

describe('answering on the injected clock', () => {
  it('resolves a delayed status exactly when the delay has passed', async () => {
    const { clock, probe } = setup('delay 120 then 200');
    const { state } = probe();
    await clock.tickAsync(119);
    expect(state.settled).toBeUndefined();
    await clock.tickAsync(1);
    expect(state).toEqual({ settled: 'resolved', value: { status: 200 }, at: 120 });
    expect(clock.countTimers()).toBe(0);
  });

  it('resolves an immediate status without any timer', async () => {
    const { clock, probe } = setup('503');
    const { state, promise } = probe();
    expect(clock.countTimers()).toBe(0);
    await promise;
    expect(state).toEqual({ settled: 'resolved', value: { status: 503 }, at: 0 });
  });

  it('completes slow steps when the whole response has arrived (delay plus dribble)', async () => {
    const { clock, probe } = setup('delay 50ms then slow-body 200 over 1s, slow-headers 204 over 300ms');
    const body = probe();
    await clock.tickAsync(1049);
    expect(body.state.settled).toBeUndefined();
    await clock.tickAsync(1);
    expect(body.state).toEqual({ settled: 'resolved', value: { status: 200 }, at: 1050 });
    const head = probe();
    await clock.tickAsync(300);
    expect(head.state).toEqual({ settled: 'resolved', value: { status: 204 }, at: 1350 });
  });
});

describe('hanging', () => {
  it('never settles until the request is aborted, then rejects with the abort reason and leaves nothing pending', async () => {
    const { clock, endpoint, probe } = setup('hang');
    const controller = new AbortController();
    const { state, promise } = probe(controller.signal);
    await clock.tickAsync(3_600_000);
    expect(state.settled).toBeUndefined();
    const reason = new Error('probe timed out');
    controller.abort(reason);
    await promise;
    expect(state).toEqual({ settled: 'rejected', value: reason, at: 3_600_000 });
    expect(clock.countTimers()).toBe(0);
    expect(endpoint.journal.entries()[0]).toMatchObject({
      fate: 'aborted',
      endedAt: 3_600_000,
      explain: 'hang',
    });
  });

  it('also gives up a delayed answer on abort, clearing its timer', async () => {
    const { clock, endpoint, probe } = setup('delay 1s then 200');
    const controller = new AbortController();
    const { state, promise } = probe(controller.signal);
    await clock.tickAsync(400);
    controller.abort('timeout');
    await promise;
    expect(state).toEqual({ settled: 'rejected', value: 'timeout', at: 400 });
    expect(clock.countTimers()).toBe(0);
    await clock.tickAsync(1000);
    expect(endpoint.journal.entries()[0]).toMatchObject({ fate: 'aborted', endedAt: 400 });
  });
});

describe('failing like a network would', () => {
  async function failure(script: string) {
    const { probe } = setup(script);
    const { state, promise } = probe();
    await promise;
    expect(state.settled).toBe('rejected');
    return state.value as Error & { code: string };
  }

  it('rejects reset, close and refused with the transport codes the checker understands', async () => {
    expect((await failure('reset')).code).toBe('ECONNRESET');
    expect((await failure('close')).code).toBe('ECONNCLOSED');
    expect((await failure('refuse 1s')).code).toBe('ECONNREFUSED');
    expect(outcomeOfError(await failure('reset'))).toEqual({ kind: 'reset' });
    expect(outcomeOfError(await failure('close'))).toEqual({ kind: 'closed' });
    expect(outcomeOfError(await failure('refuse 1s'))).toEqual({ kind: 'refused' });
  });

  it('rejects a malformed response with the HTTP parser’s code', async () => {
    const error = await failure('malformed');
    expect(error.code).toBe(MALFORMED_CODE);
    expect(outcomeOfError(error)).toEqual({ kind: 'malformed' });
  });

  it('rejects a fault only after its delay', async () => {
    const { clock, probe } = setup('delay 30ms then reset');
    const { state } = probe();
    await clock.tickAsync(29);
    expect(state.settled).toBeUndefined();
    await clock.tickAsync(1);
    expect(state.settled).toBe('rejected');
    expect((state.value as { code: string }).code).toBe('ECONNRESET');
  });

  it('rejects an invalid URL without receiving anything', async () => {
    const { endpoint } = setup('200');
    const error = await endpoint
      .transport({ url: 'invalid', timeout: 1000, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('ERR_INVALID_URL');
    expect(endpoint.journal.total).toBe(0);
  });

  it('rejects an already aborted request at once without receiving it', async () => {
    const { endpoint } = setup('200');
    const controller = new AbortController();
    controller.abort('gone');
    await expect(
      endpoint.transport({ url: PROBE_URL, timeout: 1000, signal: controller.signal }),
    ).rejects.toBe('gone');
    expect(endpoint.journal.total).toBe(0);
  });
});

describe('counting requests', () => {
  it('counts every received request, including those the client abandons, but not refused ones', async () => {
    const { clock, endpoint, probe } = setup('hang, 200, refuse 1s, 201...');
    const controller = new AbortController();
    const hung = probe(controller.signal);
    controller.abort('timeout');
    await hung.promise;
    await probe().promise;
    await probe().promise; // refused
    await clock.tickAsync(1000);
    await probe().promise;
    expect(endpoint.journal.entries().map((e) => [e.index, e.explain, e.fate])).toEqual([
      [0, 'hang', 'aborted'],
      [1, '200', 'completed'],
      [2, '201', 'completed'],
    ]);
  });

  it('journals the time, method and path of each request', async () => {
    const { clock, endpoint } = setup('200');
    await clock.tickAsync(250);
    await endpoint.transport({ url: `${PROBE_URL}?x=1`, timeout: 1, signal: new AbortController().signal });
    expect(endpoint.journal.entries()[0]).toMatchObject({
      index: 0,
      time: 250,
      method: 'GET',
      path: '/healthz?x=1',
      fate: 'completed',
      endedAt: 250,
    });
    expect(endpoint.journal.seed).toBe(0);
  });
});

describe('creating an endpoint', () => {
  it('rejects a bad script or seed with a ProbekitError', () => {
    expect(() => flakyEndpoint('200*')).toThrow(ProbekitError);
    expect(() => flakyEndpoint('200', { seed: -1 })).toThrow(/the seed -1: it is not a whole number/);
    expect(() => flakyEndpoint({ routes: [] } as never)).toThrow(/must NOT have fewer than 1 items/);
  });
});
