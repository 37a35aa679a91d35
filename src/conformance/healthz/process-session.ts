import { type AddressInfo, connect, createServer } from 'node:net';
import { ProbekitError } from '../../errors.js';
import { type Clock, sleep } from '../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../time/deadline.js';
import { PROTOCOL_VARIABLES } from '../checker/process/protocol.js';
import { spawnImplementation } from '../common/child-process.js';
import type { ServerSession } from './session.js';
import type { ExecServerTarget } from './targets.js';
import type { ServerProfile } from './types.js';

/**
 * The version of the server process protocol (docs/conformance.md#healthz-servers), passed to
 * the process as `PROBEKIT_SERVER_PROTOCOL`; a change an existing server could trip on bumps it.
 *
 * @example
 * if (process.env.PROBEKIT_SERVER_PROTOCOL !== String(SERVER_PROTOCOL_VERSION)) process.exit(2);
 */
export const SERVER_PROTOCOL_VERSION = 1;

/**
 * The variables the server protocol sets (inherited ones are removed first).
 *
 * @example
 * SERVER_PROTOCOL_VARIABLES; // ['PROBEKIT_SERVER_PROTOCOL', 'PROBEKIT_PORT', 'PROBEKIT_PROFILE']
 */
export const SERVER_PROTOCOL_VARIABLES: readonly string[] = Object.freeze([
  'PROBEKIT_SERVER_PROTOCOL',
  'PROBEKIT_PORT',
  'PROBEKIT_PROFILE',
]);

const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const DEFAULT_GRACE_MS = 1000;
/** How often the port is tried while the process starts. */
const POLL_MS = 20;
/** How long one connection attempt may take on loopback. */
const CONNECT_TIMEOUT_MS = 500;
const MAX_QUOTED = 200;

/**
 * The command with `{port}` and `{profile}` replaced.
 *
 * @example
 * substituteCommand('serve --port {port} --flavour {profile}', 8080, 'sidecar'); // 'serve --port 8080 --flavour sidecar'
 */
export function substituteCommand(command: string, port: number, profile: ServerProfile): string {
  return command.replaceAll('{port}', String(port)).replaceAll('{profile}', profile);
}

/**
 * The environment of the server process: the caller's without any inherited protocol variable
 * (of either protocol), plus this run's.
 *
 * @example
 * serverEnv(process.env, 8080, 'control-plane').PROBEKIT_PORT; // '8080'
 */
export function serverEnv(base: NodeJS.ProcessEnv, port: number, profile: ServerProfile): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (!PROTOCOL_VARIABLES.includes(name) && !SERVER_PROTOCOL_VARIABLES.includes(name)) env[name] = value;
  }
  return {
    ...env,
    PROBEKIT_SERVER_PROTOCOL: String(SERVER_PROTOCOL_VERSION),
    PROBEKIT_PORT: String(port),
    PROBEKIT_PROFILE: profile,
  };
}

/** A port on 127.0.0.1 nobody listens on right now (the OS's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether 127.0.0.1:port accepts a connection within `CONNECT_TIMEOUT_MS`. */
function accepts(port: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      timer.cancel();
      socket.destroy();
      resolve(ok);
    };
    const timer = atDeadline(clock, clock.now + CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** One stdout line, as the server protocol reads it. */
type ServerLine =
  | { kind: 'ignored' }
  | { kind: 'ok' }
  | { kind: 'error'; text: string }
  | { kind: 'invalid'; text: string };

function parseServerLine(line: string): ServerLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#') || /^listening(\s|$)/.test(text)) return { kind: 'ignored' };
  const [word] = text.split(/\s/, 1);
  if (word === 'ok') return { kind: 'ok' };
  if (word === 'error') return { kind: 'error', text };
  return { kind: 'invalid', text: text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text };
}

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: DeadlineTimer;
}

function protocolError(command: string, reason: string, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_PROTOCOL',
    `Failed to drive the server ${JSON.stringify(command)}: ${reason}. ${hint}.`,
  );
}

/**
 * Starts a server process and drives it with the server process protocol. Resolves once its
 * port accepts connections; rejects (having stopped it) when it exits first or takes longer
 * than the start-up timeout.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_PROTOCOL` naming the command, why, and its stderr.
 * @example
 * const session = await openProcessSession({ exec: 'python3 healthz.py' }, { profile: 'control-plane', clock: systemClock });
 * await session.control?.ready();
 * await session.close();
 */
export async function openProcessSession(
  target: ExecServerTarget,
  { profile, clock }: { profile: ServerProfile; clock: Clock },
): Promise<ServerSession> {
  const port = await freePort();
  const command = substituteCommand(target.exec, port, profile);
  // A server outlives many cases: should probekit die mid-run, the group goes with it.
  const child = spawnImplementation(command, {
    env: serverEnv(target.env ?? process.env, port, profile),
    cwd: target.cwd,
    clock,
    stdin: true,
    killWithParent: true,
  });
  let broken: string | undefined;
  let exit: string | undefined;
  const pending: Pending[] = [];
  const stderrTail = () => {
    const tail = child.stderrTail(20);
    return tail ? `\nIts stderr ended with:\n${tail}` : '';
  };
  const breakWith = (reason: string) => {
    broken ??= reason;
    for (const waiting of pending.splice(0)) {
      waiting.timer.cancel();
      waiting.reject(protocolError(command, `no answer to "${waiting.line}": ${reason}`, 'See its stderr'));
    }
  };

  child.onLine((text) => {
    const line = parseServerLine(text);
    if (line.kind === 'ignored' || broken) return;
    if (line.kind === 'invalid') {
      breakWith(
        `it printed ${JSON.stringify(line.text)} on stdout, which server protocol ${SERVER_PROTOCOL_VERSION} does not allow (only "ok", "error …", "listening …", blank lines and "#" comments; logs go to stderr)`,
      );
      return;
    }
    const waiting = pending.shift();
    if (!waiting) {
      breakWith(`it printed ${JSON.stringify(line.kind)} when no command was waiting for an answer`);
      return;
    }
    waiting.timer.cancel();
    if (line.kind === 'ok') waiting.resolve();
    else {
      waiting.reject(
        protocolError(
          command,
          `it answered "${waiting.line}" with ${JSON.stringify(line.text)}`,
          'Answer ok',
        ),
      );
    }
  });
  // Over a cap on its output: it is being killed already.
  let overflow: string | undefined;
  child.onProblem((reason) => {
    overflow = `it ${reason}`;
    breakWith(overflow);
  });
  void child.exited.then((ended) => {
    if (ended.error) {
      exit = `it could not be started: ${ended.error.message}`;
      breakWith(exit);
      return;
    }
    exit = ended.signal ? `it was killed by ${ended.signal}` : `it exited with code ${ended.code}`;
    breakWith(`${exit} before the run was over (a server must run until it is stopped)${stderrTail()}`);
  });

  let stopping: Promise<void> | undefined;
  const close = () => {
    stopping ??= (async () => {
      breakWith('the run is over');
      await child.stop(target.graceMs ?? DEFAULT_GRACE_MS);
    })();
    return stopping;
  };

  const send = (line: 'ready' | 'not-ready') =>
    new Promise<void>((resolve, reject) => {
      if (broken) {
        reject(protocolError(command, `cannot send "${line}": ${broken}`, 'See its stderr'));
        return;
      }
      const timeoutMs = target.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
      const timer = atDeadline(clock, clock.now + timeoutMs, () => {
        const index = pending.findIndex((p) => p.timer === timer);
        if (index >= 0) pending.splice(index, 1);
        // Answers pair with commands in order: after a lost answer nothing can be trusted.
        breakWith(`it did not answer "${line}" within ${timeoutMs} ms`);
        reject(
          protocolError(
            command,
            `it did not answer "${line}" with "ok" within ${timeoutMs} ms`,
            'Read stdin line by line and print "ok" (flushed) once the change is in effect',
          ),
        );
      });
      pending.push({ line, resolve, reject, timer });
      child.write(line);
    });

  const startupTimeoutMs = target.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const deadline = clock.now + startupTimeoutMs;
  for (;;) {
    if (exit !== undefined || overflow !== undefined) {
      await close();
      throw protocolError(
        command,
        `${overflow ?? exit} before 127.0.0.1:${port} accepted connections${stderrTail()}`,
        'Listen on 127.0.0.1 at PROBEKIT_PORT (or {port}) and keep running',
      );
    }
    if (await accepts(port, clock)) break;
    if (clock.now >= deadline) {
      await close();
      throw protocolError(
        command,
        `nothing accepted connections on 127.0.0.1:${port} within ${startupTimeoutMs} ms${stderrTail()}`,
        'Listen on 127.0.0.1 at PROBEKIT_PORT (or {port}), or allow more time with a longer start-up timeout',
      );
    }
    await sleep(clock, POLL_MS);
  }

  return {
    name: target.name ?? `exec: ${target.exec}`,
    address: { hostname: '127.0.0.1', port },
    control: { ready: () => send('ready'), notReady: () => send('not-ready') },
    get broken() {
      return broken;
    },
    close,
  };
}
