import { isIP } from 'node:net';
import type { ControlAccess } from '../endpoint/backends/server/control-api.js';
import { checkJournalSize } from '../endpoint/engine/journal.js';
import { checkSeed } from '../endpoint/engine/rng.js';
import { ProbekitError } from '../errors.js';
import { integerFlag, rangeFlag } from './args.js';
import { readServerTlsFlags, type ServerTlsFlags } from './tls-files.js';

/**
 * The TLS flags every server command declares (`--tls`, `--cert`, `--key`, `--ca-out`), for
 * `parseCommandArgs`; {@link readServerFlags} reads them.
 *
 * @example
 * parseCommandArgs('mock', args, { port: { type: 'string' }, ...SERVER_TLS_OPTIONS });
 */
export const SERVER_TLS_OPTIONS = {
  tls: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'ca-out': { type: 'string' },
} as const;

/** The flags every command that runs a mock server reads (`mock`, `proxy`), read and checked. */
export interface ServerFlags {
  readonly port: number | undefined;
  readonly host: string | undefined;
  readonly seed: number;
  readonly journalSize: number | undefined;
  readonly control: ControlAccess;
  readonly controlPort: number | undefined;
  readonly controlToken: string | undefined;
  /** `--tls` and its files; `undefined` for plain HTTP. */
  readonly tls: ServerTlsFlags | undefined;
}

/**
 * Reads `--port`, `--host`, `--seed`, `--journal-size`, `--control`, `--control-port`,
 * `--control-token` (or `PROBEKIT_CONTROL_TOKEN`) and the TLS flags ({@link SERVER_TLS_OPTIONS}),
 * the same way for every server command.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE` naming the flag, ending with `hint` (e.g. `See "probekit mock --help".`).
 * @example
 * const flags = readServerFlags(values, process.env, 'See "probekit mock --help".');
 */
export function readServerFlags(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
  hint: string,
): ServerFlags {
  const usage = (message: string) => new ProbekitError('ERR_PROBEKIT_USAGE', `${message} ${hint}`);
  const text = (name: string) => values[name] as string | undefined;
  const port = rangeFlag('port', text('port'), 0, 65535, '0: any free port');
  // An IP address only: a server of ours never resolves a hostname (it could point off this machine).
  const host = text('host');
  if (host !== undefined && isIP(host) === 0) {
    throw usage(
      `Failed to read --host ${JSON.stringify(host)}: it is not an IP address. Write it like --host 127.0.0.1 or --host ::1.`,
    );
  }
  const size = integerFlag('journal-size', text('journal-size'));
  let journalSize: number | undefined;
  try {
    journalSize = size === undefined ? undefined : checkJournalSize(size);
  } catch {
    throw usage(
      `Failed to read --journal-size ${JSON.stringify(text('journal-size'))}: it is not from 0 to 100000000 (0 keeps no requests but still counts them).`,
    );
  }
  const control = text('control') ?? 'loopback';
  if (!['loopback', 'any', 'off'].includes(control)) {
    throw usage(`Failed to read --control ${JSON.stringify(control)}: use loopback, any or off.`);
  }
  const controlPort = rangeFlag('control-port', text('control-port'), 0, 65535, '0: any free port');
  const controlToken = text('control-token') ?? env.PROBEKIT_CONTROL_TOKEN;
  if (controlToken !== undefined && !/^[\x21-\x7e]{1,1024}$/.test(controlToken)) {
    throw usage(
      'Failed to read --control-token (or PROBEKIT_CONTROL_TOKEN): use 1 to 1024 visible ASCII characters, no spaces.',
    );
  }
  let seed: number;
  try {
    seed = checkSeed(integerFlag('seed', text('seed')), '--seed');
  } catch (error) {
    throw new ProbekitError('ERR_PROBEKIT_USAGE', (error as Error).message);
  }
  const tls = readServerTlsFlags(values, hint);
  return { port, host, seed, journalSize, control: control as ControlAccess, controlPort, controlToken, tls };
}
