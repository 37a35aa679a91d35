import { connect, type Socket } from 'node:net';
import FakeTimers from '@sinonjs/fake-timers';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/endpoint/backends/server/server.js';
import { turnsUntil } from './clients.js';

/**
 * A scenario's `idleTimeoutMs` is the instant the mock closes a kept-alive connection: Node's
 * own keep-alive close comes a second after its `keepAliveTimeout`, which is enough to turn
 * "the server closed it before the next probe" (Dapr v1.0 fails that probe) into "it did not".
 * On a virtual clock the close is exact: real socket, virtual timer.
 */
describe('the mock server closes an idle kept-alive connection at idleTimeoutMs', () => {
  let server: MockServer;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.destroy();
    await server.close();
  });

  /** A raw keep-alive connection: sends one GET, resolves on its response; `ended` once the server closes. */
  async function keptAlive(url: string) {
    const { port } = new URL(url);
    const raw = connect(Number(port), '127.0.0.1');
    socket = raw;
    let ended = false;
    raw.on('end', () => {
      ended = true;
    });
    raw.on('close', () => {
      ended = true;
    });
    const answered = new Promise<string>((resolve) => {
      raw.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
    });
    raw.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    return { answer: await answered, ended: () => ended, raw };
  }

  it('closes it exactly idleTimeoutMs after the response, not before', async () => {
    const clock = FakeTimers.createClock(0);
    server = await startMockServer('200...', { clock, idleTimeoutMs: 150 });
    const connection = await keptAlive(server.url);
    expect(connection.answer).toMatch(/^HTTP\/1\.1 200/);
    await clock.tickAsync(149);
    expect(await turnsUntil(connection.ended, 50)).toBe(false);
    await clock.tickAsync(1);
    expect(await turnsUntil(connection.ended, 500)).toBe(true);
  });

  it('starts the wait again after every response on the connection', async () => {
    const clock = FakeTimers.createClock(0);
    server = await startMockServer('200...', { clock, idleTimeoutMs: 150 });
    const connection = await keptAlive(server.url);
    await clock.tickAsync(100);
    const second = new Promise<string>((resolve) => {
      connection.raw.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
    });
    connection.raw.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await second).toMatch(/^HTTP\/1\.1 200/);
    await clock.tickAsync(100); // 200 ms in, 100 ms after the second answer
    expect(await turnsUntil(connection.ended, 50)).toBe(false);
    await clock.tickAsync(50);
    expect(await turnsUntil(connection.ended, 500)).toBe(true);
    expect(server.journal.at(1)?.fate).toBe('completed');
  });
});
