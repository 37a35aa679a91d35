import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import {
  type CheckEvent,
  startEndpointHealthCheck,
  withAbortSignal,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from '../../src/checker/index.js';
import { ProbekitError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/types.js';
import { scriptedTransport } from '../support/virtual-run.js';

function setup(items: string[], after = '200') {
  const clock = FakeTimers.createClock(0);
  const endpoint = scriptedTransport(clock, items, after);
  const { transport } = endpoint;
  const base = [withClock(clock), withTransport(transport), withInterval(100), withInitialDelay(0)];
  return {
    clock,
    transport,
    base,
    get requests() {
      return endpoint.requests;
    },
  };
}

describe('stop() leaves nothing running', () => {
  it('during the initial delay: no timer left, the iterator finishes', async () => {
    const { clock, base } = setup([]);
    const check = startEndpointHealthCheck('http://svc/healthz', ...base, withInitialDelay(1000));
    await clock.tickAsync(500);
    await check.stop();
    expect(clock.countTimers()).toBe(0);
    expect(await check[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(check.state.phase).toBe('stopped');
  });

  it('in the middle of a hanging probe: the probe is aborted and its timeout timer cleared', async () => {
    const { clock, base } = setup(['hang']);
    let aborted: unknown;
    const hanging: Transport = ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          reject(signal.reason);
        }),
      );
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withTransport(hanging),
      withRequestTimeout(5000),
    );
    await clock.tickAsync(150);
    expect(check.state.phase).toBe('probing');
    await check.stop();
    expect(aborted).toBeInstanceOf(ProbekitError);
    expect((aborted as ProbekitError).code).toBe('ERR_PROBEKIT_STOPPED');
    expect(clock.countTimers()).toBe(0);
  });

  it('even when the transport ignores the abort signal', async () => {
    const { clock, base } = setup([]);
    const deaf: Transport = () => new Promise(() => {});
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      ...base,
      withTransport(deaf),
      withRequestTimeout(5000),
    );
    await clock.tickAsync(150);
    await check.stop();
    expect(clock.countTimers()).toBe(0);
  });

  it('while the loop is blocked on an unread signal: the buffered value is still delivered, then done', async () => {
    const { clock, base } = setup([]);
    const check = startEndpointHealthCheck('http://svc/healthz', ...base);
    await clock.tickAsync(450);
    expect(check.state.phase).toBe('blocked');
    await check.stop();
    expect(clock.countTimers()).toBe(0);
    const iterator = check[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: true });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('when the abort signal passed with withAbortSignal aborts', async () => {
    const { clock, base } = setup([]);
    const controller = new AbortController();
    const check = startEndpointHealthCheck('http://svc/healthz', ...base, withAbortSignal(controller.signal));
    const seen: boolean[] = [];
    const reading = (async () => {
      for await (const value of check) seen.push(value);
    })();
    await clock.tickAsync(250);
    controller.abort();
    await reading;
    expect(seen).toEqual([true, true]);
    expect(clock.countTimers()).toBe(0);
  });

  it('when the consumer breaks out of for-await', async () => {
    const run = setup([]);
    const { clock, base } = run;
    const check = startEndpointHealthCheck('http://svc/healthz', ...base);
    const reading = (async () => {
      for await (const value of check) if (value) break;
    })();
    await clock.tickAsync(100);
    await reading;
    expect(check.state.phase).toBe('stopped');
    await clock.tickAsync(500);
    expect(run.requests).toEqual([100]);
    expect(clock.countTimers()).toBe(0);
  });

  it('is idempotent', async () => {
    const { base } = setup([]);
    const check = startEndpointHealthCheck('http://svc/healthz', ...base);
    await Promise.all([check.stop(), check.stop()]);
    await check.stop();
    expect(check.state.phase).toBe('stopped');
  });
});

describe('invalid options fail fast with a clear error', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['interval 0', () => startEndpointHealthCheck('http://x', withInterval(0)), /interval 0 is not positive/],
    ['interval -5', () => startEndpointHealthCheck('http://x', withInterval(-5)), /interval -5/],
    ['interval NaN', () => startEndpointHealthCheck('http://x', withInterval(Number.NaN)), /interval NaN/],
    [
      'negative delay',
      () => startEndpointHealthCheck('http://x', withInitialDelay(-1)),
      /initialDelay -1 is negative/,
    ],
    [
      'negative timeout',
      () => startEndpointHealthCheck('http://x', withRequestTimeout(-1)),
      /requestTimeout -1/,
    ],
    [
      'threshold 1.5',
      () => startEndpointHealthCheck('http://x', withFailureThreshold(1.5)),
      /failureThreshold 1.5/,
    ],
    [
      'status 99',
      () => startEndpointHealthCheck('http://x', withSuccessStatusCode(99)),
      /successStatusCode 99/,
    ],
    [
      'status 600',
      () => startEndpointHealthCheck('http://x', withSuccessStatusCode(600)),
      /successStatusCode 600/,
    ],
    ['not an option', () => startEndpointHealthCheck('http://x', 5 as never), /option #1 5 is not an option/],
  ];
  it.each(cases)('rejects %s', (_name, start, message) => {
    let error: unknown;
    try {
      start();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((error as Error).message).toMatch(message);
  });

  it('accepts a later option that fixes an earlier one (options apply in order)', async () => {
    const { base } = setup([]);
    const check = startEndpointHealthCheck('http://x', withInterval(0), ...base, withInterval(50));
    expect(check.options.interval).toBe(50);
    await check.stop();
  });

  it('accepts threshold 0 (faithful to Dapr: it never emits false)', async () => {
    const { base } = setup([]);
    const check = startEndpointHealthCheck('http://x', ...base, withFailureThreshold(0));
    expect(check.options.failureThreshold).toBe(0);
    await check.stop();
  });
});

describe('probe failures that never reach the network', () => {
  it('fails every probe of an unparsable address without calling the transport', async () => {
    const run = setup([]);
    const { clock, base } = run;
    const events: CheckEvent[] = [];
    const check = startEndpointHealthCheck(
      'invalid',
      ...base,
      withObserver((e) => events.push(e)),
    );
    await clock.tickAsync(250);
    await check.stop();
    expect(run.requests).toEqual([]);
    const outcomes = events
      .filter((e) => e.type === 'probe-end')
      .map((e) => e.type === 'probe-end' && e.outcome);
    expect(outcomes).toEqual([{ kind: 'invalid-url' }, { kind: 'invalid-url' }]);
  });

  it('counts a transport that throws synchronously as a failure, with its code', async () => {
    const { clock, base } = setup([]);
    const events: CheckEvent[] = [];
    const throwing: Transport = () => {
      throw Object.assign(new Error('boom'), { code: 'EBOOM' });
    };
    const check = startEndpointHealthCheck(
      'http://x',
      ...base,
      withTransport(throwing),
      withObserver((e) => events.push(e)),
    );
    await clock.tickAsync(150);
    await check.stop();
    expect(events.find((e) => e.type === 'probe-end')).toMatchObject({
      outcome: { kind: 'error', code: 'EBOOM' },
    });
  });
});

describe('observers', () => {
  it('see every step of the loop with the clock time, in order for a simple run', async () => {
    const { clock, base } = setup(['503', '503']);
    const events: CheckEvent[] = [];
    const check = startEndpointHealthCheck(
      'http://x',
      ...base,
      withObserver((e) => events.push(e)),
    );
    const reading = (async () => {
      for await (const _ of check);
    })();
    await clock.tickAsync(200);
    await check.stop();
    await reading;
    expect(events.map((e) => `${e.at} ${e.type}`)).toEqual([
      '0 start',
      '0 delay-end',
      '100 tick',
      '100 probe-start',
      '100 probe-end',
      '200 tick',
      '200 probe-start',
      '200 probe-end',
      '200 signal',
      '200 delivered',
      '200 stop',
    ]);
    expect(
      events.filter((e) => e.type === 'probe-end').map((e) => e.type === 'probe-end' && e.failureCount),
    ).toEqual([1, 2]);
  });

  it('an observer that throws stops the check and the error surfaces from the iterator', async () => {
    const { clock, base } = setup([]);
    const check = startEndpointHealthCheck(
      'http://x',
      ...base,
      withObserver((e) => {
        if (e.type === 'probe-end') throw new Error('observer bug');
      }),
    );
    const reading = expect(
      (async () => {
        for await (const _ of check);
      })(),
    ).rejects.toThrow('observer bug');
    await clock.tickAsync(150);
    await reading;
    expect(check.state.phase).toBe('stopped');
  });
});
