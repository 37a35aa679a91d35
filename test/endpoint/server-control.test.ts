import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from '../../src/endpoint/backends/server/server.js';
import { ProbekitError } from '../../src/errors.js';

const running: MockServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(script: string, options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer(script, options);
  running.push(server);
  return server;
}

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

async function json(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the control API under /__probekit/', () => {
  it('returns the journal with its seed, and the last N entries on request', async () => {
    const server = await start('200, 503...', { seed: 42 });
    await status(`${server.url}/healthz`);
    await status(`${server.url}/healthz?n=2`);
    const { status: code, body } = await json(`${server.url}/__probekit/journal`);
    expect(code).toBe(200);
    expect(body).toMatchObject({ seed: 42, total: 2, dropped: 0, capacity: 10_000 });
    expect(
      (body.entries as Array<Record<string, unknown>>).map((e) => [e.index, e.path, e.explain, e.fate]),
    ).toEqual([
      [0, '/healthz', '200', 'completed'],
      [1, '/healthz?n=2', '503', 'completed'],
    ]);
    const last = await json(`${server.url}/__probekit/journal?limit=1`);
    expect((last.body.entries as unknown[]).length).toBe(1);
    expect((await json(`${server.url}/__probekit/journal?limit=x`)).status).toBe(400);
  });

  it('does not journal control requests or move the script', async () => {
    const server = await start('200, 503...');
    await json(`${server.url}/__probekit/journal`);
    await json(`${server.url}/__probekit/script`);
    expect(server.journal.total).toBe(0);
    expect(await status(server.url)).toBe(200);
  });

  it('shows the script being played', async () => {
    const server = await start('/healthz: 200*2, 503...', { seed: 3 });
    const { body } = await json(`${server.url}/__probekit/script`);
    expect(body).toMatchObject({
      seed: 3,
      dsl: '/healthz: 200*2, 503...',
      explain: '/healthz: 200 twice, then 503 forever',
    });
  });

  it('replaces the script with DSL text or JSON; the script restarts and the journal goes on', async () => {
    const server = await start('200...');
    await status(server.url);
    const replaced = await json(`${server.url}/__probekit/script`, { method: 'PUT', body: '418, 419...' });
    expect(replaced).toMatchObject({ status: 200, body: { dsl: '418, 419...' } });
    expect(await status(server.url)).toBe(418);
    const definition = { routes: [{ path: '*', script: [{ kind: 'status', status: 420 }] }] };
    const viaJson = await json(`${server.url}/__probekit/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(viaJson).toMatchObject({ status: 200, body: { dsl: '420' } });
    expect(await status(server.url)).toBe(420);
    expect(server.journal.entries().map((e) => [e.index, e.decision.status])).toEqual([
      [0, 200],
      [1, 418],
      [2, 420],
    ]);
  });

  it('rejects a bad script with the column and a hint, keeping the old one', async () => {
    const server = await start('200...');
    const { status: code, body } = await json(`${server.url}/__probekit/script`, {
      method: 'PUT',
      body: '200, 503*',
    });
    expect(code).toBe(400);
    expect(body.error).toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_SCRIPT',
      column: 10,
      hint: expect.stringContaining('503*3'),
      excerpt: '  200, 503*\n           ^',
    });
    const badJson = await json(`${server.url}/__probekit/script`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"routes": [',
    });
    expect(badJson.status).toBe(400);
    expect((badJson.body.error as { message: string }).message).toContain('not valid JSON');
    expect(await status(server.url)).toBe(200);
  });

  it('resets: the script restarts and the journal counts from 0 again', async () => {
    const server = await start('200, 503...');
    await status(server.url);
    await status(server.url);
    const reset = await json(`${server.url}/__probekit/reset`, {
      method: 'POST',
      headers: { 'x-probekit': '1' },
    });
    expect(reset.status).toBe(200);
    expect(server.journal.total).toBe(0);
    expect(await status(server.url)).toBe(200);
    expect(server.journal.entries()[0]?.index).toBe(0);
  });

  it('lists its endpoints for an unknown one, and says 405 for a wrong method', async () => {
    const server = await start('200');
    const unknown = await json(`${server.url}/__probekit/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.endpoints).toEqual(
      expect.arrayContaining([expect.stringContaining('/__probekit/journal')]),
    );
    expect((await json(`${server.url}/__probekit/reset`)).status).toBe(405);
  });

  it('can be turned off, leaving those paths to the script', async () => {
    const server = await start('/healthz: 200', { control: 'off' });
    expect(await status(`${server.url}/__probekit/journal`)).toBe(404);
    expect(server.journal.at(0)?.decision.source).toBe('unmatched');
  });
});

describe('the server handle', () => {
  it('replaces the script from code too', async () => {
    const server = await start('200...');
    server.setScript('/x: 204...');
    expect(await status(`${server.url}/x`)).toBe(204);
    expect(server.definition.routes[0]?.path).toBe('/x');
  });

  it('keeps only journalSize entries and says how many it dropped', async () => {
    const server = await start('200...', { journalSize: 2 });
    for (let i = 0; i < 5; i++) await status(`${server.url}/${i}`);
    expect(server.journal.dropped).toBe(3);
    expect(server.journal.entries().map((e) => e.path)).toEqual(['/3', '/4']);
  });

  it('listens on ::1 with a bracketed URL', async () => {
    const probe = createServer();
    const ipv6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!ipv6) return;
    const server = await start('201', { host: '::1' });
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(await status(server.url)).toBe(201);
  });
});

describe('starting the server with bad input', () => {
  it('names a bad option', async () => {
    await expect(startMockServer('200', { port: 70_000 })).rejects.toThrow(/port 70000 is not valid/);
    await expect(startMockServer('200', { host: '' })).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
    });
    await expect(startMockServer('200', { control: 'all' as never })).rejects.toBeInstanceOf(ProbekitError);
  });

  it('names a bad script', async () => {
    await expect(startMockServer('200*')).rejects.toMatchObject({ code: 'ERR_PROBEKIT_INVALID_SCRIPT' });
  });

  it('says when the port is taken', async () => {
    const first = await start('200');
    await expect(startMockServer('200', { port: first.port })).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_PORT_IN_USE',
      message: expect.stringContaining(`127.0.0.1:${first.port}: the port is in use`),
    });
  });
});
