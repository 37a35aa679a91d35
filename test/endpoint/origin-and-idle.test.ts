import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import FakeTimers from '@sinonjs/fake-timers';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { requestOrigin, withOrigin } from '../../src/endpoint/backends/origin.js';
import { type MockServer, startMockServer } from '../../src/endpoint/backends/server/server.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { ProbekitError } from '../../src/errors.js';

const servers: MockServer[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: string, options: Parameters<typeof startMockServer>[1] = {}) {
  const server = await startMockServer(script, { host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  return server;
}

/** One GET over a keep-alive agent: the status, the Location, and the client's socket. */
function get(
  url: string,
  agent: Agent,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | undefined; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          socket: req.socket as Socket,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the {origin} placeholder in a header value', () => {
  it('becomes the origin the client addressed, so a following client reaches the healthy target', async () => {
    const server = await serve('/healthz: 302 [location="{origin}/healthz/ok"]...; /healthz/ok: 200...');
    const manual = await fetch(`${server.url}/healthz`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe(`${server.url}/healthz/ok`);
    const followed = await fetch(`${server.url}/healthz`);
    expect(followed.status).toBe(200);
    expect(server.journal.entries().map((e) => e.path)).toEqual(['/healthz', '/healthz', '/healthz/ok']);
  });

  it('uses the Host header as sent, and the server origin when the Host is malformed', async () => {
    const server = await serve('/healthz: 301 [location="{origin}/ok"]...');
    const agent = new Agent();
    agents.push(agent);
    const named = await get(`${server.url}/healthz`, agent, { host: 'endpoint.test:8080' });
    expect(named.location).toBe('http://endpoint.test:8080/ok');
    const odd = await get(`${server.url}/healthz`, agent, { host: 'a b@c' });
    expect(odd.location).toBe(`${server.url}/ok`);
  });

  it('is replaced in a slow-headers head too', async () => {
    const server = await serve('slow-headers 307 [location="{origin}/ok"] over 5ms...');
    const response = await fetch(`${server.url}/healthz`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`${server.url}/ok`);
  });

  it('is replaced by msw handlers with the request URL origin', async () => {
    const clock = FakeTimers.createClock(0);
    const endpoint = flakyEndpoint('/healthz: 308 [location="{origin}/healthz/ok"]; /healthz/ok: 200...', {
      clock,
    });
    const msw = setupServer(...endpoint.handlers);
    msw.listen({ onUnhandledRequest: 'error' });
    try {
      const response = await fetch('http://endpoint.test/healthz', { redirect: 'manual' });
      expect(response.status).toBe(308);
      expect(response.headers.get('location')).toBe('http://endpoint.test/healthz/ok');
    } finally {
      msw.close();
    }
  });

  it('leaves headers without the placeholder as the same object', () => {
    const headers = { 'retry-after': '5' };
    expect(withOrigin(headers, 'http://x.test')).toBe(headers);
    expect(withOrigin(undefined, 'http://x.test')).toBeUndefined();
    expect(withOrigin({ link: '<{origin}/a>, <{origin}/b>' }, 'http://x.test')).toEqual({
      link: '<http://x.test/a>, <http://x.test/b>',
    });
    expect(requestOrigin('[::1]:9', 'http://fallback.test')).toBe('http://[::1]:9');
    expect(requestOrigin(undefined, 'http://fallback.test')).toBe('http://fallback.test');
  });
});

describe('the mock server idle timeout (idleTimeoutMs)', () => {
  it("closes an idle keep-alive connection after idleTimeoutMs, before a server with Node's 5 s default does", async () => {
    const node = await serve('200...');
    const short = await serve('200...', { idleTimeoutMs: 30 });
    const nodeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const shortAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(nodeAgent, shortAgent);
    // The default server's connection goes idle first: with the option ignored it would close first.
    const kept = await get(`${node.url}/healthz`, nodeAgent);
    const closing = await get(`${short.url}/healthz`, shortAgent);
    await new Promise<void>((resolve) => closing.socket.once('close', () => resolve()));
    expect(kept.socket.destroyed).toBe(false);
    const again = await get(`${node.url}/healthz`, nodeAgent);
    expect(again.socket).toBe(kept.socket);
    expect(again.status).toBe(200);
  });

  it.each([0, -1, 1.5, 2 ** 31, Number.NaN])('rejects idleTimeoutMs %s', async (idleTimeoutMs) => {
    const started = startMockServer('200', { idleTimeoutMs });
    await expect(started).rejects.toBeInstanceOf(ProbekitError);
    await expect(started).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
      message: expect.stringContaining(`idleTimeoutMs ${idleTimeoutMs}`),
    });
  });
});
