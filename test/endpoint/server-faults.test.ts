import FakeTimers from '@sinonjs/fake-timers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/endpoint/backends/server/server.js';
import { type HttpTransport, httpTransport } from '../../src/transport/http.js';
import { transportError } from '../../src/transport/outcome.js';
import { nextEntry, turnsUntil, viaFetch, viaNodeHttp, viaTransport } from './clients.js';

const SCRIPT = [
  '/ok: 200 [x-probe="yes"] "fine"',
  '/status: 503',
  '/reset: reset',
  '/close: close',
  '/malformed: malformed',
  '/hang: hang',
].join('; ');

let server: MockServer;
let transport: HttpTransport;

beforeAll(async () => {
  server = await startMockServer(SCRIPT);
  transport = httpTransport();
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

describe('each fault on a real socket, as the clients see it', () => {
  it('answers a status with its headers and body', async () => {
    const response = await fetch(`${server.url}/ok`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-probe')).toBe('yes');
    expect(await response.text()).toBe('fine');
    expect(await viaNodeHttp(`${server.url}/status`)).toEqual({ status: 503, body: '' });
    expect(await viaTransport(transport, `${server.url}/status`)).toBe('503');
  });

  it('resets the connection: ECONNRESET everywhere', async () => {
    expect(await viaFetch(`${server.url}/reset`)).toEqual({ code: 'ECONNRESET', message: 'read ECONNRESET' });
    expect(await viaNodeHttp(`${server.url}/reset`)).toEqual({
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
    expect(await viaTransport(transport, `${server.url}/reset`)).toBe('reset');
  });

  it('closes without a response: "other side closed" for fetch, "socket hang up" for node:http, closed for the checker', async () => {
    expect(await viaFetch(`${server.url}/close`)).toEqual({
      code: 'UND_ERR_SOCKET',
      message: 'other side closed',
    });
    expect(await viaNodeHttp(`${server.url}/close`)).toEqual({
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
    expect(await viaTransport(transport, `${server.url}/close`)).toBe('closed');
  });

  it('sends bytes that are not HTTP: a parse error in every client', async () => {
    // fetch's parser says so in its message; its code depends on which undici dispatches it.
    expect(await viaFetch(`${server.url}/malformed`)).toMatchObject({
      message: expect.stringContaining('Expected HTTP/'),
    });
    expect(await viaNodeHttp(`${server.url}/malformed`)).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    // undici 7's HTTPParserError carries no code; outcomeOfError recognises it by name.
    expect(await viaTransport(transport, `${server.url}/malformed`)).toBe('malformed');
  });

  it('hangs until the client gives up, and journals it as aborted', async () => {
    const controller = new AbortController();
    const arrived = nextEntry(server.journal);
    const seen = viaFetch(`${server.url}/hang`, controller.signal);
    const index = await arrived;
    controller.abort();
    expect(await seen).toMatchObject({ code: 'ABORT_ERR' });
    expect(await turnsUntil(() => server.journal.at(index)?.fate === 'aborted')).toBe(true);

    const probe = new AbortController();
    const checkerArrived = nextEntry(server.journal);
    const outcome = viaTransport(transport, `${server.url}/hang`, probe.signal);
    await checkerArrived;
    probe.abort(transportError('timeout', 'probe timed out'));
    expect(await outcome).toBe('timeout');
  });

  it('answers a path with no route with what was configured and what was received', async () => {
    const seen = await viaFetch(`${server.url}/nowhere?x=1`);
    expect(seen).toMatchObject({ status: 404 });
    const body = (seen as { body: string }).body;
    expect(body).toContain('no route matches GET /nowhere?x=1');
    expect(body).toContain('seed 0');
    expect(body).toContain('/ok: 200 with 1 header and a 4-byte body');
    expect(body).toContain('/hang: hang (never answer)');
  });
});

describe('timed steps on a real socket, on a virtual clock', () => {
  let clock: ReturnType<typeof FakeTimers.createClock>;
  let timed: MockServer;
  afterEach(async () => {
    await timed.close();
  });

  async function start(script: string) {
    clock = FakeTimers.createClock(0);
    timed = await startMockServer(script, { clock });
  }

  /** Sends a request, waits for the server to receive it, and reports whether it settled. */
  async function send(path: string, client: (url: string) => Promise<unknown> = viaFetch) {
    const arrived = nextEntry(timed.journal);
    let settled: unknown;
    const result = client(`${timed.url}${path}`).then((value) => {
      settled = value;
      return value;
    });
    await arrived;
    return { result, settled: () => settled };
  }

  it('answers a delayed step only once the clock has moved on', async () => {
    await start('delay 50ms then 503');
    const request = await send('/');
    await clock.tickAsync(49);
    expect(await turnsUntil(() => request.settled() !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await request.result).toEqual({ status: 503, body: '' });
  });

  it('dribbles the head of a slow-headers response until its time is up', async () => {
    await start('slow-headers 201 [x-a="1"] "body" over 100ms');
    const request = await send('/', viaNodeHttp);
    await clock.tickAsync(99);
    expect(await turnsUntil(() => request.settled() !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await request.result).toEqual({ status: 201, body: 'body' });
    expect(timed.journal.at(0)?.fate).toBe('completed');
  });

  it('dribbles the body of a slow-body response after sending the head at once', async () => {
    await start('slow-body 200 "0123456789" over 100ms');
    const arrived = nextEntry(timed.journal);
    const response = fetch(timed.url);
    await arrived;
    const head = await response; // the head came at once
    expect(head.status).toBe(200);
    let body: string | undefined;
    const reading = head.text().then((text) => {
      body = text;
    });
    await clock.tickAsync(99);
    expect(await turnsUntil(() => body !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    await reading;
    expect(body).toBe('0123456789');
    const checker = httpTransport();
    const outcome = (await send('/', (url) => viaTransport(checker, url))).result;
    await clock.tickAsync(100);
    expect(await outcome).toBe('200');
    await checker.close();
  });

  it('refuses connections by closing its listener for the refuse step, then listens again', async () => {
    await start('200, refuse 1s, 201...');
    const checker = httpTransport();
    try {
      expect(await viaTransport(checker, timed.url)).toBe('200');
      // The kept-alive connection was closed with the 200, so this needs a new one: refused.
      expect(await viaTransport(checker, timed.url)).toBe('refused');
      expect(await viaFetch(timed.url)).toMatchObject({ code: 'ECONNREFUSED' });
      expect(await viaNodeHttp(timed.url)).toMatchObject({ code: 'ECONNREFUSED' });
      await clock.tickAsync(1000);
      let last = '';
      await turnsUntil(() => false, 20);
      for (let i = 0; i < 200 && last !== '201'; i++) {
        last = await viaTransport(checker, timed.url);
        if (last !== '201') await turnsUntil(() => false, 5);
      }
      expect(last).toBe('201');
      expect(timed.journal.entries().map((e) => e.explain)).toEqual(['200', '201']);
    } finally {
      await checker.close();
    }
  });

  it('refuses during a window, on the same port', async () => {
    await start('200..., down from 1s until 2s as refuse');
    const port = timed.port;
    expect(await viaFetch(timed.url)).toMatchObject({ status: 200 });
    await clock.tickAsync(1000);
    expect(await viaFetch(timed.url)).toMatchObject({ code: 'ECONNREFUSED' });
    await clock.tickAsync(1000);
    let seen: unknown;
    for (let i = 0; i < 200; i++) {
      seen = await viaFetch(timed.url);
      if ((seen as { status?: number }).status === 200) break;
      await turnsUntil(() => false, 5);
    }
    expect(seen).toMatchObject({ status: 200 });
    expect(timed.port).toBe(port);
  });

  it('leaves no timer and no connection behind on close', async () => {
    await start('/slow: slow-body 200 over 10s; /hang: hang; /late: delay 1h then 200');
    const pending = [await send('/slow'), await send('/hang'), await send('/late')];
    expect(clock.countTimers()).toBeGreaterThan(0);
    await timed.close();
    expect(clock.countTimers()).toBe(0);
    const results = await Promise.all(pending.map((p) => p.result));
    expect(results.every((r) => 'code' in (r as object))).toBe(true);
    expect(await viaFetch(timed.url)).toMatchObject({ code: 'ECONNREFUSED' });
    await timed.close(); // idempotent
  });
});
