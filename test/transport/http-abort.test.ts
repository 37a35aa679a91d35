import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { transportError } from '../../src/transport/outcome.js';
import { get, track, turns, useHarness } from './support/harness.js';

const harness = useHarness();

/** Holds every request until `release()`, then answers the held ones and all later ones with 200. */
function holdAll() {
  const held: ServerResponse[] = [];
  let holding = true;
  const answer = (response: ServerResponse) => response.writeHead(200, { 'content-length': 0 }).end();
  return {
    handler: (_request: unknown, response: ServerResponse) => {
      if (holding) held.push(response);
      else answer(response);
    },
    release() {
      holding = false;
      for (const response of held.splice(0)) answer(response);
    },
  };
}

describe('httpTransport gives up on a probe when its signal aborts', () => {
  it('rejects with the signal reason, destroys that connection, and opens a new one next time', async () => {
    let hang = true;
    const server = await harness.server((_request, response) => {
      if (!hang) response.writeHead(200, { 'content-length': 0 }).end();
    });
    const transport = harness.transport();
    const controller = new AbortController();
    const probe = get(transport, server.url(), controller.signal);
    await server.until(() => server.requests.length === 1);

    const reason = transportError('timeout', 'the probe timed out');
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    await server.until(() => server.stats.closed === 1);

    hang = false;
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats.accepted).toBe(2);
    expect(server.requests.map((request) => request.connection)).toEqual([1, 2]);
  });

  it('rejects with the signal reason when it aborts in the middle of the body', async () => {
    const server = await harness.server((_request, response) => {
      response.writeHead(200, { 'content-length': 1000 });
      response.write('x'.repeat(10));
    });
    const transport = harness.transport();
    const controller = new AbortController();
    const probe = get(transport, server.url(), controller.signal);
    await server.until(() => server.requests.length === 1);
    const reason = new Error('stopped');
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    await server.until(() => server.stats.closed === 1);
  });

  it('rejects at once with the reason of a signal that is already aborted, sending nothing', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    const reason = transportError('timeout', 'requestTimeout is 0');
    await expect(get(transport, server.url(), AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(harness.undici).toEqual({ connects: 0, requests: 0 });
  });

  it('never sends a probe aborted while it waits for a busy connection, and closes no connection', async () => {
    const hold = holdAll();
    const server = await harness.server(hold.handler);
    const transport = harness.transport({ connectionsPerOrigin: 2 });
    const busy = [get(transport, server.url()), get(transport, server.url())];
    const controller = new AbortController();
    const queued = get(transport, server.url(), controller.signal);
    await server.until(() => server.requests.length === 2);

    controller.abort(new Error('gave up'));
    await expect(queued).rejects.toThrow('gave up');
    hold.release();
    await expect(Promise.all(busy)).resolves.toEqual([{ status: 200 }, { status: 200 }]);
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });

    expect(server.requests).toHaveLength(3);
    expect(server.stats).toMatchObject({ accepted: 2, closed: 0 });
  });

  it('does not hold on to the signal after the probe ends', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await get(transport, server.url(), controller.signal);
    // Aborting a signal whose probes all finished must not touch the pooled connection.
    controller.abort();
    await turns();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats).toMatchObject({ accepted: 1, closed: 0 });
  });

  it('ignores an abort that comes after the probe resolved', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    const controller = new AbortController();
    const probe = track(get(transport, server.url(), controller.signal));
    await expect(probe.promise).resolves.toEqual({ status: 200 });
    controller.abort();
    await expect(probe.promise).resolves.toEqual({ status: 200 });
  });
});

describe('httpTransport shares one abort listener among the probes of a signal', () => {
  it('rejects every probe on a shared signal when it aborts, without a listener-leak warning', async () => {
    const server = await harness.server(() => {});
    const transport = harness.transport({ connectionsPerOrigin: 20 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const probes = Array.from({ length: 20 }, () => get(transport, server.url(), controller.signal));
      await server.until(() => server.requests.length === 20);
      const reason = new Error('stop');
      controller.abort(reason);
      const results = await Promise.allSettled(probes);
      expect(results.every((result) => result.status === 'rejected' && result.reason === reason)).toBe(true);
      await server.until(() => server.stats.closed === 20);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
