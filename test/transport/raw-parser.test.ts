import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ParseFailure, ResponseParser } from '../../src/transport/raw/response-parser.js';
import { get, useHarness } from './support/harness.js';
import { type RawServer, startRawServer } from './support/raw-server.js';

/** The parser as a connection drives it, recording what it reports. */
class Recorder extends ResponseParser {
  readonly events: string[] = [];
  body = 0;

  constructor(wantLocation = false) {
    super();
    this.startResponse(wantLocation);
  }

  feed(bytes: string, pieceSize = Number.POSITIVE_INFINITY): ParseFailure | undefined {
    const buffer = Buffer.from(bytes, 'latin1');
    for (let offset = 0; offset < buffer.length; offset += pieceSize) {
      const fault = this.parse(buffer.subarray(offset, Math.min(buffer.length, offset + pieceSize)));
      if (fault !== undefined) return fault;
    }
    return undefined;
  }

  end(): boolean {
    return this.parseEnd();
  }

  next(wantLocation = false): void {
    this.startResponse(wantLocation);
  }

  protected onResponseHead(status: number, location: string | undefined): void {
    this.events.push(location === undefined ? `head ${status}` : `head ${status} ${location}`);
  }

  protected onResponseBody(bytes: number): boolean {
    this.body += bytes;
    return true;
  }

  protected onResponseEnd(keepAlive: boolean): void {
    this.events.push(`end ${keepAlive ? 'keep-alive' : 'close'} after ${this.body} body bytes`);
  }
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n';

describe('the raw engine parses a response whatever way its bytes are split', () => {
  it.each([1, 2, 7, Number.POSITIVE_INFINITY])(
    'reads a chunked body with an extension and a trailer, fed %d byte(s) at a time',
    (pieceSize) => {
      const parser = new Recorder();
      expect(parser.feed(CHUNKED, pieceSize)).toBeUndefined();
      expect(parser.events).toEqual(['head 200', 'end keep-alive after 31 body bytes']);
    },
  );

  it('skips interim 1xx heads split across pieces and reports only the final status', () => {
    const parser = new Recorder();
    const bytes =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 503 No\r\nContent-Length: 2\r\n\r\nno';
    expect(parser.feed(bytes, 3)).toBeUndefined();
    expect(parser.events).toEqual(['head 503', 'end keep-alive after 2 body bytes']);
  });

  it('ends a body without a length at the close, and says the connection cannot be reused', () => {
    const parser = new Recorder();
    expect(parser.feed('HTTP/1.1 200 OK\r\n\r\nuntil the end')).toBeUndefined();
    expect(parser.events).toEqual(['head 200']);
    expect(parser.end()).toBe(true);
    expect(parser.events).toEqual(['head 200', 'end close after 13 body bytes']);
  });

  it('does not take a close in the middle of a Content-Length body for its end', () => {
    const parser = new Recorder();
    parser.feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    expect(parser.end()).toBe(false);
    expect(parser.events).toEqual(['head 200']);
  });

  it('keeps HTTP/1.0 answers off keep-alive unless they ask for it', () => {
    const parser = new Recorder();
    parser.feed('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    parser.next();
    parser.feed('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n');
    parser.next();
    parser.feed('HTTP/1.1 200 OK\r\nconnection: CLOSE\r\ncontent-length: 0\r\n\r\n');
    expect(parser.events).toEqual([
      'head 200',
      'end close after 0 body bytes',
      'head 200',
      'end keep-alive after 0 body bytes',
      'head 200',
      'end close after 0 body bytes',
    ]);
  });

  it('reads Location only when redirects are followed, trimmed', () => {
    const bytes = 'HTTP/1.1 302 Found\r\nLOCATION:  /next \r\nContent-Length: 0\r\n\r\n';
    const ignoring = new Recorder(false);
    ignoring.feed(bytes);
    const following = new Recorder(true);
    following.feed(bytes);
    expect(ignoring.events[0]).toBe('head 302');
    expect(following.events[0]).toBe('head 302 /next');
  });

  it('says bytes after a complete answer make the connection unusable', () => {
    const parser = new Recorder();
    parser.feed('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
    expect(parser.events).toEqual(['head 204', 'end close after 0 body bytes']);
  });

  it.each([
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/2 in an HTTP/1 status line', 'HTTP/1.2 200 OK\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [
      'a Content-Length that is not a number',
      'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'a chunk size that is not hex',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
      'HPE_STRICT',
    ],
  ])('fails %s with its llhttp code', (_what, bytes, code) => {
    expect(new Recorder().feed(bytes)).toMatchObject({ code });
  });

  it('fails a head that never ends past 16 KiB without waiting for more', () => {
    const parser = new Recorder();
    expect(parser.feed(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}`)).toMatchObject({
      code: 'HPE_HEADER_OVERFLOW',
    });
  });
});

const harness = useHarness();
const raws: RawServer[] = [];
afterEach(async () => {
  await Promise.all(raws.splice(0).map((server) => server.close()));
});

async function raw(answer: (request: number) => string, options?: { end?: boolean }): Promise<RawServer> {
  const server = await startRawServer(answer, options);
  raws.push(server);
  return server;
}

describe("the raw engine's connections follow what the answer says about them", () => {
  it('reuses the connection after a chunked answer', async () => {
    const server = await raw(() => CHUNKED);
    const transport = harness.transport({ engine: 'raw' });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.accepted).toBe(1);
  });

  it('opens a new connection after an answer that said Connection: close', async () => {
    const server = await raw(() => 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const transport = harness.transport({ engine: 'raw' });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.accepted).toBe(2);
  });

  it('counts a body that ends at the close as a complete answer', async () => {
    const server = await raw(() => 'HTTP/1.1 200 OK\r\n\r\nall of it', { end: true });
    const transport = harness.transport({ engine: 'raw' });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    expect(server.accepted).toBe(2);
  });

  it('connects to an IPv6 loopback URL (the brackets stay in Host only) and reuses the connection', async () => {
    const hosts: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      hosts.push(request.headers.host);
      response.writeHead(200, { 'content-length': 0 }).end();
    });
    server.listen(0, '::1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const transport = harness.transport({ engine: 'raw' });
      const url = `http://[::1]:${port}/healthz`;
      await expect(get(transport, url)).resolves.toEqual({ status: 200 });
      await expect(get(transport, url)).resolves.toEqual({ status: 200 });
      expect(hosts).toEqual([`[::1]:${port}`, `[::1]:${port}`]);
      await transport.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends Host and User-Agent, and Connection: close when connections are not reused', async () => {
    const seen: (string | undefined)[][] = [];
    const server = await harness.server((request, response) => {
      seen.push([
        request.url,
        request.headers.host,
        request.headers['user-agent'],
        request.headers.connection,
      ]);
      response.writeHead(204).end();
    });
    const kept = harness.transport({ engine: 'raw', userAgent: 'probe-test/1' });
    await expect(get(kept, server.url('/healthz?x=1'))).resolves.toEqual({ status: 204 });
    const fresh = harness.transport({ engine: 'raw', reuseConnections: false });
    await expect(get(fresh, server.url())).resolves.toEqual({ status: 204 });
    const host = `127.0.0.1:${new URL(server.url()).port}`;
    expect(seen).toEqual([
      ['/healthz?x=1', host, 'probe-test/1', undefined],
      ['/healthz', host, 'probekit/0.1', 'close'],
    ]);
  });
});
