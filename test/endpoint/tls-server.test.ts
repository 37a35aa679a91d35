import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../src/endpoint/backends/proxy/index.js';
import { type MockServer, startMockServer } from '../../src/endpoint/backends/server/server.js';
import { createTlsCertificate, type TlsCredentials } from '../../src/endpoint/tls/certificate.js';
import { type HttpTransport, httpTransport } from '../../src/transport/http.js';
import { describeOutcome, outcomeOfError } from '../../src/transport/outcome.js';
import { startUpstream } from '../proxy/upstream.js';
import { turnsUntil } from './clients.js';

const servers: MockServer[] = [];
const transports: HttpTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function mock<T extends MockServer>(start: Promise<T>): Promise<T> {
  const server = await start;
  servers.push(server);
  return server;
}

function transport(options: Parameters<typeof httpTransport>[0] = {}): HttpTransport {
  const made = httpTransport(options);
  transports.push(made);
  return made;
}

/** One probe's outcome as a trace names it: `200`, `reset`, `tls:unknown-ca`, … */
function probe(client: HttpTransport, url: string): Promise<string> {
  return client({ url, timeout: 10_000, signal: new AbortController().signal }).then(
    ({ status }) => String(status),
    (error: unknown) => describeOutcome(outcomeOfError(error)),
  );
}

/** A GET over node:https trusting `ca`: status, body and headers. */
function get(
  url: string,
  ca: string | undefined,
): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          location: res.headers.location,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

// Made once: 2048-bit RSA keys take 0.1-1 s each on a busy machine. Tests that are about
// `tls: true` itself start with it; the rest serve the same default certificate given as files.
/** Open TCP handles (sockets and listeners) of this process. */
const tcp = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;

/** The TCP handle count once earlier tests' sockets have finished closing (bounded turns). */
async function settledTcp(): Promise<number> {
  let count = tcp();
  let still = 0;
  for (let i = 0; i < 2000 && still < 50; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const now = tcp();
    still = now === count ? still + 1 : 0;
    count = now;
  }
  return count;
}

let made: TlsCredentials;
let localhostOnly: TlsCredentials;
let expired: TlsCredentials;

// A 60 s limit: several 2048-bit RSA keys at once take seconds on a busy machine.
beforeAll(async () => {
  const day = 86_400_000;
  [made, localhostOnly, expired] = await Promise.all([
    createTlsCertificate(),
    createTlsCertificate({ hosts: ['localhost'] }),
    createTlsCertificate({ notBefore: Date.now() - 3 * day, notAfter: Date.now() - day }),
  ]);
}, 60_000);

describe('startMockServer over TLS', () => {
  it('serves the script over https with a certificate its ca verifies', async () => {
    const server = await mock(startMockServer('/healthz: 200, 503...', { tls: true }));
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.ca).toContain('-----BEGIN CERTIFICATE-----');
    const client = transport({ ca: server.ca });
    expect(await probe(client, `${server.url}/healthz`)).toBe('200');
    expect(await probe(client, `${server.url}/healthz`)).toBe('503');
    expect(server.journal.entries().map((e) => e.decision.status)).toEqual([200, 503]);
  });

  it('serves on ::1 with the same kind of certificate (its SANs name ::1 too)', async () => {
    const server = await mock(startMockServer('204...', { tls: made, host: '::1' }));
    expect(server.url).toMatch(/^https:\/\/\[::1\]:\d+$/);
    expect(await probe(transport({ ca: server.ca }), `${server.url}/`)).toBe('204');
  });

  it('is an unknown CA to a client not given its ca, and fine to one that skips verification', async () => {
    const server = await mock(startMockServer('200...', { tls: made }));
    expect(await probe(transport(), `${server.url}/`)).toBe('tls:unknown-ca');
    expect(await probe(transport({ rejectUnauthorized: false }), `${server.url}/`)).toBe('200');
    // The failed handshake never became a request.
    expect(server.journal.entries()).toHaveLength(1);
  });

  it('makes a new CA each start: one server trusts not the other', async () => {
    const first = await mock(startMockServer('200...', { tls: true }));
    const second = await mock(startMockServer('200...', { tls: true }));
    expect(first.ca).not.toBe(second.ca);
    expect(await probe(transport({ ca: first.ca }), `${second.url}/`)).toBe('tls:unknown-ca');
  });

  it('still performs every fault over TLS: reset sends a TCP reset, close and malformed are told apart', async () => {
    const server = await mock(startMockServer('reset, close, malformed, 200...', { tls: made }));
    const client = transport({ ca: server.ca });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await probe(client, `${server.url}/`));
    expect(seen).toEqual(['reset', 'closed', 'malformed', '200']);
  });

  it('serves the control API over TLS on its own port', async () => {
    const server = await mock(startMockServer('200...', { tls: made }));
    expect(server.controlUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await probe(transport({ ca: server.ca }), `${server.url}/x`);
    const journal = await get(`${server.controlUrl}/__probekit/journal`, server.ca);
    expect(journal.status).toBe(200);
    expect(JSON.parse(journal.body).entries).toHaveLength(1);
  });

  it('fills {origin} with an https:// origin', async () => {
    const server = await mock(startMockServer('/a: 302 [location="{origin}/b"]', { tls: made }));
    const answer = await get(`${server.url}/a`, server.ca);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(`${server.url}/b`);
  });

  it('leaves no socket behind after close(), even with a request hanging and a handshake half done', async () => {
    const before = await settledTcp();
    const server = await startMockServer('hang', { tls: made });
    const client = httpTransport({ ca: server.ca });
    const hanging = probe(client, `${server.url}/`);
    // A client that connects and never starts the handshake.
    const silent = connect(server.port, '127.0.0.1');
    let silentClosed = false;
    silent.on('close', () => {
      silentClosed = true;
    });
    silent.on('error', () => {});
    await once(silent, 'connect');
    expect(await turnsUntil(() => server.journal.entries().length === 1)).toBe(true);
    await server.close();
    expect(await hanging).toBe('closed');
    expect(await turnsUntil(() => silentClosed)).toBe(true);
    await client.close();
    expect(await turnsUntil(() => tcp() <= before)).toBe(true);
  });
});

describe('startMockServer with tls: { cert, key }', () => {
  it('serves the given certificate and reports the given ca', async () => {
    const { cert, key, ca } = localhostOnly;
    const server = await mock(startMockServer('200...', { tls: { cert, key, ca } }));
    expect(server.ca).toBe(ca);
    // The certificate names localhost only: probed at 127.0.0.1, the host does not match.
    expect(await probe(transport({ ca }), `${server.url}/`)).toBe('tls:wrong-host');
  });

  it('is an expired certificate to a client once its notAfter has passed', async () => {
    const { cert, key, ca } = expired;
    const server = await mock(startMockServer('200...', { tls: { cert, key } }));
    expect(server.ca).toBeUndefined();
    expect(await probe(transport({ ca }), `${server.url}/`)).toBe('tls:expired');
  });

  it('refuses a tls option it cannot use, naming it', async () => {
    await expect(startMockServer('200', { tls: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
      message: expect.stringContaining('tls "yes"'),
    });
    await expect(startMockServer('200', { tls: { cert: 'not pem', key: 'not pem' } })).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
      message: expect.stringMatching(
        /^Failed to start the mock server: its tls certificate or key is unusable/,
      ),
    });
  });
});

describe('a plain-HTTP mock server probed at https://', () => {
  it('is a TLS handshake failure, not a status', async () => {
    const server = await mock(startMockServer('200...'));
    const https = server.url.replace(/^http:/, 'https:');
    expect(await probe(transport(), `${https}/`)).toBe('tls:handshake');
  });
});

describe('startFaultProxy and TLS', () => {
  it('serves https in front of a plain upstream: pass answers from it, other steps in its place', async () => {
    const upstream = await startUpstream();
    try {
      const proxy = await mock<FaultProxy>(
        startFaultProxy(upstream.origin, 'pass, 503, pass...', { tls: made }),
      );
      expect(proxy.url).toMatch(/^https:/);
      const client = transport({ ca: proxy.ca });
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await probe(client, `${proxy.url}/ok`));
      expect(seen).toEqual(['200', '503', '200']);
      expect(upstream.received).toEqual(['GET /ok', 'GET /ok']);
    } finally {
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await upstream.close();
    }
  });

  it('forwards to an https upstream it was given the CA of', async () => {
    const upstream = await mock(startMockServer('/ok: 201 "secure upstream"', { tls: true }));
    const proxy = await mock<FaultProxy>(
      startFaultProxy(upstream.url, 'pass...', { upstreamCa: upstream.ca }),
    );
    expect(proxy.upstream).toBe(upstream.url);
    const answer = await fetch(`${proxy.url}/ok`);
    expect(answer.status).toBe(201);
    expect(await answer.text()).toBe('secure upstream');
  });

  it('answers 502 and journals tls:unknown-ca for an https upstream it cannot verify; upstreamInsecure passes', async () => {
    const upstream = await mock(startMockServer('/ok: 200 "fine"', { tls: made }));
    const strict = await mock<FaultProxy>(startFaultProxy(upstream.url, 'pass...'));
    const refused = await fetch(`${strict.url}/ok`);
    expect(refused.status).toBe(502);
    expect(refused.headers.get('x-probekit-upstream')).toBe('tls:unknown-ca');
    expect(await refused.text()).toContain('over TLS');
    expect(strict.journal.at(0)?.upstream).toMatchObject({ error: 'tls:unknown-ca' });

    const lax = await mock<FaultProxy>(startFaultProxy(upstream.url, 'pass...', { upstreamInsecure: true }));
    expect((await fetch(`${lax.url}/ok`)).status).toBe(200);
  });

  it('leaves no socket behind after close(), with kept-alive TLS connections on both sides', async () => {
    const before = await settledTcp();
    const upstream = await startMockServer('200...', { tls: made });
    const proxy = await startFaultProxy(upstream.url, 'pass...', { tls: made, upstreamCa: made.ca });
    const client = httpTransport({ ca: made.ca });
    expect(await probe(client, `${proxy.url}/`)).toBe('200');
    expect(await probe(client, `${proxy.url}/`)).toBe('200');
    expect(tcp()).toBeGreaterThan(before);
    await client.close();
    await proxy.close();
    // Only the upstream's two listeners (endpoint, control API) are left: no connection to it.
    expect(await turnsUntil(() => tcp() <= before + 2)).toBe(true);
    await upstream.close();
    expect(await turnsUntil(() => tcp() <= before)).toBe(true);
  });

  it('refuses an upstreamCa that is not PEM text', async () => {
    await expect(
      startFaultProxy('https://127.0.0.1:1', 'pass', { upstreamCa: '/etc/ca.pem' }),
    ).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_OPTION',
      message: expect.stringContaining('"/etc/ca.pem"'),
    });
  });
});
