import { describeValue, ProbekitError } from '../errors.js';

/**
 * How an HTTP transport verifies an `https://` server.
 *
 * @example
 * const options: TlsClientOptions = { ca: readFileSync('ca.pem', 'utf8') };
 */
export interface TlsClientOptions {
  /**
   * CA certificates (PEM) to trust instead of Node's bundled ones, e.g. the `ca` of a mock
   * server started with `tls: true`. Default: Node's bundled CAs.
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /**
   * `false` accepts any certificate (self-signed, expired, for another host): the probe still
   * speaks TLS, but proves nothing about who answered. Default `true`.
   */
  readonly rejectUnauthorized?: boolean;
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

function invalid(name: string, value: unknown, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to create the HTTP transport: ${name} must be ${hint}, got ${describeValue(value)}. Leave it out for the default.`,
  );
}

/**
 * Checks the TLS options of a transport and returns the ones to hand to undici's connector
 * (only those given, so Node's defaults stay in force otherwise).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` naming the bad value.
 * @example
 * skipContinueConnector(tlsConnectOptions({ ca: pem }));
 */
export function tlsConnectOptions(options: TlsClientOptions): {
  ca?: string | Buffer | (string | Buffer)[];
  rejectUnauthorized?: boolean;
} {
  const out: { ca?: string | Buffer | (string | Buffer)[]; rejectUnauthorized?: boolean } = {};
  const { ca, rejectUnauthorized } = options;
  if (ca !== undefined) {
    const list = Array.isArray(ca) ? ca : [ca];
    for (const item of list) {
      const text = Buffer.isBuffer(item) ? item.toString('latin1') : item;
      // A path passed where the PEM text belongs is the usual slip: say so before a probe fails.
      if (typeof text !== 'string' || !text.includes(PEM_CERTIFICATE))
        throw invalid(
          'ca',
          typeof text === 'string' && text.length > 80 ? `${text.slice(0, 80)}…` : item,
          'PEM certificate text (read the file first: readFileSync(path, "utf8"))',
        );
    }
    out.ca = Array.isArray(ca) ? [...(ca as (string | Buffer)[])] : (ca as string | Buffer);
  }
  if (rejectUnauthorized !== undefined) {
    if (typeof rejectUnauthorized !== 'boolean')
      throw invalid('rejectUnauthorized', rejectUnauthorized, 'a boolean');
    out.rejectUnauthorized = rejectUnauthorized;
  }
  return out;
}
