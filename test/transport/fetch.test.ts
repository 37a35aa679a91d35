import { afterEach, describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { type FetchTransportOptions, fetchTransport } from '../../src/transport/fetch.js';
import { DEFAULT_USER_AGENT, type HttpTransport, httpTransport } from '../../src/transport/http.js';
import { describeOutcome, outcomeOfError, transportError } from '../../src/transport/outcome.js';
import type { Transport } from '../../src/transport/types.js';
import { closedPort, type Handler, ok, type ProbeServer, startProbeServer } from './support/probe-server.js';
import { type RawServer, startRawServer } from './support/raw-server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function server(handler?: Handler): Promise<ProbeServer> {
  const started = await startProbeServer(handler);
  closers.push(() => started.close());
  return started;
}

async function raw(answer: (request: number) => string): Promise<RawServer> {
  const started = await startRawServer(answer);
  closers.push(() => started.close());
  return started;
}

function http(): HttpTransport {
  const transport = httpTransport();
  closers.push(() => transport.close());
  return transport;
}

/** The label a trace shows for one probe through `transport`. */
async function label(
  transport: Transport,
  url: string,
  signal = new AbortController().signal,
): Promise<string> {
  try {
    const { status } = await transport({ url, timeout: 60_000, signal });
    return String(status);
  } catch (error) {
    return describeOutcome(outcomeOfError(error));
  }
}

const FAULTS: Array<[string, () => Promise<string>]> = [
  ['a 200', async () => (await server(ok(200))).url()],
  ['a 503', async () => (await server(ok(503))).url()],
  ['a 302 (not followed)', async () => (await server(ok(302))).url()],
  ['a refused connection', async () => `http://127.0.0.1:${await closedPort()}/healthz`],
  ['a reset', async () => (await server((request) => request.socket.resetAndDestroy())).url()],
  ['a close without a response', async () => (await server((request) => request.socket.destroy())).url()],
  [
    'a close in the middle of the body',
    async () =>
      (
        await server((request, response) => {
          response.writeHead(200, { 'content-length': 100 });
          response.write('partial', () => request.socket.destroy());
        })
      ).url(),
  ],
  ['bytes that are not HTTP', async () => (await raw(() => 'SSH-2.0-OpenSSH_9.6\r\n')).url()],
  [
    'a status below 100',
    async () => (await raw(() => 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n')).url(),
  ],
  ['an unusable URL', async () => 'ftp://127.0.0.1/healthz'],
];

describe('fetchTransport gives the same outcome as httpTransport for every fault', () => {
  it.each(FAULTS)('%s', async (_what, start) => {
    const url = await start();
    const viaHttp = await label(http(), url);
    const viaFetch = await label(fetchTransport(), url);
    expect(viaFetch).toBe(viaHttp);
    expect(viaFetch).not.toMatch(/^error:/);
  });
});

describe('fetchTransport sends one plain GET', () => {
  it('sends the path and query, names probekit as the User-Agent, and never requests a Location', async () => {
    const target = await server(ok(301));
    const transport = fetchTransport();
    const signal = new AbortController().signal;
    await expect(transport({ url: target.url('/healthz?deep=1'), timeout: 1000, signal })).resolves.toEqual({
      status: 301,
    });
    expect(target.requests).toMatchObject([
      { method: 'GET', url: '/healthz?deep=1', userAgent: DEFAULT_USER_AGENT },
    ]);
  });

  it('calls the fetch of the moment, not the one there was at creation (msw patches it later)', async () => {
    const transport = fetchTransport();
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = async (input) => {
      seen.push(String(input));
      return new Response(null, { status: 204 });
    };
    try {
      const signal = new AbortController().signal;
      await expect(transport({ url: 'http://svc.test/healthz', timeout: 1000, signal })).resolves.toEqual({
        status: 204,
      });
    } finally {
      globalThis.fetch = original;
    }
    expect(seen).toEqual(['http://svc.test/healthz']);
  });
});

describe('fetchTransport gives up when its signal aborts', () => {
  it('rejects at once with the signal reason while the server hangs, and the server sees the close', async () => {
    const target = await server(() => {});
    const transport = fetchTransport();
    const controller = new AbortController();
    const probe = transport({ url: target.url(), timeout: 1000, signal: controller.signal });
    await target.until(() => target.requests.length === 1);
    const reason = transportError('timeout', 'the probe timed out');
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    await target.until(() => target.stats.closed === 1);
  });

  it('rejects with the reason of a signal that aborted before the call, sending nothing', async () => {
    const target = await server();
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(
      fetchTransport()({ url: target.url(), timeout: 1000, signal: controller.signal }),
    ).rejects.toThrow('already');
    expect(target.requests).toHaveLength(0);
  });

  it('leaves no listener on a signal shared by many probes', async () => {
    const target = await server();
    const transport = fetchTransport();
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      add(...args);
    };
    controller.signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
      removed++;
      remove(...args);
    };
    for (let i = 0; i < 20; i++) {
      await transport({ url: target.url(), timeout: 1000, signal: controller.signal });
    }
    // One listener for the signal's lifetime (probekit's watch list), none per probe.
    expect(added - removed).toBeLessThanOrEqual(1);
  });
});

describe('fetchTransport drains the body with a cap', () => {
  it('resolves with the status once the cap is passed, while the rest of the body never comes', async () => {
    const target = await server((_request, response) => {
      response.writeHead(200, { 'content-length': 1_000_000 });
      response.write(Buffer.alloc(4096));
    });
    const transport = fetchTransport({ maxBodyBytes: 1024 });
    const signal = new AbortController().signal;
    await expect(transport({ url: target.url(), timeout: 1000, signal })).resolves.toEqual({ status: 200 });
  });

  it('waits for the whole body under the cap (a body slower than the timeout is a timeout)', async () => {
    let finish: (() => void) | undefined;
    const target = await server((_request, response) => {
      response.writeHead(200, { 'content-length': 10 });
      response.write('hello');
      finish = () => response.end('world');
    });
    const transport = fetchTransport();
    const signal = new AbortController().signal;
    let settled = false;
    const probe = transport({ url: target.url(), timeout: 1000, signal }).finally(() => {
      settled = true;
    });
    await target.until(() => finish !== undefined);
    // The head has arrived; a few turns of I/O later the probe still waits for the body.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    finish?.();
    await expect(probe).resolves.toEqual({ status: 200 });
  });
});

describe('fetchTransport rejects bad options at creation', () => {
  it.each<[string, unknown]>([
    ['maxBodyBytes', -1],
    ['userAgent', 'bad\nagent'],
    ['fetch', 'not a function'],
  ])('rejects %s = %j with ERR_PROBEKIT_INVALID_OPTION naming the option', (name, value) => {
    const create = () => fetchTransport({ [name]: value } as FetchTransportOptions);
    expect(create).toThrow(ProbekitError);
    expect(create).toThrow(expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_OPTION' }));
    expect(create).toThrow(name);
  });
});
