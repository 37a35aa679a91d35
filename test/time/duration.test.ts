import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/time/duration.js';

describe('parseDuration reads Go-style durations', () => {
  it.each([
    ['5s', 5000],
    ['150ms', 150],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['500us', 0.5],
    ['0', 0],
    [' 100ms ', 100],
  ])('%s is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['', /it is empty/],
    ['100', /the number 100 has no unit.*"100ms"/],
    ['5 s', /unexpected " s" at column 2/],
    ['5x', /unexpected "x" at column 2/],
    ['-5s', /negative/],
    ['s', /unexpected "s" at column 1/],
  ])('rejects %j with a clear error', (input, message) => {
    let error: unknown;
    try {
      parseDuration(input, '--interval');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_DURATION');
    expect((error as Error).message).toMatch(/^Failed to parse --interval/);
    expect((error as Error).message).toMatch(message);
  });

  it('formats milliseconds back to a duration it can read', () => {
    for (const ms of [0, 150, 1500, 5000, 60_000, 90_000, 3_600_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('parseDuration refuses durations no timer can wait', () => {
  it('accepts exactly MAX_DURATION_MS (2^31−1 ms)', () => {
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
    expect(parseDuration('2147483647ms')).toBe(MAX_DURATION_MS);
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
  });

  it('rejects --interval 597h (which Node would fire at once, spinning the checker) naming the limit', () => {
    let error: unknown;
    try {
      parseDuration('597h', '--interval');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_DURATION');
    expect((error as Error).message).toMatch(/^Failed to parse --interval "597h": it is 2149200000 ms/);
    expect((error as Error).message).toContain('2147483647 ms');
  });

  it('rejects one millisecond over the limit', () => {
    expect(() => parseDuration('2147483648ms')).toThrow(/longer than the longest timer/);
  });
});
