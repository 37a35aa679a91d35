import { once } from 'node:events';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthzServer } from '../../src/healthz/index.js';
import { closingGet, exchange, rawClient, recordingLogger, startRun } from './support/raw-http.js';

const GO_400 =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request';

let running: Awaited<ReturnType<typeof startRun>>;

beforeAll(async () => {
  running = await startRun((onListening) =>
    createHealthzServer({
      logger: recordingLogger(),
      // Short enough to observe in a test; Node checks it every headersTimeout / 4 ms.
      headersTimeout: 200,
      httpDate: () => 'Tue, 09 Feb 2021 18:43:42 GMT',
      onListening,
    }),
  );
});
afterAll(async () => {
  await running.stop();
});

describe('a slow client that never finishes its headers', () => {
  it('is cut off without a response, while other clients are served meanwhile', async () => {
    const slow = await rawClient(running.address.port);
    slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const silent = await rawClient(running.address.port);
    for (let i = 0; i < 5; i++) {
      expect(await exchange(running.address.port, closingGet('/healthz'))).toMatch(/^HTTP\/1\.1 503 /);
    }
    expect(await slow.closed()).toBe('');
    expect(await silent.closed()).toBe('');
  });
});

describe('malformed requests', () => {
  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', GO_400],
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n', GO_400],
    ['a bad HTTP version', 'GET /healthz HTTP/9.Z\r\nHost: x\r\n\r\n', GO_400],
    [
      'a transfer encoding other than chunked-last',
      'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      'HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding',
    ],
    [
      // Answered before its body turned out bad: Go closes without a second answer.
      'a bad chunk size in a body',
      'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 503 Service Unavailable\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\n\r\n',
    ],
    ['a malformed percent escape', 'GET /%G0 HTTP/1.1\r\nHost: x\r\n\r\n', GO_400],
    [
      'an HTTP/1.1 request without Host',
      'GET /healthz HTTP/1.1\r\n\r\n',
      'HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header',
    ],
    [
      'headers larger than Node accepts (16 KiB)',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large',
    ],
  ])(
    '%s gets the answer Go gives and a closed connection; the server stays up',
    async (_what, request, expected) => {
      const raw = await exchange(running.address.port, request);
      expect(raw).toBe(expected);
      expect(await exchange(running.address.port, closingGet('/healthz'))).toMatch(/^HTTP\/1\.1 503 /);
    },
  );
});

describe('readiness flips', () => {
  it('are visible to the very next request on the same keep-alive connection', async () => {
    const client = await rawClient(running.address.port);
    const end = 'Content-Length: 0\r\n\r\n';
    let offset = 0;
    const next = async (): Promise<string> => {
      client.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const raw = await client.waitFor((received) => received.indexOf(end, offset) >= 0);
      const response = raw.slice(offset, raw.indexOf(end, offset) + end.length);
      offset += response.length;
      return response.slice(0, 'HTTP/1.1 200'.length);
    };
    for (let i = 0; i < 50; i++) {
      if (i % 2 === 0) running.server.ready();
      else running.server.notReady();
      expect(await next()).toBe(i % 2 === 0 ? 'HTTP/1.1 200' : 'HTTP/1.1 503');
    }
    client.destroy();
    running.server.notReady();
  });
});

/** Full GC, so heap numbers compare live objects only. */
function collect(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Sends `total` pipelined keep-alive requests in batches on one connection, counting bytes
 * instead of keeping them (every response has the same length), so the client holds no memory.
 */
async function hammer(port: number, total: number, batch = 200): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const responseLength = 'HTTP/1.1 200 OK\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\n\r\n'
    .length;
  let received = 0;
  let wake: () => void = () => {};
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    wake();
  });
  for (let sent = 0; sent < total; sent += batch) {
    socket.write(request.repeat(batch));
    const expected = (sent + batch) * responseLength;
    while (received < expected) await new Promise<void>((resolve) => (wake = resolve));
  }
  socket.destroy();
  await once(socket, 'close');
}

async function churnConnections(port: number, total: number): Promise<void> {
  for (let i = 0; i < total; i += 25) {
    await Promise.all(Array.from({ length: 25 }, () => exchange(port, closingGet('/healthz'))));
  }
}

describe('memory under many keep-alive requests', () => {
  it('stays flat over 20 000 requests and 500 connections', async () => {
    const gc = collect();
    running.server.ready();
    await hammer(running.address.port, 2000);
    await churnConnections(running.address.port, 100);
    gc();
    const before = process.memoryUsage().heapUsed;
    await hammer(running.address.port, 20_000);
    await churnConnections(running.address.port, 500);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    // A leak of 100 bytes per request would be 2 MB; the bound is generous on purpose.
    expect(growth).toBeLessThan(2 * 1024 * 1024);
    running.server.notReady();
  });
});
