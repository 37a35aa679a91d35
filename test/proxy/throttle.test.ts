import http from 'node:http';
import FakeTimers from '@sinonjs/fake-timers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from '../../src/endpoint/backends/proxy/index.js';
import { ProbekitError } from '../../src/errors.js';
import { turnsUntil, viaNodeHttp } from '../endpoint/clients.js';
import { startUpstream, type TestUpstream } from './upstream.js';

let upstream: TestUpstream;
let proxies: FaultProxy[] = [];
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  proxies = [];
});

async function proxy(options: FaultProxyOptions) {
  const started = await startFaultProxy(upstream.origin, 'pass...', options);
  proxies.push(started);
  return started;
}

/** Resolves with what the client saw; `settled()` says whether it has. */
function watch<T>(promise: Promise<T>) {
  let settled: T | undefined;
  const result = promise.then((value) => {
    settled = value;
    return value;
  });
  return { result, settled: () => settled };
}

describe('bandwidth and limit-data on pass', () => {
  it("paces the upstream's 11-byte body at 10 bytes/s: complete at 1 s on the proxy clock, not before", async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy({ clock, bandwidth: { down: 10 } });
    const seen = watch(viaNodeHttp(`${p.url}/ok`));
    expect(await turnsUntil(() => p.journal.at(0)?.upstream !== undefined)).toBe(true);
    await clock.tickAsync(999);
    expect(await turnsUntil(() => seen.settled() !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await seen.result).toEqual({ status: 200, body: 'upstream ok' });
  });

  it('paces the request body to the upstream at the up rate', async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy({ clock, bandwidth: { up: 5 } });
    const seen = watch(
      new Promise<string>((resolve, reject) => {
        const request = http.request(`${p.url}/echo`, { method: 'POST', agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (piece: string) => {
            text += piece;
          });
          res.on('end', () => resolve(text));
        });
        request.on('error', reject);
        request.end('0123456789');
      }),
    );
    expect(await turnsUntil(() => p.journal.total === 1)).toBe(true);
    // 10 bytes at 5 bytes/s: the last one leaves at 1.8 s.
    await clock.tickAsync(1799);
    expect(await turnsUntil(() => seen.settled() !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await seen.result).toMatch(/^POST .* 0123456789$/);
  });

  it('cuts the connection after limitData body bytes and keeps serving', async () => {
    const p = await proxy({ limitData: 5 });
    const seen = await viaNodeHttp(`${p.url}/ok`);
    expect(seen).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|ERR_STREAM_PREMATURE_CLOSE)$/) });
    expect(p.journal.at(0)?.upstream?.status).toBe(200);
    // A body shorter than the limit goes through whole.
    const roomy = await proxy({ limitData: 11 });
    expect(await viaNodeHttp(`${roomy.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
  });

  it('refuses a bandwidth or limit that is not a positive whole number, naming it', async () => {
    for (const options of [{ bandwidth: { down: 0 } }, { bandwidth: { up: 1.5 } }, { limitData: -1 }]) {
      const error = await startFaultProxy(upstream.origin, 'pass', options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProbekitError);
      expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
      expect((error as Error).message).toMatch(/bandwidth\.(up|down)|limitData/);
    }
  });
});
