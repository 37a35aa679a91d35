import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthzServer, createSidecarHealthz } from '../../src/healthz/index.js';
import { closingGet, exchange, rawClient, recordingLogger, startRun } from './support/raw-http.js';

const DATE = 'Tue, 09 Feb 2021 18:43:42 GMT';
/** What Go's conn.serve writes for a request its parser refuses (errorHeaders + publicErr). */
const GO_400 =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request';
const GO_501 =
  'HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding';
const GO_404 =
  'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n' +
  `Date: ${DATE}\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n`;
const closing = (status: string) =>
  `HTTP/1.1 ${status}\r\nDate: ${DATE}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;

let controlPlane: Awaited<ReturnType<typeof startRun>>;
let sidecar: Awaited<ReturnType<typeof startRun>>;

beforeAll(async () => {
  const options = { logger: recordingLogger(), httpDate: () => DATE };
  controlPlane = await startRun((onListening) => createHealthzServer({ ...options, onListening }));
  sidecar = await startRun((onListening) => createSidecarHealthz({ ...options, onListening }));
});
afterAll(async () => {
  await controlPlane.stop();
  await sidecar.stop();
});

const send = (request: string) => exchange(controlPlane.address.port, request);
const stillServing = async () =>
  expect(await send(closingGet('/healthz'))).toMatch(/^HTTP\/1\.1 (200 OK|503 Service Unavailable)\r\n/);

describe('a request line without an HTTP version (HTTP/0.9 shape)', () => {
  it('regression: GET /healthz\\r\\n\\r\\n was answered 200; now Go 400 Bad Request, connection closed', async () => {
    controlPlane.server.ready();
    try {
      expect(await send('GET /healthz\r\n\r\n')).toBe(GO_400);
      await stillServing();
    } finally {
      controlPlane.server.notReady();
    }
  });

  it('is still served by the sidecar, whose fasthttp takes it as HTTP/1.0', async () => {
    expect(await exchange(sidecar.address.port, 'GET /v1.0/healthz\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 500 Internal Server Error\r\n/,
    );
  });
});

describe('Transfer-Encoding other than one chunked, on HTTP/1.1', () => {
  it.each(['xchunked', 'identity', 'gzip', 'chunkedx'])(
    'regression: Transfer-Encoding: %s was answered as if it were fine; now Go 501, connection closed',
    async (encoding) => {
      const raw = await send(`POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${encoding}\r\n\r\n`);
      expect(raw).toBe(GO_501);
      await stillServing();
    },
  );

  it('two Transfer-Encoding lines are 501 too ("too many transfer encodings")', async () => {
    const raw = await send(
      'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(raw).toBe(GO_501);
  });

  it('chunked in any letter case is accepted, as Go compares it case-insensitively', async () => {
    const raw = await send(
      'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    );
    expect(raw).toBe(closing('503 Service Unavailable'));
  });

  it('on HTTP/1.0 the header is ignored, as Go ignores it there', async () => {
    const raw = await send('POST /healthz HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n');
    // Go would write "HTTP/1.0" in the status line; Node always writes HTTP/1.1.
    expect(raw).toBe(`HTTP/1.1 503 Service Unavailable\r\nDate: ${DATE}\r\nContent-Length: 0\r\n\r\n`);
  });

  it('the sidecar keeps Node behaviour (fasthttp was not measured here): the request is answered', async () => {
    const raw = await exchange(
      sidecar.address.port,
      'GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 500 /);
  });
});

describe('CONNECT, routed like Go ServeMux routes it', () => {
  it('regression: CONNECT /healthz closed the connection unanswered; now 503, then 200 once ready', async () => {
    const connect = 'CONNECT /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    expect(await send(connect)).toBe(closing('503 Service Unavailable'));
    controlPlane.server.ready();
    try {
      expect(await send(connect)).toBe(closing('200 OK'));
    } finally {
      controlPlane.server.notReady();
    }
  });

  it.each([
    ['an authority-form target (empty path)', 'CONNECT 127.0.0.1:8080 HTTP/1.1\r\nHost: 127.0.0.1:8080'],
    ['an unclean path, which CONNECT does not redirect', 'CONNECT //healthz HTTP/1.1\r\nHost: x'],
    ['another path', 'CONNECT /other HTTP/1.1\r\nHost: x'],
  ])('%s is Go 404 page not found', async (_what, head) => {
    expect(await send(`${head}\r\nConnection: close\r\n\r\n`)).toBe(GO_404);
  });

  it('decodes the path before matching (CONNECT /heal%74hz is /healthz) and needs no Host', async () => {
    expect(await send('CONNECT /heal%74hz HTTP/1.1\r\nConnection: close\r\n\r\n')).toBe(
      closing('503 Service Unavailable'),
    );
  });

  it('closes the connection after its answer, even when the client asked to keep it (Node gives the socket away)', async () => {
    const client = await rawClient(controlPlane.address.port);
    client.write('CONNECT /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.closed()).toBe(closing('503 Service Unavailable'));
  });

  it('the sidecar answers CONNECT /v1.0/healthz with 405, as its router routes only GET', async () => {
    const raw = await exchange(
      sidecar.address.port,
      'CONNECT /v1.0/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: GET, OPTIONS\r\n/);
  });
});

describe('Host headers Go refuses and Node takes', () => {
  const goBadRequest = (text: string) =>
    `HTTP/1.1 400 Bad Request: ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: ${text}`;

  it('regression: two Host lines were served (Node keeps the first); now Go 400 too many Host headers', async () => {
    expect(await send('GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n')).toBe(
      goBadRequest('too many Host headers'),
    );
    await stillServing();
  });

  it.each(['a b', 'x/y', 'x"y', 'x\\y'])(
    'regression: Host: %s was served; now Go 400 malformed Host header',
    async (host) => {
      expect(await send(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe(
        goBadRequest('malformed Host header'),
      );
    },
  );

  it.each(['127.0.0.1:8080', '[::1]:8080', 'healthz.local', 'fe80::1%25eth0', ''])(
    'Host: %s is accepted, as by httpguts.ValidHostHeader',
    async (host) => {
      expect(await send(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe(
        closing('503 Service Unavailable'),
      );
    },
  );

  it('the sidecar keeps Node behaviour and serves two Host lines', async () => {
    const raw = await exchange(
      sidecar.address.port,
      'GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 500 /);
  });
});

describe('what llhttp refuses and Go accepts (listed in docs/healthz-fidelity.md)', () => {
  it.each([
    ['lines ending in a bare LF', 'GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n'],
    [
      'an obs-fold continuation line',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n',
    ],
  ])('%s: Go serves it, Node answers 400 (strict parsing kept)', async (_what, request) => {
    expect(await send(request)).toBe(GO_400);
    await stillServing();
  });
});
