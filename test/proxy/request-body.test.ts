import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../src/endpoint/backends/proxy/index.js';

/** An upstream that answers each request with what it received: its framing headers and body. */
async function startRecordingUpstream() {
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`got ${Buffer.concat(chunks).length} bytes`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a request through node:http (body written in pieces: chunked when no length is set). */
function send(
  url: string,
  method: string,
  pieces: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function proxyInFrontOfRecorder(): Promise<{
  proxy: FaultProxy;
  upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
}> {
  const upstream = await startRecordingUpstream();
  cleanups.push(upstream.close);
  const proxy = await startFaultProxy(upstream.origin, 'pass...');
  cleanups.push(() => proxy.close());
  return { proxy, upstream };
}

describe('the request body on its way to the upstream', () => {
  it('forwards a bodyless GET as bodyless: no content-length, no chunked transfer-encoding', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const answer = await send(`${proxy.url}/healthz`, 'GET', []);
    expect(answer).toEqual({ status: 200, body: 'got 0 bytes' });
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]?.headers['content-length']).toBeUndefined();
    expect(upstream.seen[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('forwards a chunked request body (no content-length) whole, in order', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const answer = await send(`${proxy.url}/upload`, 'POST', ['first,', 'second,', 'third']);
    expect(answer).toEqual({ status: 200, body: 'got 18 bytes' });
    expect(upstream.seen[0]?.headers['transfer-encoding']).toBe('chunked');
    expect(upstream.seen[0]?.body).toBe('first,second,third');
  });

  it('forwards a body announced by content-length, and an empty one announced as 0', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    expect(await send(`${proxy.url}/a`, 'PUT', ['12345'], { 'content-length': '5' })).toEqual({
      status: 200,
      body: 'got 5 bytes',
    });
    expect(await send(`${proxy.url}/b`, 'POST', [], { 'content-length': '0' })).toEqual({
      status: 200,
      body: 'got 0 bytes',
    });
    expect(upstream.seen.map((s) => [s.headers['content-length'], s.body])).toEqual([
      ['5', '12345'],
      ['0', ''],
    ]);
  });

  it('journals a bodyless pass as completed, with the upstream status', async () => {
    const { proxy } = await proxyInFrontOfRecorder();
    await send(`${proxy.url}/healthz`, 'GET', []);
    const entry = proxy.journal.at(0);
    expect(entry?.fate).toBe('completed');
    expect(entry?.upstream).toMatchObject({ status: 200 });
  });
});

describe('the response body on its way to the client', () => {
  it('arrives whole and in order when the client stops reading until the upstream’s socket is full', async () => {
    const size = 24 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) body.writeUInt32BE(i, i);
    let upstreamBlocked = false;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(size) });
      // 64 KB pieces, each written when the last was taken: the proxy's pausing reaches here.
      let offset = 0;
      const more = () => {
        while (offset < size) {
          const piece = body.subarray(offset, offset + 65_536);
          offset += piece.length;
          if (!res.write(piece)) {
            upstreamBlocked = true;
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const proxy = await startFaultProxy(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      'pass...',
    );
    cleanups.push(() => proxy.close());
    const received = await new Promise<Buffer>((resolve, reject) => {
      request(`${proxy.url}/big`, { agent: false }, (res) => {
        // Read nothing until the upstream found its socket full, then everything.
        res.pause();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
        let turns = 0;
        const wait = () => {
          if (upstreamBlocked || ++turns > 10_000) res.resume();
          else setImmediate(wait);
        };
        wait();
      })
        .on('error', reject)
        .end();
    });
    expect(upstreamBlocked).toBe(true);
    expect(received.length).toBe(size);
    expect(received.equals(body)).toBe(true);
    expect(proxy.journal.at(0)?.fate).toBe('completed');
  });
});
