import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach } from 'vitest';
import { type HttpTransport, httpTransport } from '../../../src/transport/http.js';
import type { ProbeResponse } from '../../../src/transport/types.js';
import { withTestEngine } from './engine.js';
import { type Handler, type ProbeServer, startProbeServer } from './probe-server.js';

/**
 * Per-test resources, all released after each test: servers, transports, and a count of the
 * connections undici starts (`undici:client:beforeConnect`) and requests it creates.
 */
export function useHarness() {
  const servers: ProbeServer[] = [];
  const transports: HttpTransport[] = [];
  const undici = { connects: 0, requests: 0 };
  const onConnect = () => undici.connects++;
  const onRequest = () => undici.requests++;
  subscribe('undici:client:beforeConnect', onConnect);
  subscribe('undici:request:create', onRequest);
  // The raw engine's own channels count the same things.
  subscribe('probekit:raw:connect', onConnect);
  subscribe('probekit:raw:request', onRequest);

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
    undici.connects = 0;
    undici.requests = 0;
  });
  afterAll(() => {
    unsubscribe('undici:client:beforeConnect', onConnect);
    unsubscribe('undici:request:create', onRequest);
    unsubscribe('probekit:raw:connect', onConnect);
    unsubscribe('probekit:raw:request', onRequest);
  });

  return {
    undici,
    async server(handler?: Handler): Promise<ProbeServer> {
      const server = await startProbeServer(handler);
      servers.push(server);
      return server;
    },
    /** An `httpTransport` on the engine under test (see ./engine.ts). */
    transport(options?: Parameters<typeof httpTransport>[0]): HttpTransport {
      const transport = httpTransport(withTestEngine(options));
      transports.push(transport);
      return transport;
    },
  };
}

/** A probe that has not been aborted, with a long (informational) timeout. */
export function get(transport: HttpTransport, url: string, signal = new AbortController().signal) {
  return transport({ url, timeout: 60_000, signal });
}

/** Tracks whether a promise has settled, without handling its rejection for the caller. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  const state = { promise, settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** Lets pending I/O callbacks run a few times (not a sleep: it waits for nothing in particular). */
export async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export type { ProbeResponse };
