import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { describeOutcome, outcomeOfError, transportError } from '../../src/transport/outcome.js';

describe('outcomeOfError classifies a rejection by its code', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ECONNCLOSED', 'closed'],
    ['UND_ERR_SOCKET', 'closed'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['ERR_INVALID_URL', 'invalid-url'],
  ])('maps code %s to %s', (code, kind) => {
    expect(outcomeOfError(Object.assign(new Error(code), { code }))).toEqual({ kind });
  });

  it('looks through cause for the code', () => {
    const error = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    expect(outcomeOfError(error)).toEqual({ kind: 'reset' });
  });

  it('counts a TimeoutError abort reason as a timeout', () => {
    expect(outcomeOfError(new DOMException('timed out', 'TimeoutError'))).toEqual({ kind: 'timeout' });
  });

  it('reports a plain AbortError as an ABORT_ERR error, not a timeout', () => {
    const controller = new AbortController();
    controller.abort();
    expect(outcomeOfError(controller.signal.reason)).toEqual({ kind: 'error', code: 'ABORT_ERR' });
  });

  it('keeps an unknown code, and says EUNKNOWN when there is none', () => {
    expect(outcomeOfError(new ProbekitError('ERR_PROBEKIT_STOPPED', 'x'))).toEqual({
      kind: 'error',
      code: 'ERR_PROBEKIT_STOPPED',
    });
    expect(outcomeOfError(new Error('no code'))).toEqual({ kind: 'error', code: 'EUNKNOWN' });
    expect(outcomeOfError('a string')).toEqual({ kind: 'error', code: 'EUNKNOWN' });
  });
});

describe('transportError builds errors that round-trip through outcomeOfError', () => {
  it.each(['timeout', 'refused', 'reset', 'closed', 'invalid-url'] as const)('round-trips %s', (kind) => {
    const cause = new Error('original');
    const error = transportError(kind, 'message', { cause });
    expect(error.cause).toBe(cause);
    expect(outcomeOfError(error)).toEqual({ kind });
    expect(describeOutcome(outcomeOfError(error))).toBe(kind);
  });
});
