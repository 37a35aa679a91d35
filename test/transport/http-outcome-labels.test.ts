import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOutcome, outcomeOfError } from '../../src/transport/outcome.js';
import { get, useHarness } from './support/harness.js';
import { type RawServer, startRawServer } from './support/raw-server.js';

const harness = useHarness();
const raws: RawServer[] = [];
afterEach(async () => {
  await Promise.all(raws.splice(0).map((server) => server.close()));
});

async function raw(answer: (request: number) => string | Buffer): Promise<RawServer> {
  const server = await startRawServer(answer);
  raws.push(server);
  return server;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

/** The outcome label a trace would show for one probe. */
async function label(server: RawServer): Promise<string> {
  const transport = harness.transport();
  try {
    const { status } = await get(transport, server.url());
    return String(status);
  } catch (error) {
    return describeOutcome(outcomeOfError(error));
  }
}

describe('httpTransport labels broken responses malformed, not an internal error code', () => {
  it.each([
    [
      'a status below 100 (099), which undici rejects with an internal ERR_ASSERTION',
      'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n',
      'HPE_INVALID_STATUS',
    ],
    [
      "a header block over undici's limit (UND_ERR_HEADERS_OVERFLOW)",
      `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`,
      'HPE_HEADER_OVERFLOW',
    ],
    [
      'two different Content-Lengths (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
  ])('%s is malformed', async (_what, bytes, code) => {
    const server = await raw(() => bytes);
    const transport = harness.transport();
    const error = await get(transport, server.url()).catch((e: unknown) => e);
    expect(outcomeOfError(error)).toEqual({ kind: 'malformed' });
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(server.url());
  });

  it('probes again on a fresh connection after a malformed status', async () => {
    const server = await raw((request) =>
      request === 0 ? 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n' : OK,
    );
    const transport = harness.transport();
    await expect(get(transport, server.url())).rejects.toMatchObject({ code: 'HPE_INVALID_STATUS' });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.accepted).toBe(2);
  });

  it('counts the final response after an interim 103 Early Hints', async () => {
    const server = await raw(() => `HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${OK}`);
    expect(await label(server)).toBe('200');
  });

  it('reports a status above 599 as that status (a failure, not a parse error)', async () => {
    const server = await raw(() => 'HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n');
    expect(await label(server)).toBe('600');
  });
});

describe('httpTransport skips an unsolicited 100 Continue, as Go clients do', () => {
  const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

  it('regression: counts the final response after an unasked-for 100 Continue (was closed)', async () => {
    const server = await raw(() => `${CONTINUE}${OK}`);
    expect(await label(server)).toBe('200');
  });

  it('counts the final response after several 100s, and the 100 split across packets', async () => {
    const server = await startRawServerInPieces([
      'HTTP/1.1 10',
      `0 Continue\r\n\r\n${CONTINUE}`,
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(await label(server)).toBe('503');
  });

  it('reuses the connection for the next probe, which may get a 100 too', async () => {
    const server = await raw((request) =>
      request === 0 ? `${CONTINUE}${OK}` : `${CONTINUE}HTTP/1.1 204 No Content\r\n\r\n`,
    );
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 204 });
    expect(server.accepted).toBe(1);
  });

  it('still reads a body that starts with the bytes of a 100 head as a body', async () => {
    const body = `${CONTINUE}`;
    const server = await raw(() => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const transport = harness.transport();
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.accepted).toBe(1);
  });
});

/** A raw server that writes `pieces` one socket write (and I/O turn) apart, for every request. */
async function startRawServerInPieces(pieces: string[]): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let requests = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', async () => {
      requests++;
      for (const piece of pieces) {
        await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const started: RawServer = {
    port,
    url: (path = '/healthz') => `http://127.0.0.1:${port}${path}`,
    get requests() {
      return requests;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      if (server.listening) await once(server, 'close');
    },
  };
  raws.push(started);
  return started;
}
