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
