import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { createHealthzServer, createSidecarHealthz, SERVER_DEFAULTS } from '../../src/healthz/index.js';

function thrown(make: () => unknown): ProbekitError {
  try {
    make();
  } catch (error) {
    if (error instanceof ProbekitError) return error;
    throw error;
  }
  throw new Error('expected a ProbekitError');
}

describe('bad options fail at creation with ERR_PROBEKIT_INVALID_OPTION naming the value', () => {
  it.each([
    ['shutdownGrace', { shutdownGrace: -1 }, '-1'],
    ['shutdownGrace', { shutdownGrace: 1.5 }, '1.5'],
    ['headersTimeout', { headersTimeout: 0 }, '0'],
    ['requestTimeout', { headersTimeout: 5000, requestTimeout: 1000 }, '1000'],
    ['keepAliveTimeout', { keepAliveTimeout: '5s' }, '"5s"'],
    ['logger', { logger: { info() {} } }, 'logger'],
    ['clock', { clock: {} }, 'clock'],
    ['httpDate', { httpDate: 'now' }, '"now"'],
    ['onListening', { onListening: 1 }, 'onListening 1'],
  ])('%s %j', (name, options, shown) => {
    const error = thrown(() => createHealthzServer(options as never));
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toMatch(/^Failed to create the healthz server: /);
    expect(error.message).toContain(name);
    expect(error.message).toContain(shown);
  });

  it('the sidecar checks appId and outbound too', () => {
    expect(thrown(() => createSidecarHealthz({ appId: 7 as never })).message).toMatch(
      /^Failed to create the sidecar healthz: appId 7 is not a string/,
    );
    expect(thrown(() => createSidecarHealthz({ outbound: 'yes' as never })).code).toBe(
      'ERR_PROBEKIT_INVALID_OPTION',
    );
    expect(thrown(() => createSidecarHealthz({ apiToken: 42 as never })).message).toMatch(
      /^Failed to create the sidecar healthz: apiToken 42 is not a string\. Pass the token/,
    );
  });
});

describe('defaults', () => {
  it('are Dapr 5 s grace plus the documented hardening limits', () => {
    expect(SERVER_DEFAULTS).toEqual({
      shutdownGrace: 5000,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 65_000,
    });
  });

  it('both flavours start not ready', () => {
    expect(createHealthzServer().isReady).toBe(false);
    const sidecar = createSidecarHealthz();
    expect(sidecar.isReady).toBe(false);
    expect(sidecar.isOutboundReady).toBe(false);
  });
});
