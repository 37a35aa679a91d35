import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { type HttpTransportOptions, httpTransport } from '../../src/transport/http.js';

describe('httpTransport rejects bad options at creation', () => {
  it.each<[string, unknown]>([
    ['connectionsPerOrigin', 0],
    ['connectionsPerOrigin', 2.5],
    ['idleTimeout', -1],
    ['idleTimeout', 3e9],
    ['clock', {}],
    ['maxBodyBytes', -1],
    ['maxBodyBytes', Number.NaN],
    ['userAgent', ''],
    ['userAgent', 'bad\nagent'],
    ['engine', 'fasthttp'],
  ])('rejects %s = %j with ERR_PROBEKIT_INVALID_OPTION naming the option', (name, value) => {
    const create = () => httpTransport({ [name]: value } as HttpTransportOptions);
    expect(create).toThrow(ProbekitError);
    expect(create).toThrow(expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_OPTION' }));
    expect(create).toThrow(name);
  });

  it('rejects options that are not an object', () => {
    expect(() => httpTransport(5 as unknown as HttpTransportOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_OPTION' }),
    );
  });

  it.each(['undici', 'raw'] as const)(
    'accepts engine %j and gives the same transport interface',
    async (engine) => {
      const transport = httpTransport({ engine });
      expect(typeof transport).toBe('function');
      expect(transport.pooledOrigins).toBe(0);
      await transport.close();
      expect(transport.closed).toBe(true);
    },
  );

  it('accepts an unlimited body cap', async () => {
    const transport = httpTransport({ maxBodyBytes: Number.POSITIVE_INFINITY });
    expect(typeof transport).toBe('function');
    await transport.close();
  });
});
