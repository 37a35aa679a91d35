import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerTlsOption } from '../endpoint/tls/server-tls.js';
import { ProbekitError } from '../errors.js';

/** The TLS flags of a server command (`--tls`, `--cert`, `--key`, `--ca-out`), read and checked. */
export interface ServerTlsFlags {
  /** `--cert FILE` and `--key FILE` (always both), or neither: a certificate made at start-up. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** `--ca-out FILE`: where the made CA certificate goes (kept); default a temp file, removed on exit. */
  readonly caOut: string | undefined;
}

/**
 * Reads `--tls`, `--cert`, `--key` and `--ca-out` without touching the disk: `undefined` for
 * plain HTTP. `--cert`/`--key` come together and imply `--tls`; `--ca-out` needs a certificate
 * made at start-up (with your own files, you already have their CA).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE` naming the flag, ending with `hint`.
 * @example
 * readServerTlsFlags({ tls: true }, 'See "probekit mock --help".'); // { certFile: undefined, … }
 */
export function readServerTlsFlags(
  values: Readonly<Record<string, unknown>>,
  hint: string,
): ServerTlsFlags | undefined {
  const usage = (message: string) => new ProbekitError('ERR_PROBEKIT_USAGE', `${message} ${hint}`);
  const certFile = values.cert as string | undefined;
  const keyFile = values.key as string | undefined;
  const caOut = values['ca-out'] as string | undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw usage(
      `Failed to use ${certFile === undefined ? '--key' : '--cert'}: it needs ${certFile === undefined ? '--cert' : '--key'} too. Give both files, or neither for a certificate made at start-up.`,
    );
  }
  if (caOut !== undefined && certFile !== undefined) {
    throw usage(
      'Failed to use --ca-out with --cert/--key: only a certificate made at start-up has a CA to write. Drop --ca-out (your clients trust the CA of your own files).',
    );
  }
  if (values.tls !== true && certFile === undefined && caOut === undefined) return undefined;
  return { certFile, keyFile, caOut };
}

async function readPem(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read ${flag} ${JSON.stringify(path)}: ${(error as Error).message}. Check the path.`,
    );
  }
}

/**
 * The server's `tls` option from the flags: `true` (made at start-up), or the PEM files read.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE` naming a file that cannot be read.
 * @example
 * const tls = await loadServerTls(flags.tls); // pass as startMockServer(script, { tls })
 */
export async function loadServerTls(flags: ServerTlsFlags | undefined): Promise<ServerTlsOption | undefined> {
  if (flags === undefined) return undefined;
  if (flags.certFile === undefined || flags.keyFile === undefined) return true;
  // One after the other: when both are bad, the message names --cert every time (in parallel,
  // whichever read failed first won, and the error changed from run to run).
  const cert = await readPem('--cert', flags.certFile);
  const key = await readPem('--key', flags.keyFile);
  return { cert, key };
}

/**
 * Reads a CA certificate file for a client flag (`--ca`, `--upstream-ca`).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE` naming the file when it cannot be read or holds no certificate.
 * @example
 * const ca = await readCaFile('--ca', 'ca.pem');
 */
export async function readCaFile(flag: string, path: string): Promise<string> {
  const text = await readPem(flag, path);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read ${flag} ${JSON.stringify(path)}: it holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Pass the CA certificate the server printed.`,
    );
  }
  return text;
}

/** Where a server's CA certificate was written, and how to clean up after. */
export interface WrittenCa {
  readonly path: string;
  /** Removes the file if it was a temp one (a `--ca-out` file is kept). Idempotent. */
  remove(): Promise<void>;
}

/**
 * Writes the CA certificate a server made to `--ca-out`, or to a new temp folder (removed by
 * `remove()`, so a stopped server leaves nothing in /tmp).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE` when `--ca-out` cannot be written.
 * @example
 * const written = await writeCa(server.ca, flags.caOut); // … await written.remove();
 */
export async function writeCa(ca: string, caOut: string | undefined): Promise<WrittenCa> {
  if (caOut !== undefined) {
    try {
      await writeFile(caOut, ca);
    } catch (error) {
      throw new ProbekitError(
        'ERR_PROBEKIT_USAGE',
        `Failed to write --ca-out ${JSON.stringify(caOut)}: ${(error as Error).message}. Check that the folder exists and is writable.`,
      );
    }
    return { path: caOut, remove: async () => {} };
  }
  const folder = await mkdtemp(join(tmpdir(), 'probekit-ca-'));
  const path = join(folder, 'ca.pem');
  await writeFile(path, ca);
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
