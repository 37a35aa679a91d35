import { describe, expect, it } from 'vitest';
import { outcomeOfError } from '../../src/transport/outcome.js';
import { testEngine } from './support/engine.js';
import { get, useHarness } from './support/harness.js';
import { closedPort } from './support/probe-server.js';

const harness = useHarness();

describe('httpTransport rejects connection faults with a stable code', () => {
  it('rejects a closed port with ECONNREFUSED', async () => {
    const port = await closedPort();
    const transport = harness.transport();
    const error = await get(transport, `http://127.0.0.1:${port}/healthz`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(String((error as Error).message)).toContain(`127.0.0.1:${port}`);
    expect(outcomeOfError(error)).toEqual({ kind: 'refused' });
  });

  it('rejects a reset connection with ECONNRESET', async () => {
    const server = await harness.server((request) => request.socket.resetAndDestroy());
    const transport = harness.transport();
    const error = await get(transport, server.url()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(outcomeOfError(error)).toEqual({ kind: 'reset' });
  });

  it('rejects a connection closed without a response with ECONNCLOSED', async () => {
    const server = await harness.server((request) => request.socket.destroy());
    const transport = harness.transport();
    const error = await get(transport, server.url()).catch((e: unknown) => e);
    // The cause is the engine's own: undici's socket error, or the raw client's end of stream.
    const cause = testEngine() === 'raw' ? 'ECONNCLOSED' : 'UND_ERR_SOCKET';
    expect(error).toMatchObject({ code: 'ECONNCLOSED', cause: { code: cause } });
    expect(outcomeOfError(error)).toEqual({ kind: 'closed' });
  });

  it('rejects a connection closed in the middle of the body with ECONNCLOSED', async () => {
    const server = await harness.server((request, response) => {
      response.writeHead(200, { 'content-length': 100 });
      response.write('partial', () => request.socket.destroy());
    });
    const transport = harness.transport();
    const error = await get(transport, server.url()).catch((e: unknown) => e);
    expect(outcomeOfError(error)).toEqual({ kind: 'closed' });
  });

  it('answers the next probe on a new connection after a fault', async () => {
    let first = true;
    const server = await harness.server((request, response) => {
      if (first) {
        first = false;
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { 'content-length': 0 }).end();
    });
    const transport = harness.transport();
    await expect(get(transport, server.url())).rejects.toMatchObject({ code: 'ECONNCLOSED' });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.stats.accepted).toBe(2);
  });
});

describe('httpTransport rejects an unusable URL without touching the network', () => {
  it.each([
    ['invalid'],
    [''],
    ['127.0.0.1:8080/healthz'],
    ['ftp://127.0.0.1/healthz'],
    ['file:///etc/hosts'],
  ])('rejects %j with ERR_INVALID_URL and sends nothing', async (url) => {
    const transport = harness.transport();
    const error = await get(transport, url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_URL' });
    expect((error as Error).message).toContain(JSON.stringify(url));
    expect(outcomeOfError(error)).toEqual({ kind: 'invalid-url' });
    expect(harness.undici).toEqual({ connects: 0, requests: 0 });
  });

  it('rejects a URL that is not a string with ERR_INVALID_URL', async () => {
    const transport = harness.transport();
    const signal = new AbortController().signal;
    const error = await transport({ url: 42 as unknown as string, timeout: 1000, signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_INVALID_URL' });
    expect(harness.undici).toEqual({ connects: 0, requests: 0 });
  });
});
