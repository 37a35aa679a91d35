import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serverCases } from '../../src/conformance/healthz/cases.js';
import { exchange } from '../../src/conformance/healthz/exchange.js';
import { runServerConformance, type ServerReport } from '../../src/conformance/healthz/suite.js';
import type { InProcessServerTarget } from '../../src/conformance/healthz/targets.js';
import type { ServerProfile } from '../../src/conformance/healthz/types.js';
import {
  createHealthzServer,
  createSidecarHealthz,
  SIDECAR_ERRORS,
  silentLogger,
} from '../../src/healthz/index.js';

const quiet = { logger: silentLogger };

function failing(report: ServerReport): string[] {
  return report.results.filter((r) => r.status !== 'pass').map((r) => r.id);
}

function unexpected(report: ServerReport): string[] {
  return report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message}`);
}

/** A hand-written server: `respond` decides every answer from the readiness flag. */
function handWritten(
  name: string,
  respond: (req: IncomingMessage, res: ServerResponse, ready: boolean) => void,
): InProcessServerTarget {
  let ready = false;
  return {
    name,
    handler: (req, res) => respond(req, res, ready),
    ready: () => {
      ready = true;
    },
    notReady: () => {
      ready = false;
    },
  };
}

const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0];

describe('the reference servers pass their own profile', () => {
  it.each([
    ['control-plane', () => createHealthzServer(quiet)],
    ['sidecar', () => createSidecarHealthz(quiet)],
  ] as const)('%s: every case, core and strict', async (profile, create) => {
    const report = await runServerConformance(create(), { profile });
    expect(unexpected(report)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(25);
    expect(Object.keys(report.byLevel).sort()).toEqual(['core', 'strict']);
    expect(report.skipped).toEqual([]);
    expect(report.suite).toBe('server');
    expect(report.profile).toBe(profile);
  });
});

describe('the suite can fail: each profile rejects the other server', () => {
  it('the control-plane suite fails the sidecar server on its readiness and paths', async () => {
    const report = await runServerConformance(createSidecarHealthz(quiet), { profile: 'control-plane' });
    expect(failing(report)).toEqual(
      expect.arrayContaining([
        'control-plane-starts-not-ready',
        'control-plane-ready-200',
        'control-plane-flips-both-ways',
        'control-plane-any-method-ready',
        'control-plane-sidecar-path-404',
      ]),
    );
    expect(report.errored).toBe(0);
  });

  it('the sidecar suite fails the control-plane server on its status codes, methods and paths', async () => {
    const report = await runServerConformance(createHealthzServer(quiet), { profile: 'sidecar' });
    expect(failing(report)).toEqual(
      expect.arrayContaining([
        'sidecar-starts-not-ready',
        'sidecar-ready-204',
        'sidecar-head-405',
        'sidecar-options-200',
        'sidecar-trailing-slash-301',
        'sidecar-control-plane-path-404',
      ]),
    );
    expect(report.errored).toBe(0);
  });
});

describe('deliberately broken servers fail named cases', () => {
  const cases: Array<[string, ServerProfile, () => InProcessServerTarget, string[]]> = [
    [
      '200 when not ready (notReady() is ignored, ready from the start)',
      'control-plane',
      () => {
        const server = createHealthzServer(quiet);
        server.ready();
        return { handler: server.handler, ready: () => server.ready(), notReady: () => {} };
      },
      [
        'control-plane-starts-not-ready',
        'control-plane-flips-both-ways',
        'control-plane-any-method-not-ready',
      ],
    ],
    [
      '503 with a body',
      'control-plane',
      () =>
        handWritten('503 with a body', (req, res, ready) => {
          if (pathOf(req) !== '/healthz') res.writeHead(404).end();
          else if (ready) res.writeHead(200).end();
          else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('not ready');
        }),
      ['control-plane-starts-not-ready', 'control-plane-flips-both-ways', 'control-plane-query-not-ready'],
    ],
    [
      'serves every path under /healthz (a prefix match)',
      'control-plane',
      () =>
        handWritten('prefix match', (req, res, ready) => {
          res.writeHead((req.url ?? '').startsWith('/healthz') ? (ready ? 200 : 503) : 404).end();
        }),
      ['control-plane-trailing-slash-404', 'control-plane-other-paths-404', 'control-plane-404-when-ready'],
    ],
    [
      'sidecar error as text/plain',
      'sidecar',
      () =>
        handWritten('text error', (req, res, ready) => {
          if (pathOf(req) !== '/v1.0/healthz') res.writeHead(404).end();
          else if (ready) res.writeHead(204).end();
          else res.writeHead(500, { 'Content-Type': 'text/plain' }).end(SIDECAR_ERRORS.notReady);
        }),
      ['sidecar-starts-not-ready', 'sidecar-flips-both-ways'],
    ],
    [
      'sidecar answering HEAD like GET and never redirecting (an Express-style router)',
      'sidecar',
      () =>
        handWritten('express-style', (req, res, ready) => {
          if (pathOf(req) !== '/v1.0/healthz') res.writeHead(404).end();
          else if (req.method === 'OPTIONS') res.writeHead(200, { Allow: 'GET, OPTIONS' }).end();
          else if (req.method !== 'GET' && req.method !== 'HEAD')
            res.writeHead(405, { Allow: 'GET, OPTIONS' }).end();
          else if (ready) res.writeHead(204).end();
          else res.writeHead(500, { 'Content-Type': 'application/json' }).end(SIDECAR_ERRORS.notReady);
        }),
      ['sidecar-head-405', 'sidecar-405-when-ready', 'sidecar-trailing-slash-301'],
    ],
  ];

  it.each(cases)('%s', async (_, profile, make, named) => {
    const report = await runServerConformance(make(), { profile });
    expect(failing(report)).toEqual(expect.arrayContaining(named));
  });

  it('a minimal node:http server passes core and fails strict (Node lays out its headers its own way)', async () => {
    const target = handWritten('minimal node:http', (req, res, ready) => {
      res.statusCode = pathOf(req) === '/healthz' ? (ready ? 200 : 503) : 404;
      res.end();
    });
    const core = await runServerConformance(target, { profile: 'control-plane', levels: ['core'] });
    expect(unexpected(core)).toEqual([]);
    const strict = await runServerConformance(target, { profile: 'control-plane', levels: ['strict'] });
    expect(failing(strict)).toEqual(
      expect.arrayContaining(['control-plane-strict-503-header-set', 'control-plane-strict-404-page']),
    );
  });
});

describe('a failure reads as a diff of one step', () => {
  it('names the step, the request, expected against actual, the steps around it and the rules', async () => {
    const server = createHealthzServer(quiet);
    const stuck = { handler: server.handler, ready: () => {}, notReady: () => server.notReady() };
    const report = await runServerConformance(stuck, {
      profile: 'control-plane',
      only: ['control-plane-flips-both-ways'],
    });
    const [result] = report.results;
    expect(result?.status).toBe('fail');
    expect(result?.step).toBe(2);
    expect(result?.mismatches).toEqual([{ field: 'status', expected: '200', actual: '503' }]);
    expect(result?.message?.split('\n')).toEqual([
      'Step 2 of 8 differs: GET /healthz after "ready"',
      '  status  expected 200',
      '          actual   503',
      '  (recorded from Dapr v1.0: after Ready(): GET /healthz HTTP/1.1)',
      'Steps:',
      '  ✓ 1. ready',
      '  ✗ 2. GET /healthz → 200',
      '    3. not-ready (not run)',
      '    4. GET /healthz → 503 (not run)',
      '    5. ready (not run)',
      '    6. GET /healthz → 200 (not run)',
      '    7. not-ready (not run)',
      '    8. GET /healthz → 503 (not run)',
      'Breaks:',
      '  control-plane.readiness: Ready()/NotReady() flip one flag and only its current value matters: /healthz is 200 when ready, 503 when not (§2).',
    ]);
  });

  it('shows a header that must be absent, and one that differs', async () => {
    const target = handWritten('json 204', (_req, res, ready) => {
      res
        .writeHead(ready ? 204 : 500, { 'Content-Type': 'text/json' })
        .end(ready ? '' : SIDECAR_ERRORS.notReady);
    });
    const report = await runServerConformance(target, {
      profile: 'sidecar',
      only: ['sidecar-starts-not-ready', 'sidecar-strict-204-no-content-length'],
    });
    const message = report.results.map((r) => r.message).join('\n');
    expect(message).toContain(
      'header Content-Type  expected "application/json"\n                       actual   "text/json"',
    );
    expect(report.results.map((r) => r.status)).toEqual(['fail', 'pass']);
  });
});

describe('targets', () => {
  it('a URL with readiness functions runs every case', async () => {
    const stop = new AbortController();
    let resolveUrl: (url: string) => void = () => {};
    const bound = new Promise<string>((resolve) => {
      resolveUrl = resolve;
    });
    const live = createHealthzServer({ ...quiet, onListening: ({ url }) => resolveUrl(url) });
    const running = live.run(stop.signal, 0, '127.0.0.1');
    const url = await bound;
    try {
      const report = await runServerConformance(
        { url, ready: () => live.ready(), notReady: async () => live.notReady() },
        { profile: 'control-plane' },
      );
      expect(unexpected(report)).toEqual([]);
      expect(report.skipped).toEqual([]);
      expect(report.implementation).toBe(`url: ${url}`);
    } finally {
      stop.abort();
      await running;
    }
  });

  it('a bare URL runs only the cases that hold in either state and reports the others as skipped', async () => {
    const stop = new AbortController();
    let resolveUrl: (url: string) => void = () => {};
    const bound = new Promise<string>((resolve) => {
      resolveUrl = resolve;
    });
    const live = createSidecarHealthz({ ...quiet, onListening: ({ url }) => resolveUrl(url) });
    live.ready();
    const running = live.run(stop.signal, 0, '127.0.0.1');
    const url = await bound;
    try {
      const report = await runServerConformance({ url }, { profile: 'sidecar' });
      expect(unexpected(report)).toEqual([]);
      expect(report.results.length).toBeGreaterThan(5);
      expect(report.skipped.length + report.results.length).toBe(serverCases({ profile: 'sidecar' }).length);
      expect(report.skipped.map((s) => s.id)).toContain('sidecar-starts-not-ready');
      expect(report.skipped[0]?.reason).toMatch(/readiness driven/);
    } finally {
      stop.abort();
      await running;
    }
  });

  it('fresh cases run first, before anything flips the server', async () => {
    const order: string[] = [];
    await runServerConformance(createHealthzServer(quiet), {
      profile: 'control-plane',
      onResult: (r) => order.push(r.id),
    });
    expect(order.slice(0, 5)).toEqual([
      'control-plane-starts-not-ready',
      'control-plane-starts-not-ready-any-method',
      'control-plane-starts-not-ready-with-query',
      'control-plane-strict-503-header-set',
      'control-plane-strict-head-no-content-length',
    ]);
  });

  it('closes the in-process server after the run', async () => {
    const server = createHealthzServer(quiet);
    let port = 0;
    const target: InProcessServerTarget = {
      handler: (req, res) => {
        port = req.socket.localPort ?? 0;
        server.handler(req, res);
      },
      ready: () => server.ready(),
      notReady: () => server.notReady(),
    };
    await runServerConformance(target, { profile: 'control-plane', only: ['control-plane-ready-200'] });
    expect(port).toBeGreaterThan(0);
    const socket = connect(port, '127.0.0.1');
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('a handler that throws fails its case without ending the run', async () => {
    const target = handWritten('throws', () => {
      throw new Error('boom');
    });
    const report = await runServerConformance(target, {
      profile: 'control-plane',
      only: ['control-plane-ready-200', 'control-plane-root-404'],
    });
    expect(report.results.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(report.results[0]?.mismatches?.[0]?.field).toBe('no-response');
  });

  it('a server that never answers fails at the request timeout', async () => {
    const target = handWritten('hangs', () => {});
    const report = await runServerConformance(target, {
      profile: 'control-plane',
      only: ['control-plane-root-404'],
      requestTimeoutMs: 100,
    });
    expect(report.results[0]?.status).toBe('fail');
    expect(report.results[0]?.message).toContain('ETIMEDOUT: no complete response within 100 ms');
  });

  it('nothing listening at a URL is an error per case, not a failure', async () => {
    const probe = createTcpServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const report = await runServerConformance(
      { url: `http://127.0.0.1:${port}` },
      { profile: 'control-plane', levels: ['core'] },
    );
    expect(report.errored).toBe(report.results.length);
    expect(report.results[0]?.message).toMatch(/Nothing accepts connections on 127\.0\.0\.1:\d+/);
  });

  it.each([
    [null, /it is not a target/],
    [{}, /no handler, url or exec/],
    [{ url: 'https://127.0.0.1:8443' }, /https: is not http:/],
    [{ url: 'http://example.com:8080' }, /example\.com is not a loopback address/],
    [{ url: 'http://127.0.0.1:8080/healthz' }, /has a path/],
    [{ url: 'http://127.0.0.1:8080', ready: () => {} }, /only one of ready\(\) and notReady\(\)/],
    [{ handler: () => {} }, /no ready\(\) and notReady\(\)/],
    [{ exec: ' ' }, /exec is not a command/],
  ])('rejects the target %j with ERR_PROBEKIT_INVALID_OPTION', async (target, message) => {
    await expect(runServerConformance(target as never, { profile: 'control-plane' })).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
      message: expect.stringMatching(message),
    });
  });

  it('an aborted signal runs no case', async () => {
    const report = await runServerConformance(createHealthzServer(quiet), {
      profile: 'control-plane',
      signal: AbortSignal.abort(),
    });
    expect(report.results).toEqual([]);
  });
});

describe('the exchange sees what the connection carried', () => {
  it('flags a body sent with the response to HEAD', async () => {
    const raw = createTcpServer((socket) => {
      socket.once('data', () => {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot ready',
        );
      });
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    const agent = new Agent({ keepAlive: false });
    try {
      const { port } = raw.address() as AddressInfo;
      const outcome = await exchange(
        { hostname: '127.0.0.1', port },
        { method: 'HEAD', path: '/healthz' },
        { agent },
      );
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.response.status).toBe(503);
      expect(outcome.response.afterResponse).toMatch(/Data after/);
    } finally {
      agent.destroy();
      raw.close();
    }
  });
});

describe('cases for a sidecar started with an API token', () => {
  const server = { apiToken: 'probekit-conformance-token' };

  it('the reference sidecar started with the token passes them, core and strict', async () => {
    const report = await runServerConformance(createSidecarHealthz({ ...quiet, ...server }), {
      profile: 'sidecar',
      server,
    });
    expect(unexpected(report)).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'sidecar-api-token-401-without-token',
        'sidecar-strict-api-token-before-routing',
      ]),
    );
    expect(report.results.every((r) => r.id.includes('api-token'))).toBe(true);
  });

  it('are left out of a run that names no token, so a plain sidecar still passes every case', async () => {
    const report = await runServerConformance(createSidecarHealthz(quiet), { profile: 'sidecar' });
    expect(report.results.filter((r) => r.id.includes('api-token'))).toEqual([]);
    expect(unexpected(report)).toEqual([]);
  });

  it('fail a sidecar that was started without the token, naming the 401 cases', async () => {
    const report = await runServerConformance(createSidecarHealthz(quiet), { profile: 'sidecar', server });
    expect(failing(report)).toEqual(
      expect.arrayContaining([
        'sidecar-api-token-401-without-token',
        'sidecar-api-token-401-wrong-token',
        'sidecar-strict-api-token-before-routing',
      ]),
    );
  });

  it('fail a token check that exempts /healthz case-insensitively (it would serve /v1.0/HEALTHZ without one)', async () => {
    const sidecar = createSidecarHealthz({ ...quiet, outbound: false });
    const target = handWritten('case-insensitive exemption', (req, res) => {
      const url = req.url ?? '/';
      if (!url.toLowerCase().includes('/healthz') && req.headers['dapr-api-token'] !== server.apiToken) {
        res
          .writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '17' })
          .end('invalid api token');
      } else sidecar.handler(req, res);
    });
    const flips = { ready: () => sidecar.ready(), notReady: () => sidecar.notReady() };
    const report = await runServerConformance({ ...target, ...flips }, { profile: 'sidecar', server });
    expect(failing(report)).toEqual(['sidecar-strict-api-token-before-routing']);
  });
});

describe('regression: the sidecar redirect was relative and case-sensitive', () => {
  it('a sidecar answering Location: /v1.0/healthz and 404 to /v1.0/HEALTHZ fails the repair cases', async () => {
    const target = handWritten('relative redirect', (req, res, ready) => {
      const path = pathOf(req);
      if (path === '/v1.0/healthz/' && req.method === 'GET')
        res.writeHead(301, { Location: '/v1.0/healthz' }).end();
      else if (path !== '/v1.0/healthz') res.writeHead(404).end();
      else if (req.method === 'OPTIONS') res.writeHead(200, { Allow: 'GET, OPTIONS' }).end();
      else if (req.method !== 'GET') res.writeHead(405, { Allow: 'GET, OPTIONS' }).end();
      else if (ready) res.writeHead(204).end();
      else res.writeHead(500, { 'Content-Type': 'application/json' }).end(SIDECAR_ERRORS.notReady);
    });
    const report = await runServerConformance(target, { profile: 'sidecar', levels: ['core'] });
    expect(failing(report).sort()).toEqual([
      'sidecar-fixed-path-301',
      'sidecar-fixed-path-301-ready',
      'sidecar-trailing-slash-301',
      'sidecar-trailing-slash-301-ready',
    ]);
  });
});
