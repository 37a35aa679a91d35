// The callback form of probekit's HTTP transports (PROBE_WITH_CALLBACKS), which the checker's
// loop uses instead of the promise (docs/decisions/0018-callback-loop.md): the same probe, the
// same answers and errors, and never a call back from inside the call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpTransport } from '../../src/transport/http.js';
import { PROBE_WITH_CALLBACKS, type ProbeWithCallbacks } from '../../src/transport/pooled-transport.js';
import type { ProbeResponse } from '../../src/transport/types.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(status: number): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status);
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
}

function callbackFormOf(transport: object): ProbeWithCallbacks {
  return (transport as Record<symbol, unknown>)[PROBE_WITH_CALLBACKS] as ProbeWithCallbacks;
}

/** Calls the callback form; records whether it called back before returning. */
function probe(
  withCallbacks: ProbeWithCallbacks,
  url: string,
  signal = new AbortController().signal,
): { settled: Promise<{ response?: ProbeResponse; error?: unknown }>; calledBackInside: boolean } {
  let inside = true;
  let calledBackInside = false;
  const settled = new Promise<{ response?: ProbeResponse; error?: unknown }>((resolve) => {
    withCallbacks(
      { url, timeout: 1000, signal },
      {
        resolve(response) {
          if (inside) calledBackInside = true;
          resolve({ response });
        },
        reject(error) {
          if (inside) calledBackInside = true;
          resolve({ error });
        },
      },
    );
  });
  inside = false;
  return {
    settled,
    get calledBackInside() {
      return calledBackInside;
    },
  };
}

describe.each(['raw', 'undici'] as const)('the callback form of httpTransport({ engine: %s })', (engine) => {
  it('is on the transport, and answers what the promise answers', async () => {
    const transport = httpTransport({ engine });
    try {
      const withCallbacks = callbackFormOf(transport);
      expect(typeof withCallbacks).toBe('function');
      const url = await serve(503);
      const viaPromise = await transport({ url, timeout: 1000, signal: new AbortController().signal });
      const call = probe(withCallbacks, url);
      expect(await call.settled).toEqual({ response: viaPromise });
      expect(viaPromise).toEqual({ status: 503 });
    } finally {
      await transport.close();
    }
  });

  it('rejects what cannot be sent (bad address, aborted signal, closed transport) later, not inside the call', async () => {
    const transport = httpTransport({ engine });
    const withCallbacks = callbackFormOf(transport);
    const url = await serve(200);

    const bad = probe(withCallbacks, 'ftp://127.0.0.1/healthz');
    expect((await bad.settled).error).toBeInstanceOf(Error);
    expect(bad.calledBackInside).toBe(false);

    const controller = new AbortController();
    const reason = new Error('given up');
    controller.abort(reason);
    const aborted = probe(withCallbacks, url, controller.signal);
    expect((await aborted.settled).error).toBe(reason);
    expect(aborted.calledBackInside).toBe(false);

    await transport.close();
    const closed = probe(withCallbacks, url);
    const { error } = await closed.settled;
    expect(String((error as Error).message)).toMatch(/stopped|closed/i);
    expect(closed.calledBackInside).toBe(false);
  });
});
