import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { get, track, turns, useHarness } from './support/harness.js';

const harness = useHarness();

describe('httpTransport reads the body and throws it away', () => {
  it('resolves a slow body only once it has ended, then reuses the connection', async () => {
    let pending: ServerResponse | undefined;
    let slow = true;
    const server = await harness.server((_request, response) => {
      if (!slow) {
        response.writeHead(204).end();
        return;
      }
      response.writeHead(200, { 'content-length': 8 });
      response.write('half');
      pending = response;
    });
    const transport = harness.transport();
    const probe = track(get(transport, server.url()));
    await server.until(() => pending !== undefined);
    await turns();
    // Mirrors fasthttp: DoTimeout returns after the whole body, so a stalled body is no answer yet.
    expect(probe.settled).toBe(false);

    slow = false;
    pending?.end('done');
    await expect(probe.promise).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 204 });
    expect(server.stats).toMatchObject({ accepted: 1, closed: 0 });
  });

  it('resolves a chunked body of unknown length and keeps the connection', async () => {
    const server = await harness.server((_request, response) => {
      response.writeHead(200);
      response.write('a'.repeat(1000));
      response.end('b'.repeat(1000));
    });
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats).toMatchObject({ accepted: 1, closed: 0 });
  });

  it('resolves a body over the cap as soon as the cap is passed, and closes that connection', async () => {
    const size = 4 * 1024 * 1024;
    let big = true;
    const server = await harness.server((_request, response) => {
      if (!big) {
        response.writeHead(200, { 'content-length': 0 }).end();
        return;
      }
      response.writeHead(200, { 'content-length': size });
      // The server keeps writing: the client must not wait for (or buffer) all of it.
      response.write(Buffer.alloc(size / 2));
    });
    const transport = harness.transport({ maxBodyBytes: 64 * 1024 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await server.until(() => server.stats.closed === 1);

    big = false;
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats.accepted).toBe(2);
  });

  it('reads a body up to the cap and keeps the connection', async () => {
    const server = await harness.server((_request, response) => {
      response.writeHead(200, { 'content-length': 1000 }).end(Buffer.alloc(1000));
    });
    const transport = harness.transport({ maxBodyBytes: 1000 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats).toMatchObject({ accepted: 1, closed: 0 });
  });
});
