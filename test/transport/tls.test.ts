import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsCertificate, type TlsCredentials } from '../../src/endpoint/tls/certificate.js';
import { fetchTransport } from '../../src/transport/fetch.js';
import { describeOutcome, outcomeOfError, tlsFailureReason } from '../../src/transport/outcome.js';
import { get, useHarness } from './support/harness.js';

const harness = useHarness();
const servers: { server: Server; sockets: Set<Socket> }[] = [];

afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An https server (or a plain one, without credentials) on 127.0.0.1 answering 200. */
async function serve(credentials?: Pick<TlsCredentials, 'cert' | 'key'>): Promise<number> {
  const handler = (_req: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(200, { 'content-length': '2' }).end('ok');
  const server = credentials
    ? createHttpsServer({ cert: credentials.cert, key: credentials.key }, handler)
    : createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let good: TlsCredentials;
let other: TlsCredentials;
let localhostOnly: TlsCredentials;
let expired: TlsCredentials;

// A 60 s limit: several 2048-bit RSA keys at once take seconds on a busy machine.
beforeAll(async () => {
  const day = 86_400_000;
  const now = Date.now();
  [good, other, localhostOnly, expired] = await Promise.all([
    createTlsCertificate(),
    createTlsCertificate(),
    createTlsCertificate({ hosts: ['localhost'] }),
    createTlsCertificate({ notBefore: now - 3 * day, notAfter: now - day }),
  ]);
}, 60_000);

describe('httpTransport over TLS', () => {
  it('probes an https server whose CA it was given, over one kept-alive connection', async () => {
    const port = await serve(good);
    const transport = harness.transport({ ca: good.ca });
    await expect(get(transport, `https://127.0.0.1:${port}/healthz`)).resolves.toEqual({ status: 200 });
    await expect(get(transport, `https://127.0.0.1:${port}/healthz`)).resolves.toEqual({ status: 200 });
    expect(harness.undici.connects).toBe(1);
  });

  it('probes the same certificate at ::1, a name it carries too', async () => {
    const handler = (_req: unknown, res: import('node:http').ServerResponse) => res.end();
    const server = createHttpsServer({ cert: good.cert, key: good.key }, handler);
    servers.push({ server, sockets: new Set() });
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const { port } = server.address() as AddressInfo;
    const transport = harness.transport({ ca: good.ca, connectionsPerOrigin: 1 });
    await expect(get(transport, `https://[::1]:${port}/`)).resolves.toEqual({ status: 200 });
    await transport.close();
  });

  it('accepts any certificate with rejectUnauthorized: false', async () => {
    const port = await serve(expired);
    const transport = harness.transport({ rejectUnauthorized: false });
    await expect(get(transport, `https://127.0.0.1:${port}/`)).resolves.toEqual({ status: 200 });
  });
});

describe('httpTransport names each TLS fault as a tls outcome', () => {
  const failure = async (port: number, options: Parameters<typeof harness.transport>[0] = {}) => {
    const url = `https://127.0.0.1:${port}/healthz`;
    const error = await get(harness.transport(options), url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(url);
    return { error: error as Error & { code: string }, outcome: outcomeOfError(error) };
  };

  it('calls a certificate from a CA it was not given unknown-ca, and says how to trust it', async () => {
    const { error, outcome } = await failure(await serve(good));
    expect(outcome).toEqual({ kind: 'tls', reason: 'unknown-ca', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(describeOutcome(outcome)).toBe('tls:unknown-ca');
    expect(error.message).toMatch(/^Failed to probe ".*": the TLS handshake failed, .*--ca FILE.*--insecure/);
  });

  it("calls another run's CA unknown-ca too (each run's CA is its own)", async () => {
    const { outcome } = await failure(await serve(good), { ca: other.ca });
    expect(outcome).toMatchObject({ kind: 'tls', reason: 'unknown-ca' });
  });

  it('calls a certificate for localhost only, probed at 127.0.0.1, wrong-host', async () => {
    const { outcome } = await failure(await serve(localhostOnly), { ca: localhostOnly.ca });
    expect(outcome).toEqual({ kind: 'tls', reason: 'wrong-host', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(describeOutcome(outcome)).toBe('tls:wrong-host');
  });

  it('calls a certificate whose notAfter has passed expired', async () => {
    const { outcome } = await failure(await serve(expired), { ca: expired.ca });
    expect(outcome).toEqual({ kind: 'tls', reason: 'expired', code: 'CERT_HAS_EXPIRED' });
  });

  it('calls a plain-HTTP server on the https URL a handshake failure', async () => {
    const { error, outcome } = await failure(await serve(), { ca: good.ca });
    expect(outcome).toMatchObject({ kind: 'tls', reason: 'handshake' });
    expect(describeOutcome(outcome)).toBe('tls:handshake');
    expect(error.message).toContain('does not speak TLS');
  });

  it('opens a new connection for the next probe after a TLS fault, which succeeds once trusted', async () => {
    const port = await serve(good);
    const strict = harness.transport();
    await expect(get(strict, `https://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    await expect(get(strict, `https://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(harness.undici.connects).toBe(2);
  });
});

describe('fetchTransport over TLS', () => {
  it("labels a certificate Node's fetch cannot verify tls:unknown-ca, as httpTransport does", async () => {
    const port = await serve(good);
    const error = await fetchTransport()({
      url: `https://127.0.0.1:${port}/healthz`,
      timeout: 60_000,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(outcomeOfError(error)).toMatchObject({ kind: 'tls', reason: 'unknown-ca' });
  });
});

describe('tlsFailureReason', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown-ca'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown-ca'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-ca'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid'],
    ['CERT_REVOKED', 'bad-certificate'],
    ['EPROTO', 'handshake'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'handshake'],
  ])('reads %s as %s', (code, reason) => {
    expect(tlsFailureReason(code)).toBe(reason);
    expect(outcomeOfError(Object.assign(new Error('x'), { code }))).toEqual({ kind: 'tls', reason, code });
  });

  it('leaves codes that are not TLS alone', () => {
    expect(tlsFailureReason('ECONNRESET')).toBeUndefined();
    expect(tlsFailureReason(undefined)).toBeUndefined();
    expect(outcomeOfError(Object.assign(new Error('x'), { code: 'EWHATEVER' }))).toEqual({
      kind: 'error',
      code: 'EWHATEVER',
    });
  });
});

describe('httpTransport checks its TLS options', () => {
  it('refuses a ca that is a file path rather than PEM text, naming it', () => {
    expect(() => harness.transport({ ca: '/tmp/ca.pem' })).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_OPTION',
        message: expect.stringContaining('"/tmp/ca.pem"'),
      }),
    );
  });

  it('refuses a rejectUnauthorized that is not a boolean', () => {
    expect(() => harness.transport({ rejectUnauthorized: 'no' as unknown as boolean })).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_OPTION',
        message: expect.stringContaining('"no"'),
      }),
    );
  });
});
