import http from 'node:http';
import FakeTimers from '@sinonjs/fake-timers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../src/endpoint/backends/proxy/index.js';
import { startMockServer } from '../../src/endpoint/backends/server/server.js';
import { ProbekitError } from '../../src/errors.js';
import { nextEntry, turnsUntil, viaFetch, viaNodeHttp } from '../endpoint/clients.js';
import { deadPort, startUpstream, type TestUpstream } from './upstream.js';

let upstream: TestUpstream;
let proxies: FaultProxy[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream.close();
});

afterEach(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  proxies = [];
});

async function proxy(
  script: string,
  options: Parameters<typeof startFaultProxy>[2] = {},
  to = upstream.origin,
) {
  const started = await startFaultProxy(to, script, options);
  proxies.push(started);
  return started;
}

describe('pass through the proxy', () => {
  it("answers with the upstream's status, headers and body, and journals the upstream's status", async () => {
    const p = await proxy('pass...');
    const response = await fetch(`${p.url}/ok`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.text()).toBe('upstream ok');
    const entry = p.journal.at(0);
    expect(entry?.decision.action).toBe('pass');
    expect(entry?.upstream).toMatchObject({ status: 200 });
    expect(entry?.fate).toBe('completed');
  });

  it('forwards the method, the request body and the path, with the upstream as Host and the original in x-forwarded-host', async () => {
    const p = await proxy('pass...');
    const response = await fetch(`${p.url}/echo`, { method: 'POST', body: 'hello' });
    expect(response.status).toBe(201);
    const host = new URL(p.url).host;
    expect(await response.text()).toBe(`POST ${new URL(upstream.origin).host} ${host} hello`);
  });

  it("streams the upstream's body: the first chunk reaches the client before the upstream sends the second", async () => {
    const p = await proxy('pass...');
    const firstChunk = new Promise<{ first: string; rest: Promise<string> }>((resolve, reject) => {
      http
        .get(`${p.url}/stream`, { agent: false }, (res) => {
          res.setEncoding('utf8');
          res.once('data', (first: string) => {
            const rest = new Promise<string>((done) => {
              let text = '';
              res.on('data', (piece: string) => {
                text += piece;
              });
              res.on('end', () => done(text));
            });
            resolve({ first, rest });
          });
        })
        .on('error', reject);
    });
    const { first, rest } = await firstChunk;
    expect(first).toBe('first chunk;');
    upstream.releaseStream();
    expect(await rest).toBe('second chunk');
  });

  it('plays every other step in place of pass: "pass, 503, reset, close, malformed, pass..."', async () => {
    const p = await proxy('pass, 503, reset, close, malformed, pass...');
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 503, body: '' });
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
    expect(p.journal.entries().map((e) => e.decision.action)).toEqual([
      'pass',
      'respond',
      'reset',
      'close',
      'malformed',
      'pass',
    ]);
  });

  it("replaces the upstream's status with pass [status=503], keeping its headers and body", async () => {
    const p = await proxy('pass [status=503]...');
    const response = await fetch(`${p.url}/ok`);
    expect(response.status).toBe(503);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.text()).toBe('upstream ok');
    expect(p.journal.at(0)?.upstream?.status).toBe(200);
  });

  it('hangs until the client gives up, and journals the request as aborted', async () => {
    const p = await proxy('hang');
    const before = upstream.received.length;
    const controller = new AbortController();
    const arrived = nextEntry(p.journal);
    const seen = viaFetch(`${p.url}/ok`, controller.signal);
    const index = await arrived;
    controller.abort();
    expect(await seen).toMatchObject({ code: 'ABORT_ERR' });
    expect(await turnsUntil(() => p.journal.at(index)?.fate === 'aborted')).toBe(true);
    // hang answers in place of pass: nothing reached the upstream.
    expect(upstream.received.length).toBe(before);
  });
});

describe('an upstream that fails', () => {
  it('is down: 502 with a body that says so, and a journal entry', async () => {
    const p = await proxy('pass...', {}, `http://127.0.0.1:${await deadPort()}`);
    const seen = await viaFetch(`${p.url}/healthz`);
    expect(seen).toMatchObject({ status: 502 });
    expect((seen as { body: string }).body).toContain('failed to reach the upstream: connection refused');
    expect(p.journal.at(0)?.upstream).toMatchObject({ status: undefined, error: 'refused' });
    // Still serving: a failure is an answer, never a crash.
    expect(await viaFetch(`${p.url}/healthz`)).toMatchObject({ status: 502 });
  });

  it('resets: 502 saying the upstream reset the connection', async () => {
    const p = await proxy('pass...');
    const seen = await viaFetch(`${p.url}/reset`);
    expect(seen).toMatchObject({ status: 502 });
    expect((seen as { body: string }).body).toContain('the upstream reset the connection');
    expect(p.journal.at(0)?.upstream).toMatchObject({ error: 'reset' });
  });

  it('resets in the middle of its body: the client sees its connection cut, never a complete answer', async () => {
    const p = await proxy('pass...');
    const seen = await viaNodeHttp(`${p.url}/cut`);
    expect(seen).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|ERR_STREAM_PREMATURE_CLOSE)$/) });
    expect(p.journal.at(0)?.upstream?.status).toBe(200);
    expect(await turnsUntil(() => p.journal.at(0)?.fate !== 'pending')).toBe(true);
    // Still serving.
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
  });

  it('hangs: 504 once upstreamTimeoutMs has passed on the proxy clock, not before', async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy('pass...', { clock, upstreamTimeoutMs: 1000 });
    const before = upstream.received.length;
    let settled: unknown;
    const seen = viaFetch(`${p.url}/hang`).then((value) => {
      settled = value;
      return value;
    });
    expect(await turnsUntil(() => upstream.received.length > before)).toBe(true);
    await clock.tickAsync(999);
    expect(await turnsUntil(() => settled !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    const answer = await seen;
    expect(answer).toMatchObject({ status: 504 });
    expect((answer as { body: string }).body).toContain('no response within 1000 ms');
    expect(p.journal.at(0)?.upstream).toMatchObject({ error: 'timeout', ms: 1000 });
  });
});

describe('timed steps around pass, on a virtual clock', () => {
  it("delay 200ms then pass: the upstream's answer, not before 200 ms", async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy('delay 200ms then pass', { clock });
    const arrived = nextEntry(p.journal);
    let settled: unknown;
    const seen = viaNodeHttp(`${p.url}/ok`).then((value) => {
      settled = value;
      return value;
    });
    await arrived;
    await clock.tickAsync(199);
    expect(await turnsUntil(() => settled !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await seen).toEqual({ status: 200, body: 'upstream ok' });
  });

  it("slow-body pass over 100ms: the upstream's body, complete only at 100 ms", async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy('slow-body pass over 100ms', { clock });
    let settled: unknown;
    const seen = viaNodeHttp(`${p.url}/ok`).then((value) => {
      settled = value;
      return value;
    });
    expect(await turnsUntil(() => p.journal.at(0)?.upstream !== undefined)).toBe(true);
    // The head and the first piece are out; the rest waits on the clock.
    await clock.tickAsync(99);
    expect(await turnsUntil(() => settled !== undefined, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await seen).toEqual({ status: 200, body: 'upstream ok' });
  });

  it('pass..., up 1s, down 500ms as reset: the upstream while up, resets while down, the upstream again', async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy('pass..., up 1s, down 500ms as reset', { clock });
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
    await clock.tickAsync(1000);
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ code: 'ECONNRESET' });
    await clock.tickAsync(500);
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
    expect(p.journal.entries().map((e) => e.decision.source)).toEqual(['script', 'flap', 'script']);
  });

  it('refuse 2s, pass...: connections are refused until the clock passes 2 s, then passed', async () => {
    const clock = FakeTimers.createClock(0);
    const p = await proxy('refuse 2s, pass...', { clock });
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ code: 'ECONNREFUSED' });
    await clock.tickAsync(2000);
    // The listener reopens asynchronously; a bounded number of tries.
    let seen: unknown;
    for (let i = 0; i < 50; i++) {
      seen = await viaNodeHttp(`${p.url}/ok`);
      if ((seen as { status?: number }).status !== undefined) break;
    }
    expect(seen).toEqual({ status: 200, body: 'upstream ok' });
  });
});

describe('seeded replay', () => {
  async function decisions(seed: number): Promise<string[]> {
    const p = await proxy('(pass@2 | 503 | delay 0ms..0ms then pass)*12, pass...', { seed });
    for (let i = 0; i < 12; i++) await viaNodeHttp(`${p.url}/ok`);
    return p.journal.entries().map((e) => `${e.decision.action}:${e.decision.status}`);
  }

  it('makes the same decisions for the same seed and script, and other ones for another seed', async () => {
    const first = await decisions(7);
    expect(await decisions(7)).toEqual(first);
    expect(first).toContain('pass:0');
    expect(first).toContain('respond:503');
    const others = await Promise.all([1, 2, 3].map(decisions));
    expect(others.some((other) => other.join() !== first.join())).toBe(true);
  });
});

describe('load time and lifecycle', () => {
  it('refuses a bad upstream with a code and the value', async () => {
    for (const bad of ['ftp://127.0.0.1:1', 'http://example.com:80', 'http://127.0.0.1:1/base', 'nope']) {
      const error = await startFaultProxy(bad, 'pass').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProbekitError);
      expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
      expect((error as Error).message).toContain(JSON.stringify(bad));
    }
  });

  it('close() during a pass the upstream has not answered cuts both sides and leaves no socket', async () => {
    const p = await startFaultProxy(upstream.origin, 'pass...');
    const before = upstream.received.length;
    const seen = viaNodeHttp(`${p.url}/hang`);
    expect(await turnsUntil(() => upstream.received.length > before)).toBe(true);
    await p.close();
    expect(await seen).toMatchObject({ code: 'ECONNRESET' });
    expect(await turnsUntil(() => upstream.sockets.size === 0)).toBe(true);
  });

  it('takes a new script with pass over the control API, where the mock server answers 400', async () => {
    const p = await proxy('503...');
    const put = (url: string) => fetch(`${url}/__probekit/script`, { method: 'PUT', body: '503, pass...' });
    expect((await put(p.controlUrl as string)).status).toBe(200);
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 503, body: '' });
    expect(await viaNodeHttp(`${p.url}/ok`)).toEqual({ status: 200, body: 'upstream ok' });
    const mock = await startMockServer('200');
    try {
      const answer = await put(mock.controlUrl as string);
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain('no upstream to pass to');
    } finally {
      await mock.close();
    }
  });

  it('close() leaves no connection open to the upstream or from the client', async () => {
    const p = await startFaultProxy(upstream.origin, 'pass...');
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ status: 200 });
    expect(upstream.sockets.size).toBeGreaterThan(0);
    await p.close();
    expect(await turnsUntil(() => upstream.sockets.size === 0)).toBe(true);
    expect(await viaNodeHttp(`${p.url}/ok`)).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
