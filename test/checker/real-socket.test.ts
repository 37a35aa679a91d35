import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckEvent,
  type HealthCheck,
  startEndpointHealthCheck,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withSuccessStatusCode,
} from '../../src/checker/index.js';

type Step = (req: IncomingMessage, res: ServerResponse) => void;

const answer =
  (status: number, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-length': '0', ...headers });
    res.end();
  };
const hang: Step = () => {};
const closeWithoutResponse: Step = (req) => req.socket.destroy();
const reset: Step = (req) => (req.socket as Socket).resetAndDestroy();
const endlessBody: Step = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('partial…');
  // The rest never comes. fasthttp reads the whole response before DoTimeout returns.
};
const slowBody: Step = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('first half, ');
  setTimeout(() => res.end('second half'), 30);
};

let servers: Server[] = [];
let checks: HealthCheck[] = [];

async function scriptedServer(steps: Step[], after: Step) {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((req, res) => {
    const step = steps[count++] ?? after;
    step(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, requests: () => count, sockets };
}

/** Reads signals until `count` arrived; the test's timeout bounds a run that never gets there. */
async function runUntil(check: HealthCheck, count: number): Promise<boolean[]> {
  const values: boolean[] = [];
  for await (const value of check) {
    values.push(value);
    if (values.length >= count) break;
  }
  return values;
}

function outcomes(events: CheckEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'probe-end' ? [e.outcome.kind === 'status' ? String(e.outcome.status) : e.outcome.kind] : [],
  );
}

afterEach(async () => {
  await Promise.all(checks.map((c) => c.stop()));
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
  servers = [];
  checks = [];
});

function start(url: string, events: CheckEvent[], ...extra: ReturnType<typeof withInterval>[]) {
  const check = startEndpointHealthCheck(
    url,
    withInterval(40),
    withInitialDelay(0),
    withRequestTimeout(500),
    withObserver((e) => events.push(e)),
    ...extra,
  );
  checks.push(check);
  return check;
}

describe('the checker over real sockets on 127.0.0.1 (httpTransport)', () => {
  it('emits true per success and one false per streak of 503s', async () => {
    const { url } = await scriptedServer(
      [answer(200), answer(503), answer(503), answer(503), answer(200)],
      answer(200),
    );
    const events: CheckEvent[] = [];
    const values = await runUntil(start(url, events), 3);
    expect(values).toEqual([true, false, true]);
    expect(outcomes(events).slice(0, 5)).toEqual(['200', '503', '503', '503', '200']);
  });

  it('times out a hanging request and closes its connection; the next probe opens a new one', async () => {
    const server = await scriptedServer([hang, hang], answer(200));
    const events: CheckEvent[] = [];
    const values = await runUntil(start(url(server), events, withRequestTimeout(100)), 2);
    expect(values).toEqual([false, true]);
    expect(outcomes(events).slice(0, 3)).toEqual(['timeout', 'timeout', '200']);
  });

  it.each([
    ['a refused connection', 'refused'],
    ['a reset', 'reset'],
    ['a connection closed without a response', 'closed'],
  ])('counts %s as a failure', async (_name, kind) => {
    if (kind === 'refused') {
      // Take a free port, then close it: nobody listens there.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const events: CheckEvent[] = [];
      const values = await runUntil(start(`http://127.0.0.1:${port}/healthz`, events), 1);
      expect(values).toEqual([false]);
      expect(outcomes(events).slice(0, 2)).toEqual(['refused', 'refused']);
      return;
    }
    const step = kind === 'reset' ? reset : closeWithoutResponse;
    const server = await scriptedServer([step, step], answer(200));
    const events: CheckEvent[] = [];
    const values = await runUntil(start(url(server), events), 2);
    expect(values).toEqual([false, true]);
    expect(outcomes(events).slice(0, 3)).toEqual([kind, kind, '200']);
  });

  it('does not follow a 302: it is a failure', async () => {
    const server = await scriptedServer(
      [answer(302, { location: '/target' }), answer(302, { location: '/target' })],
      answer(200),
    );
    const events: CheckEvent[] = [];
    const values = await runUntil(start(url(server), events), 2);
    expect(values).toEqual([false, true]);
    expect(server.requests()).toBeGreaterThanOrEqual(3);
  });

  it('counts only 204 with a success code of 204', async () => {
    const server = await scriptedServer([answer(200), answer(204)], answer(204));
    const events: CheckEvent[] = [];
    const values = await runUntil(
      start(url(server), events, withSuccessStatusCode(204), withFailureThreshold(1)),
      2,
    );
    expect(values).toEqual([false, true]);
  });

  it('counts a 200 whose body arrives slowly but in time as a success', async () => {
    const server = await scriptedServer([slowBody], answer(503));
    const events: CheckEvent[] = [];
    const values = await runUntil(start(url(server), events), 1);
    expect(values).toEqual([true]);
    expect(outcomes(events)[0]).toBe('200');
  });

  it('counts a 200 whose body does not finish within the timeout as a timeout', async () => {
    const server = await scriptedServer([endlessBody], answer(200));
    const events: CheckEvent[] = [];
    const values = await runUntil(
      start(url(server), events, withRequestTimeout(100), withFailureThreshold(1)),
      2,
    );
    expect(values).toEqual([false, true]);
    expect(outcomes(events).slice(0, 2)).toEqual(['timeout', '200']);
  });

  it('leaves no socket or timer behind after stop(), even mid-probe', async () => {
    const server = await scriptedServer([], hang);
    const before = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const events: CheckEvent[] = [];
    const check = start(url(server), events, withRequestTimeout(10_000));
    // Wait (bounded) until a probe is in flight.
    for (let i = 0; i < 200 && !events.some((e) => e.type === 'probe-start'); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(check.state.phase).toBe('probing');
    await check.stop();
    for (let i = 0; i < 100 && server.sockets.size > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.sockets.size).toBe(0);
    const after = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });
});

function url(server: { url: string }): string {
  return server.url;
}
