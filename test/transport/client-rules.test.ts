import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import FakeTimers from '@sinonjs/fake-timers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HealthCheck,
  startEndpointHealthCheck,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withTransport,
} from '../../src/checker/index.js';
import { ProbekitError } from '../../src/errors.js';
import { type HttpTransport, type HttpTransportOptions, httpTransport } from '../../src/transport/http.js';
import { describeOutcome, outcomeOfError } from '../../src/transport/outcome.js';
import { withTestEngine } from './support/engine.js';
import {
  type EventHandler,
  type EventServer,
  type EventServerOptions,
  startEventServer,
} from './support/event-server.js';
import { get, track, turns } from './support/harness.js';

const servers: EventServer[] = [];
const transports: HttpTransport[] = [];
const checks: HealthCheck[] = [];

afterEach(async () => {
  await Promise.all(checks.splice(0).map((check) => check.stop()));
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: EventServerOptions = {}): Promise<EventServer> {
  const started = await startEventServer(options);
  servers.push(started);
  return started;
}

function transport(options: HttpTransportOptions = {}): HttpTransport {
  const created = httpTransport(withTestEngine(options));
  transports.push(created);
  return created;
}

/** Resolves with the probe's rejection (the test fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (response) => {
      throw new Error(`expected the probe to fail, got ${JSON.stringify(response)}`);
    },
    (error: unknown) => error,
  );
}

/**
 * Closes the server's side of every idle connection (as a keep-alive timeout does) and waits
 * until the client has had the I/O turns to read the FIN: a bounded number of loop turns.
 */
async function serverClosesIdle(target: EventServer, sockets: Set<Socket>, closes: number): Promise<void> {
  for (const socket of sockets) socket.end();
  await target.until(() => target.log.filter((line) => line.startsWith('close ')).length >= closes);
  await turns(20);
}

/** A handler that answers 200 and remembers each connection's socket. */
function remembering(sockets: Set<Socket>): EventHandler {
  return (request, response) => {
    sockets.add(request.socket);
    request.socket.once('close', () => sockets.delete(request.socket));
    response.writeHead(200, { 'content-length': 0 }).end();
  };
}

/** Reads `count` signals, logging each into the server's log as it is read. */
async function readSignals(check: HealthCheck, log: string[], count: number): Promise<boolean[]> {
  const values: boolean[] = [];
  for await (const healthy of check) {
    values.push(healthy);
    log.push(`signal ${healthy}`);
    if (values.length === count) break;
  }
  return values;
}

describe('the measured setup of SEMANTICS.md §1: server keep-alive timeout shorter than the interval', () => {
  // Dapr v1.0 against Node's 5 s keep-alive at a 10 s interval, made fast: 200 ms against 500 ms.
  it('gives true, false, true, false at threshold 1 with the default transport, and the server sees only probes 1 and 3', async () => {
    const endpoint = await server({ idleClose: 200 });
    const outcomes: string[] = [];
    const check = startEndpointHealthCheck(
      endpoint.url(),
      withInterval(500),
      withInitialDelay(0),
      withFailureThreshold(1),
      withObserver((event) => {
        if (event.type === 'probe-end') outcomes.push(describeOutcome(event.outcome));
      }),
    );
    checks.push(check);
    const signals = await readSignals(check, endpoint.log, 4);
    const log = [...endpoint.log];

    expect(signals).toEqual([true, false, true, false]);
    expect(outcomes).toEqual(['200', 'closed', '200', 'closed']);
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /healthz on 2']);
    // Causality: each `false` follows the server's close of the idle connection, and no request
    // reached the server between that close and the `false`.
    expect(log.filter((line) => line !== 'signal true')).toEqual([
      'connect 1',
      'GET /healthz on 1',
      'close 1',
      'signal false',
      'connect 2',
      'GET /healthz on 2',
      'close 2',
      'signal false',
    ]);
  });

  it("gives true four times with idleConnections: 'retry', and the server sees every probe on a new connection", async () => {
    const endpoint = await server({ idleClose: 200 });
    const check = startEndpointHealthCheck(
      endpoint.url(),
      withInterval(500),
      withInitialDelay(0),
      withFailureThreshold(1),
      withTransport(transport({ idleConnections: 'retry' })),
    );
    checks.push(check);
    const signals = await readSignals(check, endpoint.log, 4);

    expect(signals).toEqual([true, true, true, true]);
    expect(endpoint.requests()).toEqual([1, 2, 3, 4].map((n) => `GET /healthz on ${n}`));
    const log = endpoint.log.filter((line) => !line.startsWith('signal'));
    expect(log.indexOf('close 1')).toBeLessThan(log.indexOf('connect 2'));
  });
});

describe("idleConnections: 'no-retry' (the default, fasthttp)", () => {
  it('fails the probe on a connection the server closed while idle as closed, sending nothing, and the next probe reconnects', async () => {
    const sockets = new Set<Socket>();
    const endpoint = await server({ handler: remembering(sockets) });
    const client = transport();
    await expect(get(client, endpoint.url())).resolves.toEqual({ status: 200 });
    await serverClosesIdle(endpoint, sockets, 1);

    const error = await failure(get(client, endpoint.url('/second')));
    expect(error).toMatchObject({ code: 'ECONNCLOSED' });
    expect(outcomeOfError(error)).toEqual({ kind: 'closed' });
    expect((error as Error).message).toMatch(
      /^Failed to probe ".*\/second": .*idle keep-alive connection.*idleConnections: 'retry'/,
    );
    expect(endpoint.requests()).toEqual(['GET /healthz on 1']);

    await expect(get(client, endpoint.url('/third'))).resolves.toEqual({ status: 200 });
    expect(endpoint.log).toEqual([
      'connect 1',
      'GET /healthz on 1',
      'close 1',
      'connect 2',
      'GET /third on 2',
    ]);
  });

  it('still meets a dead connection idle exactly idleTimeout, and not one idle longer (fasthttp had dropped it)', async () => {
    const clock = FakeTimers.createClock(0);
    const sockets = new Set<Socket>();
    const endpoint = await server({ handler: remembering(sockets) });
    const other = await server();
    const client = transport({ clock, idleTimeout: 1000 });
    await get(client, endpoint.url());
    await serverClosesIdle(endpoint, sockets, 1);
    clock.tick(1000);
    // A probe elsewhere runs the idle-pool sweep now: an origin idle exactly idleTimeout stays.
    await get(client, other.url());
    await expect(failure(get(client, endpoint.url('/at-limit')))).resolves.toMatchObject({
      code: 'ECONNCLOSED',
    });

    await get(client, endpoint.url('/fresh'));
    await serverClosesIdle(endpoint, sockets, 2);
    clock.tick(1000);
    await get(client, other.url()); // the sweep again: still exactly idleTimeout
    clock.tick(1); // now idle longer, and the next sweep is 999 ms away: the pool's own rule decides
    await expect(get(client, endpoint.url('/after-limit'))).resolves.toEqual({ status: 200 });
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /fresh on 2', 'GET /after-limit on 3']);
  });

  it('reuses the most recently used idle connection first (LIFO, as fasthttp and Go)', async () => {
    const held: ServerResponse[] = [];
    const endpoint = await server({
      handler: (request, response) => {
        if (request.url === '/hold') held.push(response);
        else response.writeHead(200, { 'content-length': 0 }).end();
      },
    });
    const client = transport();
    const slow = get(client, endpoint.url('/hold'));
    await endpoint.until(() => endpoint.requests().length === 1);
    await get(client, endpoint.url('/quick'));
    // Connection 1 is released after connection 2: it is the one the next probe takes.
    held[0]?.writeHead(200, { 'content-length': 0 }).end();
    await slow;
    await get(client, endpoint.url('/next'));
    expect(endpoint.requests()).toEqual(['GET /hold on 1', 'GET /quick on 2', 'GET /next on 1']);
  });

  it('fails a probe whose reused connection closes unanswered, without sending it again', async () => {
    const endpoint = await server({
      handler: (request, response, { onConnection }) => {
        if (onConnection === 2) request.socket.destroy();
        else response.writeHead(200, { 'content-length': 0 }).end();
      },
    });
    const client = transport();
    await get(client, endpoint.url());
    const error = await failure(get(client, endpoint.url('/dropped')));
    expect(['closed', 'reset']).toContain(outcomeOfError(error).kind);
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /dropped on 1']);
  });

  it("reuses the connection although the server's Keep-Alive hint says timeout=0 (fasthttp does not read it)", async () => {
    // node:http sends `Keep-Alive: timeout=0` for a 500 ms keep-alive; undici alone closes at once.
    const endpoint = await server({ keepAliveTimeout: 500 });
    const client = transport();
    for (let i = 0; i < 3; i++) await get(client, endpoint.url());
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /healthz on 1', 'GET /healthz on 1']);
  });
});

describe("idleConnections: 'retry' (Go net/http)", () => {
  it('sends a GET that failed unanswered on a reused connection again on a new one: the server sees both', async () => {
    const endpoint = await server({
      handler: (request, response, { connection, onConnection }) => {
        if (connection === 1 && onConnection === 2) request.socket.destroy();
        else response.writeHead(200, { 'content-length': 0 }).end();
      },
    });
    const client = transport({ idleConnections: 'retry' });
    await get(client, endpoint.url());
    await expect(get(client, endpoint.url('/retried'))).resolves.toEqual({ status: 200 });
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /retried on 1', 'GET /retried on 2']);
    expect(endpoint.log.indexOf('close 1')).toBeLessThan(endpoint.log.indexOf('GET /retried on 2'));
  });

  it('does not retry a failure on a fresh connection', async () => {
    const endpoint = await server({ handler: (request) => request.socket.destroy() });
    const client = transport({ idleConnections: 'retry' });
    const error = await failure(get(client, endpoint.url()));
    expect(['closed', 'reset']).toContain(outcomeOfError(error).kind);
    expect(endpoint.requests()).toEqual(['GET /healthz on 1']);
  });

  it('does not retry a reused connection that answered, whatever the status', async () => {
    const endpoint = await server({
      handler: (_request, response, { onConnection }) =>
        response.writeHead(onConnection === 2 ? 503 : 200, { 'content-length': 0 }).end(),
    });
    const client = transport({ idleConnections: 'retry' });
    await get(client, endpoint.url());
    await expect(get(client, endpoint.url())).resolves.toEqual({ status: 503 });
    expect(endpoint.requests()).toHaveLength(2);
  });

  it('drops a connection the server closed while idle and opens a new one, without failing', async () => {
    const sockets = new Set<Socket>();
    const endpoint = await server({ handler: remembering(sockets) });
    const client = transport({ idleConnections: 'retry' });
    await get(client, endpoint.url());
    await serverClosesIdle(endpoint, sockets, 1);
    await expect(get(client, endpoint.url('/second'))).resolves.toEqual({ status: 200 });
    expect(endpoint.requests()).toEqual(['GET /healthz on 1', 'GET /second on 2']);
  });
});

describe('reuseConnections: false (Dapr v0.6 … v0.11.2, a new client per probe)', () => {
  it('opens one connection per probe and closes each after its answer', async () => {
    const endpoint = await server();
    const client = transport({ reuseConnections: false });
    for (let i = 1; i <= 3; i++) {
      await expect(get(client, endpoint.url(`/p${i}`))).resolves.toEqual({ status: 200 });
      await endpoint.until(() => endpoint.log.includes(`close ${i}`));
    }
    expect(endpoint.accepted).toBe(3);
    expect(endpoint.log).toEqual([
      ...['connect 1', 'GET /p1 on 1', 'close 1'],
      ...['connect 2', 'GET /p2 on 2', 'close 2'],
      ...['connect 3', 'GET /p3 on 3', 'close 3'],
    ]);
  });

  it('keeps one connection by default', async () => {
    const endpoint = await server();
    const client = transport();
    for (let i = 0; i < 3; i++) await get(client, endpoint.url());
    expect(endpoint.accepted).toBe(1);
  });
});

/** /start redirects to `location` with `status`; /target answers 200; /loop redirects to itself. */
function redirecting(status: number, location: string | undefined): EventHandler {
  return (request, response) => {
    if (request.url === '/target') return void response.writeHead(200, { 'content-length': 0 }).end();
    const headers: Record<string, string | number> = { 'content-length': 0 };
    if (request.url === '/loop') headers.location = '/loop';
    else if (location !== undefined) headers.location = location;
    response.writeHead(status, headers).end();
  };
}

describe('followRedirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'follows a %i with a relative Location: the probe gets the target status',
    async (status) => {
      const endpoint = await server({ handler: redirecting(status, '/target') });
      const client = transport({ followRedirects: 10 });
      await expect(get(client, endpoint.url('/start'))).resolves.toEqual({ status: 200 });
      expect(endpoint.requests()).toEqual(['GET /start on 1', 'GET /target on 1']);
    },
  );

  it('follows an absolute Location to another origin on 127.0.0.1', async () => {
    const log: string[] = [];
    const target = await server({ log, name: 'b:' });
    const origin = await server({ log, name: 'a:', handler: redirecting(302, target.url('/elsewhere')) });
    const client = transport({ followRedirects: 10 });
    await expect(get(client, origin.url('/start'))).resolves.toEqual({ status: 200 });
    expect(log.filter((line) => line.includes('GET'))).toEqual([
      'a:GET /start on 1',
      'b:GET /elsewhere on 1',
    ]);
  });

  it('does not follow by default: the 3xx is the status (fasthttp)', async () => {
    const endpoint = await server({ handler: redirecting(302, '/target') });
    await expect(get(transport(), endpoint.url('/start'))).resolves.toEqual({ status: 302 });
    expect(endpoint.requests()).toEqual(['GET /start on 1']);
  });

  it('returns a 3xx without Location as is', async () => {
    const endpoint = await server({ handler: redirecting(302, undefined) });
    const client = transport({ followRedirects: 10 });
    await expect(get(client, endpoint.url('/start'))).resolves.toEqual({ status: 302 });
    expect(endpoint.requests()).toEqual(['GET /start on 1']);
  });

  it('stops a redirect loop at the N-th redirect answer with ERR_TOO_MANY_REDIRECTS (Go: len(via) >= 10)', async () => {
    const endpoint = await server({ handler: redirecting(302, undefined) });
    const client = transport({ followRedirects: 10 });
    const error = await failure(get(client, endpoint.url('/loop')));
    expect(error).toMatchObject({ code: 'ERR_TOO_MANY_REDIRECTS' });
    expect((error as Error).message).toContain('stopped after 10 redirects');
    expect(endpoint.requests()).toHaveLength(10);
  });

  it('fails a redirect whose Location is not http(s), sending nothing more', async () => {
    const endpoint = await server({ handler: redirecting(302, 'ftp://127.0.0.1/file') });
    const error = await failure(get(transport({ followRedirects: 10 }), endpoint.url('/start')));
    expect(outcomeOfError(error)).toEqual({ kind: 'invalid-url' });
    expect(endpoint.requests()).toEqual(['GET /start on 1']);
  });
});

/** /slow: the head and a first chunk at once, the rest when the test calls `finish()`; else 200. */
function dribbling() {
  const open: ServerResponse[] = [];
  const handler: EventHandler = (request, response) => {
    if (request.url !== '/slow') return void response.writeHead(200, { 'content-length': 0 }).end();
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('first chunk, ');
    open.push(response);
  };
  return {
    handler,
    open,
    finish(log: string[]) {
      log.push('body end');
      for (const response of open.splice(0)) response.end('last chunk');
    },
  };
}

describe('settleAt', () => {
  it("'headers' resolves before a dribbled body ends, then drains it and keeps the connection", async () => {
    const body = dribbling();
    const endpoint = await server({ handler: body.handler });
    const client = transport({ settleAt: 'headers' });
    const response = await get(client, endpoint.url('/slow'));
    endpoint.log.push('resolved');
    expect(response).toEqual({ status: 200 });
    expect(body.open).toHaveLength(1); // the body had not ended when the probe resolved
    body.finish(endpoint.log);
    await turns(20); // the client reads the rest of the body (bounded I/O turns, no sleep)

    await expect(get(client, endpoint.url('/after'))).resolves.toEqual({ status: 200 });
    expect(endpoint.log.slice(0, 4)).toEqual(['connect 1', 'GET /slow on 1', 'resolved', 'body end']);
    expect(endpoint.requests()).toEqual(['GET /slow on 1', 'GET /after on 1']);
  });

  it("'body' (the default) resolves only after the body ends", async () => {
    const body = dribbling();
    const endpoint = await server({ handler: body.handler });
    const probe = track(get(transport(), endpoint.url('/slow')));
    await endpoint.until(() => endpoint.requests().length === 1);
    await turns(20);
    expect(probe.settled).toBe(false);
    body.finish(endpoint.log);
    await expect(probe.promise).resolves.toEqual({ status: 200 });
  });

  it("'headers': aborting the signal after the probe resolved destroys the draining body's connection", async () => {
    const body = dribbling();
    const endpoint = await server({ handler: body.handler });
    const client = transport({ settleAt: 'headers' });
    const controller = new AbortController();
    await expect(get(client, endpoint.url('/slow'), controller.signal)).resolves.toEqual({ status: 200 });
    controller.abort();
    await endpoint.until(() => endpoint.log.includes('close 1'));
    body.open.splice(0);
    await expect(get(client, endpoint.url('/next'))).resolves.toEqual({ status: 200 });
    expect(endpoint.requests()).toEqual(['GET /slow on 1', 'GET /next on 2']);
  });

  it("'headers': a probe on a busy draining connection takes another one", async () => {
    const body = dribbling();
    const endpoint = await server({ handler: body.handler });
    const client = transport({ settleAt: 'headers' });
    await get(client, endpoint.url('/slow'));
    const second = get(client, endpoint.url('/slow'));
    await expect(second).resolves.toEqual({ status: 200 });
    body.finish(endpoint.log);
    expect(endpoint.requests()).toEqual(['GET /slow on 1', 'GET /slow on 2']);
  });
});

describe('client rule options are checked', () => {
  it.each([
    ['idleConnections', 'sometimes', /idleConnections must be 'no-retry' or 'retry', got "sometimes"/],
    ['reuseConnections', 'yes', /reuseConnections must be true or false, got "yes"/],
    ['followRedirects', -1, /followRedirects must be an integer from 0 to 1000, got -1/],
    ['followRedirects', 1.5, /followRedirects must be an integer from 0 to 1000, got 1.5/],
    ['settleAt', 'trailers', /settleAt must be 'body' or 'headers', got "trailers"/],
  ])('rejects %s = %j with ERR_PROBEKIT_INVALID_OPTION naming the value', (name, value, message) => {
    const create = () => httpTransport({ [name]: value } as HttpTransportOptions);
    expect(create).toThrow(ProbekitError);
    expect(create).toThrow(expect.objectContaining({ code: 'ERR_PROBEKIT_INVALID_OPTION' }));
    expect(create).toThrow(message);
  });
});
