import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { get, turns, useHarness } from './support/harness.js';

const harness = useHarness();

describe('httpTransport keeps connections alive', () => {
  it('sends sequential probes over one connection', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    for (let i = 0; i < 20; i++) await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.requests).toHaveLength(20);
    expect(server.stats).toMatchObject({ accepted: 1, closed: 0 });
    expect(harness.undici.connects).toBe(1);
  });

  it('opens at most 5 connections to one origin, however many probes run at once', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    const probes = Array.from({ length: 40 }, () => get(transport, server.url()));
    const results = await Promise.all(probes);
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(server.stats.accepted).toBe(5);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(5);
  });

  it('keeps a separate limit per origin', async () => {
    const first = await harness.server();
    const second = await harness.server();
    const transport = harness.transport({ connectionsPerOrigin: 1 });
    await Promise.all([
      ...Array.from({ length: 5 }, () => get(transport, first.url())),
      ...Array.from({ length: 5 }, () => get(transport, second.url('/other'))),
    ]);
    expect([first.stats.accepted, second.stats.accepted]).toEqual([1, 1]);
    expect([first.requests.length, second.requests.length]).toEqual([5, 5]);
  });
});

/** Counts handles by type, e.g. `TCPSocketWrap`, `Timeout`, `Immediate`. */
function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

describe('httpTransport.close() releases everything', () => {
  it('leaves no socket or timer behind and rejects the probe in flight', async () => {
    const server = await harness.server((request, response) => {
      if (request.url === '/hang') return;
      response.writeHead(200, { 'content-length': 0 }).end();
    });
    const before = handles();
    const transport = harness.transport();
    await Promise.all(Array.from({ length: 3 }, () => get(transport, server.url())));
    const hanging = get(transport, server.url('/hang'));
    await server.until(() => server.requests.length === 4);
    expect((handles().get('TCPSocketWrap') ?? 0) - (before.get('TCPSocketWrap') ?? 0)).toBeGreaterThan(0);

    // Handled before close(): the probe runs on the most recently used connection (LIFO), whose
    // socket may close (and reject) a few I/O callbacks before close() resolves.
    const rejected = expect(hanging).rejects.toMatchObject({ code: 'ERR_PROBEKIT_STOPPED' });
    await transport.close();
    await rejected;
    expect(transport.closed).toBe(true);
    await server.until(() => server.stats.closed === server.stats.accepted);

    // Closed sockets give their handles back within a few turns of the loop; bounded, not timed.
    let leftover: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const after = handles();
      leftover = ['TCPSocketWrap', 'Timeout', 'Immediate'].filter(
        (type) => (after.get(type) ?? 0) > (before.get(type) ?? 0),
      );
      if (leftover.length === 0) break;
      await turns(1);
    }
    expect(leftover).toEqual([]);
  });

  it('rejects probes after close with ERR_PROBEKIT_STOPPED, without connecting', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    await transport.close();
    await transport.close();
    const error = await get(transport, server.url()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbekitError);
    expect(error).toMatchObject({ code: 'ERR_PROBEKIT_STOPPED' });
    expect(server.stats.accepted).toBe(0);
    expect(harness.undici.connects).toBe(0);
  });
});
