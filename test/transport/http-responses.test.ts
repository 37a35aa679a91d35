import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT } from '../../src/transport/http.js';
import { get, useHarness } from './support/harness.js';
import { ok } from './support/probe-server.js';

const harness = useHarness();

describe('httpTransport resolves with the status of any response', () => {
  it.each([200, 503, 204, 500, 404])('resolves %i as a status', async (status) => {
    const server = await harness.server(ok(status));
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status });
  });

  it('sends one GET for the URL path and query, naming probekit as the User-Agent', async () => {
    const server = await harness.server();
    const transport = harness.transport();
    await get(transport, server.url('/v1.0/healthz?deep=1#ignored'));
    expect(server.requests).toEqual([
      { method: 'GET', url: '/v1.0/healthz?deep=1', userAgent: DEFAULT_USER_AGENT, connection: 1 },
    ]);
  });

  it('sends a custom User-Agent when given one', async () => {
    const server = await harness.server();
    const transport = harness.transport({ userAgent: 'my-probe/2' });
    await get(transport, server.url());
    expect(server.requests[0]?.userAgent).toBe('my-probe/2');
  });
});

describe('httpTransport does not follow redirects', () => {
  it('resolves a 302 as status 302 and never requests its Location', async () => {
    const server = await harness.server(ok(302));
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 302 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 302 });
    expect(server.requests.map((request) => request.url)).toEqual(['/healthz', '/healthz']);
  });
});

describe('httpTransport skips interim 1xx responses', () => {
  it('resolves with the final status after a 103 Early Hints', async () => {
    const server = await harness.server((_request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload' });
      response.writeHead(200, { 'content-length': 0 }).end();
    });
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
  });
});
