import { generateKeyPair, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { describeValue, ProbekitError } from '../../errors.js';
import { systemWallClock, type WallClock } from '../../time/wall-clock.js';

/** PEM text of a server certificate, its private key, and the CA that signed it. */
export interface TlsCredentials {
  /** The server's certificate (PEM). */
  readonly cert: string;
  /** The server certificate's private key (PEM, PKCS #8). */
  readonly key: string;
  /** The certificate of the CA that signed `cert` (PEM): what a client must trust. */
  readonly ca: string;
}

/** Options for {@link createTlsCertificate}. Every field is optional. */
export interface TlsCertificateOptions {
  /**
   * The names the certificate is valid for: IP addresses become IP subject alternative names,
   * anything else a DNS name. Default {@link DEFAULT_TLS_HOSTS}.
   */
  readonly hosts?: readonly string[];
  /** Epoch ms the certificate is valid from (default: an hour ago, for clocks a little behind). */
  readonly notBefore?: number;
  /**
   * Epoch ms the certificate is valid until (default: 30 days from now). A time in the past makes
   * an expired certificate, for testing how a client takes one.
   */
  readonly notAfter?: number;
  /** Where "now" is read (default: the system's wall clock). */
  readonly wallClock?: WallClock;
}

/**
 * The names a certificate made by {@link createTlsCertificate} covers unless told otherwise:
 * every way a client on this machine addresses a loopback server.
 *
 * @example
 * await createTlsCertificate({ hosts: DEFAULT_TLS_HOSTS.filter((h) => h !== 'localhost') });
 */
export const DEFAULT_TLS_HOSTS: readonly string[] = Object.freeze(['127.0.0.1', '::1', 'localhost']);

const HOUR_MS = 3_600_000;
const DEFAULT_LIFETIME_MS = 30 * 24 * HOUR_MS;
// RSA, not EC: node-forge signs certificates with RSA keys only. 2048 bits is what every
// client accepts; the keys come from node:crypto (native, off the main thread).
const RSA_BITS = 2048;
// A DNS name as a certificate can carry it (a leading "*." wildcard allowed).
const DNS_NAME =
  /^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const generateRsa = promisify(generateKeyPair);

function invalid(name: string, value: unknown, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to create the TLS certificate: ${name} ${describeValue(value)} is not valid. ${hint}.`,
  );
}

function checkTime(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 253_402_300_800_000)
    return value;
  throw invalid(name, value, 'Use epoch milliseconds (e.g. Date.parse("2020-01-01"))');
}

function checkHosts(hosts: unknown): readonly string[] {
  if (hosts === undefined) return DEFAULT_TLS_HOSTS;
  if (!Array.isArray(hosts) || hosts.length === 0)
    throw invalid('hosts', hosts, "Use a non-empty list like ['127.0.0.1', '::1', 'localhost']");
  for (const host of hosts) {
    if (typeof host !== 'string' || (isIP(host) === 0 && (host.length > 253 || !DNS_NAME.test(host))))
      throw invalid('hosts', host, "Use IP addresses or DNS names, like '127.0.0.1' or 'localhost'");
  }
  return hosts;
}

/** A positive serial number of 16 random bytes, as hex (X.509 wants it positive and unique). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function keyPair(): Promise<{ pem: string; keys: forge.pki.rsa.KeyPair }> {
  const { privateKey } = await generateRsa('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { pem: privateKey, keys: { privateKey: forgeKey, publicKey } };
}

/**
 * Makes a CA and a server certificate it signs, for serving HTTPS on this machine: the
 * certificate names `hosts` (default `127.0.0.1`, `::1` and `localhost`) as subject alternative
 * names, so a client that trusts `ca` verifies it whichever way it addresses the server. Both are
 * new each call (fresh 2048-bit RSA keys, a CA name with a random suffix), so a client that trusts
 * one run's CA rejects another run's server as an unknown CA. `notAfter` in the past or `hosts`
 * without the address probed make the certificates that TLS fault tests need. node-forge builds
 * and signs the certificates (pure JavaScript, no `openssl` needed); node:crypto makes the keys.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` naming a bad host or time.
 * @example
 * const { cert, key, ca } = await createTlsCertificate();
 * const server = https.createServer({ cert, key }, handler); // clients pass { ca }
 * @example
 * // Expired yesterday, for testing a client's CERT_HAS_EXPIRED.
 * await createTlsCertificate({ notBefore: Date.now() - 2 * 86_400_000, notAfter: Date.now() - 86_400_000 });
 */
export async function createTlsCertificate(options: TlsCertificateOptions = {}): Promise<TlsCredentials> {
  const hosts = checkHosts(options.hosts);
  const now = (options.wallClock ?? systemWallClock)();
  const notBefore = checkTime('notBefore', options.notBefore) ?? now - HOUR_MS;
  const notAfter = checkTime('notAfter', options.notAfter) ?? Math.max(now, notBefore) + DEFAULT_LIFETIME_MS;
  if (notAfter <= notBefore)
    throw invalid('notAfter', notAfter, `Make it later than notBefore (${notBefore})`);
  const [caPair, leafPair] = await Promise.all([keyPair(), keyPair()]);
  const sha256 = () => forge.md.sha256.create();

  const ca = forge.pki.createCertificate();
  ca.publicKey = caPair.keys.publicKey;
  ca.serialNumber = serialNumber();
  ca.validity.notBefore = new Date(notBefore);
  ca.validity.notAfter = new Date(notAfter);
  const caName = [
    { name: 'commonName', value: `probekit test CA ${ca.serialNumber.slice(0, 8)}` },
    { name: 'organizationName', value: 'probekit' },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caPair.keys.privateKey, sha256());

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafPair.keys.publicKey;
  leaf.serialNumber = serialNumber();
  leaf.validity.notBefore = new Date(notBefore);
  leaf.validity.notAfter = new Date(notAfter);
  leaf.setSubject([{ name: 'commonName', value: hosts[0] as string }]);
  leaf.setIssuer(caName);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // 7: iPAddress, 2: dNSName (RFC 5280 §4.2.1.6).
      altNames: hosts.map((host) => (isIP(host) === 0 ? { type: 2, value: host } : { type: 7, ip: host })),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caPair.keys.privateKey, sha256());

  return {
    cert: forge.pki.certificateToPem(leaf),
    key: leafPair.pem,
    ca: forge.pki.certificateToPem(ca),
  };
}
