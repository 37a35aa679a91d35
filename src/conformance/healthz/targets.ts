import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeValue, ProbekitError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import { openProcessSession } from './process-session.js';
import type { ServerSession, SessionControl } from './session.js';
import type { ServerProfile } from './types.js';

/**
 * Readiness functions a target hands over; each may return a promise, which is awaited.
 *
 * @example
 * const control: ReadinessFunctions = { ready: () => healthz.ready(), notReady: () => healthz.notReady() };
 */
export interface ReadinessFunctions {
  ready(): unknown;
  notReady(): unknown;
}

/**
 * A server object in this process, e.g. what `createHealthzServer()` returns: probekit serves
 * `handler` on 127.0.0.1 (a port the OS picks) with `node:http` and closes it after the run.
 * Hand it over before anything called `ready()`/`notReady()`: the `fresh` cases check the
 * state it starts in.
 *
 * @example
 * await runServerConformance(createHealthzServer(), { profile: 'control-plane' });
 */
export interface InProcessServerTarget extends ReadinessFunctions {
  readonly name?: string;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * A server that is already listening. With `ready`/`notReady` every case runs (hand it over
 * unflipped, as above); without them probekit cannot drive its readiness and runs only the
 * cases that hold whatever the readiness (`start: "any"`), reporting the others as skipped.
 *
 * @example
 * await runServerConformance({ url: 'http://127.0.0.1:8080' }, { profile: 'control-plane' });
 */
export interface UrlServerTarget extends Partial<ReadinessFunctions> {
  readonly name?: string;
  /** `http://` on a loopback host (127.0.0.1, ::1, localhost), no path. */
  readonly url: string;
}

/**
 * A server in another process, driven by the server process protocol (docs/conformance.md):
 * probekit picks a free port, runs `exec` through `/bin/sh -c` with `PROBEKIT_PORT` set (and
 * `{port}` / `{profile}` in the command replaced), waits until 127.0.0.1:port accepts
 * connections, and flips readiness by writing `ready` / `not-ready` lines to its stdin, each
 * answered with an `ok` line on its stdout. One process serves the whole run.
 *
 * @example
 * await runServerConformance(
 *   { exec: 'node bin/probekit.js serve --port {port} --flavour {profile} --quiet' },
 *   { profile: 'sidecar' },
 * );
 */
export interface ExecServerTarget {
  readonly name?: string;
  readonly exec: string;
  /** Working directory (default: this process's). */
  readonly cwd?: string;
  /** The environment the command inherits, protocol variables aside (default: `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** ms to wait for the port to accept connections (default 10000). */
  readonly startupTimeoutMs?: number;
  /** ms to wait for the `ok` of a `ready` / `not-ready` line (default 2000). */
  readonly commandTimeoutMs?: number;
  /** ms between SIGTERM and SIGKILL when the run ends (default 1000). */
  readonly graceMs?: number;
}

/**
 * Anything the server suite can run against.
 *
 * @example
 * const target: ServerTarget = { exec: './my-healthz --port {port}' };
 */
export type ServerTarget = InProcessServerTarget | UrlServerTarget | ExecServerTarget;

function invalidTarget(value: unknown, reason: string, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to run the server suite against ${describeValue(value)}: ${reason}. ${hint}.`,
  );
}

/** Awaits whatever a user's readiness function returns, as one `Promise<void>`. */
function control(functions: ReadinessFunctions): SessionControl {
  return {
    ready: async () => {
      await functions.ready();
    },
    notReady: async () => {
      await functions.notReady();
    },
  };
}

function hasFunctions(target: object): target is ReadinessFunctions {
  return (
    typeof (target as ReadinessFunctions).ready === 'function' &&
    typeof (target as ReadinessFunctions).notReady === 'function'
  );
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks a URL target's address: only loopback servers are tested, and the cases' paths are
 * absolute, so the URL has no path of its own.
 *
 * @example
 * parseTargetUrl('http://127.0.0.1:8080'); // { hostname: '127.0.0.1', port: 8080 }
 */
export function parseTargetUrl(text: string): { hostname: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidTarget(text, 'it is not a URL', 'Write it like http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:') {
    throw invalidTarget(text, `${url.protocol} is not http:`, 'The suite speaks plain HTTP/1.1');
  }
  if (!LOOPBACK.has(url.hostname)) {
    throw invalidTarget(
      text,
      `${url.hostname} is not a loopback address`,
      'Serve it on 127.0.0.1 or ::1 (probekit only talks to this machine)',
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw invalidTarget(
      text,
      'it has a path, query or credentials',
      'Give the server root only, e.g. http://127.0.0.1:8080 (the cases request /healthz themselves)',
    );
  }
  const hostname = url.hostname === '[::1]' ? '::1' : url.hostname;
  return { hostname, port: url.port ? Number(url.port) : 80 };
}

async function openInProcess(target: InProcessServerTarget): Promise<ServerSession> {
  const server = createServer((req, res) => {
    try {
      target.handler(req, res);
    } catch {
      // A handler that throws must not take the run down: the exchange sees a reset.
      res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    name: target.name ?? 'in-process server',
    address: { hostname: '127.0.0.1', port },
    control: control(target),
    broken: undefined,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Turns a target into a running session for one suite run.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for a target of no known shape or a bad
 *   URL; `ERR_PROBEKIT_PROTOCOL` when a process does not come up.
 * @example
 * const session = await openSession(createSidecarHealthz(), { profile: 'sidecar', clock: systemClock });
 * await session.close();
 */
export async function openSession(
  target: ServerTarget,
  { profile, clock }: { profile: ServerProfile; clock: Clock },
): Promise<ServerSession> {
  if (target === null || typeof target !== 'object') {
    throw invalidTarget(
      target,
      'it is not a target',
      'Pass a server object { handler, ready, notReady }, { url } or { exec }',
    );
  }
  if ('exec' in target) {
    if (typeof target.exec !== 'string' || target.exec.trim() === '') {
      throw invalidTarget(
        target.exec,
        'exec is not a command',
        'Write it like { exec: "./my-server --port {port}" }',
      );
    }
    return openProcessSession(target, { profile, clock });
  }
  if ('url' in target) {
    const address = parseTargetUrl(target.url);
    const given = [typeof target.ready, typeof target.notReady].filter((t) => t === 'function').length;
    if (given === 1) {
      throw invalidTarget(
        target.url,
        'it has only one of ready() and notReady()',
        'Pass both, or neither to run only the cases that need no flip',
      );
    }
    return {
      name: target.name ?? `url: ${target.url}`,
      address,
      control: hasFunctions(target) ? control(target) : undefined,
      broken: undefined,
      close: async () => {},
    };
  }
  if ('handler' in target && typeof target.handler === 'function') {
    if (!hasFunctions(target)) {
      throw invalidTarget(
        'server object',
        'it has no ready() and notReady() functions',
        'Pass what createHealthzServer() returns, or { handler, ready, notReady }',
      );
    }
    return openInProcess(target);
  }
  throw invalidTarget(
    target,
    'it has no handler, url or exec',
    'Pass a server object { handler, ready, notReady }, { url } or { exec }',
  );
}
