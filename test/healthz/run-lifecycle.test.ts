import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { createHealthzServer, createSidecarHealthz, type ListeningAddress } from '../../src/healthz/index.js';
import { exchange, rawClient, recordingLogger, startRun } from './support/raw-http.js';

const FULL = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const PARTIAL = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n';

/** Lets real I/O callbacks run (not a sleep: no time passes on any clock we assert on). */
async function turns(count = 10): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function tracked<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  return { settled: () => settled, promise };
}

/**
 * A client whose first request was answered while its second request's headers are only half
 * sent. Both were written at once, so when the first answer arrives the server has already
 * read (and started parsing) the second: the connection is busy, not idle.
 */
async function halfwayClient(port: number) {
  const client = await rawClient(port);
  client.write(FULL + PARTIAL);
  await client.waitFor('\r\n\r\n');
  return client;
}

function countResponses(raw: string): number {
  return raw.split('HTTP/1.1 ').length - 1;
}

describe('run() starts and stops', () => {
  it('listens, serves, and resolves after the abort once everything is closed', async () => {
    const logger = recordingLogger();
    const running = await startRun((onListening) => createHealthzServer({ logger, onListening }));
    running.server.ready();
    expect(
      await exchange(running.address.port, FULL.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')),
    ).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await running.stop();
    const refused = connect(running.address.port, '127.0.0.1');
    const [error] = await once(refused, 'error');
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('reports the real bound address to onListening', async () => {
    const running = await startRun((onListening) =>
      createHealthzServer({ logger: recordingLogger(), onListening }),
    );
    expect(running.address.host).toBe('127.0.0.1');
    expect(running.address.port).toBeGreaterThan(0);
    expect(running.address.url).toBe(`http://127.0.0.1:${running.address.port}`);
    await running.stop();
  });

  it('an abort before start resolves without listening or logging', async () => {
    const logger = recordingLogger();
    const heard: ListeningAddress[] = [];
    const healthz = createHealthzServer({ logger, onListening: (address) => heard.push(address) });
    const controller = new AbortController();
    controller.abort();
    await expect(healthz.run(controller.signal, 0, '127.0.0.1')).resolves.toBeUndefined();
    expect(heard).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it('an abort right after the call (while binding) still shuts down cleanly', async () => {
    const logger = recordingLogger();
    const healthz = createHealthzServer({ logger });
    const controller = new AbortController();
    const done = healthz.run(controller.signal, 0, '127.0.0.1');
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    expect(logger.lines.map((line) => line.replace(/:\d+$/, ':<port>'))).toEqual([
      'info: Healthz server is listening on :<port>',
      'info: Healthz server is shutting down',
    ]);
  });

  it('an onListening callback that throws stops the server and rejects with its error', async () => {
    const healthz = createHealthzServer({
      logger: recordingLogger(),
      onListening: () => {
        throw new Error('boom');
      },
    });
    await expect(healthz.run(new AbortController().signal, 0, '127.0.0.1')).rejects.toThrow('boom');
  });

  it('the sidecar flavour runs and stops the same way', async () => {
    const running = await startRun((onListening) =>
      createSidecarHealthz({ logger: recordingLogger(), onListening }),
    );
    running.server.ready();
    const raw = await exchange(
      running.address.port,
      'GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    await running.stop();
  });
});

describe('run() on a port that is in use', () => {
  it('rejects at once with ERR_PROBEKIT_PORT_IN_USE naming the port, and logs Go-style', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const logger = recordingLogger();
      const healthz = createHealthzServer({ logger });
      const error = await healthz
        .run(new AbortController().signal, port, '127.0.0.1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProbekitError);
      expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_PORT_IN_USE');
      expect((error as ProbekitError).message).toContain(String(port));
      expect(logger.lines).toEqual([
        `error: Healthz server error: listen tcp 127.0.0.1:${port}: bind: address already in use`,
      ]);
    } finally {
      blocker.close();
    }
  });
});

describe('run() rejects bad arguments with a clear error', () => {
  it.each([
    ['a negative port', -1],
    ['a port above 65535', 70000],
    ['a fractional port', 80.5],
    ['a string port', '8080'],
  ])('%s → ERR_PROBEKIT_INVALID_OPTION naming the value', async (_what, port) => {
    const healthz = createHealthzServer({ logger: recordingLogger() });
    const error = await healthz.run(new AbortController().signal, port as number).catch((e: unknown) => e);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((error as ProbekitError).message).toContain(String(port));
  });

  it('a missing signal → ERR_PROBEKIT_INVALID_OPTION', async () => {
    const healthz = createHealthzServer({ logger: recordingLogger() });
    const error = await healthz.run(undefined as unknown as AbortSignal, 0).catch((e: unknown) => e);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
  });
});

describe('graceful shutdown', () => {
  it('closes an idle keep-alive connection at once, without waiting for the grace', async () => {
    const clock = FakeTimers.createClock(0);
    const running = await startRun((onListening) =>
      createHealthzServer({ clock, logger: recordingLogger(), onListening }),
    );
    const client = await rawClient(running.address.port);
    client.write(FULL);
    await client.waitFor('\r\n\r\n');
    expect(client.received()).not.toContain('Connection:');
    running.controller.abort();
    await running.done;
    await client.closed();
    expect(clock.countTimers()).toBe(0);
  });

  it('lets a request that is arriving finish within the grace, answered with Connection: close', async () => {
    const clock = FakeTimers.createClock(0);
    const running = await startRun((onListening) =>
      createHealthzServer({ clock, logger: recordingLogger(), onListening }),
    );
    const client = await halfwayClient(running.address.port);
    running.controller.abort();
    await clock.tickAsync(4999);
    client.write('\r\n');
    const raw = await client.closed();
    expect(countResponses(raw)).toBe(2);
    expect(raw.slice(raw.lastIndexOf('HTTP/1.1 '))).toContain('\r\nConnection: close\r\n');
    await running.done;
    expect(clock.countTimers()).toBe(0);
  });

  it('destroys a silent client when the default 5 s grace ends, and only then resolves', async () => {
    const clock = FakeTimers.createClock(0);
    const running = await startRun((onListening) =>
      createHealthzServer({ clock, logger: recordingLogger(), onListening }),
    );
    const client = await halfwayClient(running.address.port);
    const done = tracked(running.done);
    running.controller.abort();
    await clock.tickAsync(4999);
    await turns();
    expect(done.settled()).toBe(false);
    await clock.tickAsync(1);
    await done.promise;
    expect(countResponses(await client.closed())).toBe(1);
  });

  it('honours an injected shorter grace', async () => {
    const clock = FakeTimers.createClock(0);
    const running = await startRun((onListening) =>
      createHealthzServer({ clock, shutdownGrace: 50, logger: recordingLogger(), onListening }),
    );
    const client = await halfwayClient(running.address.port);
    const done = tracked(running.done);
    running.controller.abort();
    await clock.tickAsync(49);
    await turns();
    expect(done.settled()).toBe(false);
    await clock.tickAsync(1);
    await done.promise;
    await client.closed();
  });
});
