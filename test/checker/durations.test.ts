import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import {
  type Option,
  startEndpointHealthCheck,
  withClock,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withTransport,
} from '../../src/checker/index.js';
import { ProbekitError } from '../../src/errors.js';
import { scenarioProblems } from '../../src/scenario/validate.js';
import { MAX_DURATION_MS } from '../../src/time/duration.js';
import type { Transport } from '../../src/transport/types.js';

const ok: Transport = async () => ({ status: 200 });

function startError(...opts: Option[]): unknown {
  const clock = FakeTimers.createClock(0);
  try {
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      withClock(clock),
      withTransport(ok),
      ...opts,
    );
    void check.stop();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('duration options are capped at MAX_DURATION_MS (2^31−1 ms)', () => {
  it.each([
    ['interval', withInterval(3e9)],
    ['initialDelay', withInitialDelay(3e9)],
    ['requestTimeout', withRequestTimeout(3e9)],
  ])('refuses %s 3e9 naming the option, the value and the limit', (name, option) => {
    const error = startError(option);
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((error as Error).message).toContain(`${name} 3000000000 is longer than the longest timer`);
    expect((error as Error).message).toContain(String(MAX_DURATION_MS));
  });

  it.each([
    ['interval', withInterval(MAX_DURATION_MS)],
    ['initialDelay', withInitialDelay(MAX_DURATION_MS)],
    ['requestTimeout', withRequestTimeout(MAX_DURATION_MS)],
  ])('accepts %s of exactly MAX_DURATION_MS', (_name, option) => {
    expect(startError(option)).toBeUndefined();
  });

  it('a check with the longest interval waits for it instead of probing in a busy loop', async () => {
    const clock = FakeTimers.createClock(0);
    let probes = 0;
    const check = startEndpointHealthCheck(
      'http://svc/healthz',
      withClock(clock),
      withTransport(async () => {
        probes++;
        return { status: 200 };
      }),
      withInterval(MAX_DURATION_MS),
      withInitialDelay(0),
    );
    await clock.tickAsync(MAX_DURATION_MS - 1);
    expect(probes).toBe(0);
    await clock.tickAsync(1);
    expect(probes).toBe(1);
    await check.stop();
    expect(clock.countTimers()).toBe(0);
  });
});

describe('the scenario schema follows the same limit', () => {
  const scenario = (options: Record<string, number>) => ({
    id: 'long-interval',
    description: 'an interval no timer can wait',
    rules: ['schedule.first-tick'],
    level: 'core',
    options,
    script: '200...',
    durationMs: 1000,
  });

  it.each(['intervalMs', 'initialDelayMs', 'requestTimeoutMs'])(
    'refuses %s above MAX_DURATION_MS',
    (field) => {
      const problems = scenarioProblems(scenario({ [field]: MAX_DURATION_MS + 1 }));
      expect(problems).toEqual([`/options/${field} must be <= ${MAX_DURATION_MS}`]);
    },
  );

  it('accepts intervalMs of exactly MAX_DURATION_MS', () => {
    expect(scenarioProblems(scenario({ intervalMs: MAX_DURATION_MS }))).toEqual([]);
  });
});
