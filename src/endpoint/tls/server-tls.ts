import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { describeValue, ProbekitError } from '../../errors.js';
import { createTlsCertificate } from './certificate.js';

/**
 * A server's own certificate and key (PEM), and optionally the CA to hand to its clients.
 *
 * @example
 * const tls: ServerTlsFiles = { cert: readFileSync('cert.pem', 'utf8'), key: readFileSync('key.pem', 'utf8') };
 */
export interface ServerTlsFiles {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** The CA that signed `cert` (PEM), reported as the server's `ca`. Default: none known. */
  readonly ca?: string;
}

/**
 * The `tls` option of a server: `true` makes a CA and a certificate for `127.0.0.1`, `::1` and
 * `localhost` at start-up; files give the certificate to serve.
 *
 * @example
 * await startMockServer('200...', { tls: true });
 */
export type ServerTlsOption = boolean | ServerTlsFiles;

/** What a server needs to speak TLS: the context its sockets use, and the CA its clients trust. */
export interface ServerTls {
  readonly context: SecureContext;
  readonly ca: string | undefined;
}

function invalid(what: string, value: unknown, reason: string, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to start the ${what}: tls ${describeValue(value)} ${reason}. ${hint}.`,
  );
}

const HINT = 'Use tls: true for a certificate made at start-up, or { cert, key } with PEM text';

/**
 * Reads a server's `tls` option: `undefined` / `false` for plain HTTP, `true` to make a CA and a
 * certificate now ({@link createTlsCertificate}), or PEM files to serve.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` when the option or its PEM is unusable.
 * @example
 * const tls = await resolveServerTls(true, 'mock server'); // tls?.ca is the CA's PEM
 */
export async function resolveServerTls(
  option: ServerTlsOption | undefined,
  what: string,
): Promise<ServerTls | undefined> {
  if (option === undefined || option === false) return undefined;
  if (option === true) {
    const made = await createTlsCertificate();
    return { context: createSecureContext({ cert: made.cert, key: made.key }), ca: made.ca };
  }
  if (option === null || typeof option !== 'object')
    throw invalid(what, option, 'is not a boolean or an object', HINT);
  const { cert, key, ca } = option;
  for (const [name, value] of [
    ['cert', cert],
    ['key', key],
  ] as const) {
    if (typeof value !== 'string' && !Buffer.isBuffer(value))
      throw invalid(what, { [name]: value }, `has no PEM text in ${name}`, HINT);
  }
  if (ca !== undefined && (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----')))
    throw invalid(
      what,
      { ca },
      'has a ca that is not a PEM certificate',
      'Leave ca out, or pass the CA certificate PEM',
    );
  try {
    return { context: createSecureContext({ cert, key }), ca };
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to start the ${what}: its tls certificate or key is unusable (${(error as Error).message}). Pass the PEM text of a certificate and its own private key.`,
      { cause: error },
    );
  }
}

/**
 * Starts TLS on a socket a server accepted, and calls `onSecure` once the handshake is done (so
 * the HTTP layer only ever sees working TLS connections). A failed handshake (a plain-HTTP
 * client, a client that rejects the certificate) just destroys the socket, as Node's https server
 * does. The TCP socket under it stays reachable to the caller: only it can send a TCP reset.
 *
 * @example
 * const secure = acceptTls(socket, tls.context, () => httpServer.emit('connection', secure));
 */
export function acceptTls(socket: Socket, context: SecureContext, onSecure: () => void): TLSSocket {
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    ALPNProtocols: ['http/1.1'],
  });
  const onError = () => secure.destroy();
  secure.on('error', onError);
  secure.once('secure', () => {
    // The HTTP server adds its own error handling from here on.
    secure.off('error', onError);
    onSecure();
  });
  return secure;
}
