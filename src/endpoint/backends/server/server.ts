import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createNetServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { describeValue, ProbekitError } from '../../../errors.js';
import { type Clock, systemClock } from '../../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../../time/deadline.js';
import { systemWallClock, type WallClock } from '../../../time/wall-clock.js';
import type { Decision, DecisionAction } from '../../engine/decision.js';
import type { Journal, JournalTicket } from '../../engine/journal.js';
import { ScriptPlayer } from '../../engine/player.js';
import type { EndpointDefinition } from '../../script/model.js';
import type { EndpointScript } from '../../script/schema.js';
import { acceptTls, resolveServerTls, type ServerTlsOption } from '../../tls/server-tls.js';
import { requestOrigin, withOrigin } from '../origin.js';
import { CONTROL_PREFIX, type ControlAccess, type ControlContext, handleControl } from './control-api.js';
import { dribble } from './dribble.js';

/** Options for {@link startMockServer}. */
export interface MockServerOptions {
  /** Default 0: any free port (read it from `url`). */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Delays, dribbles, windows and refusals run on this clock. Default: the system clock. */
  readonly clock?: Clock;
  /** Seeds the random decisions (default 0). */
  readonly seed?: number;
  /** How many requests the journal keeps (default 10000). */
  readonly journalSize?: number;
  /**
   * Who may use `/__probekit/`: `loopback` clients (default), `any`, or `off` (no control
   * listener, and those paths are then scripted like any other).
   */
  readonly control?: ControlAccess;
  /**
   * How long (ms) an idle keep-alive connection stays open after a response; default Node's
   * own, 5 s. A client that reuses connections without retrying (Dapr v1.0) fails the first
   * probe after the server closed an idle one, so a server meant to be probed every `interval`
   * must keep them longer than that (docs/semantics.md §1, "Connection reuse without retry").
   */
  readonly idleTimeoutMs?: number;
  /**
   * The port of the control API's own listener (default 0: any free port; read `controlUrl`).
   * It keeps listening while the script refuses connections on `port`.
   */
  readonly controlPort?: number;
  /**
   * When set, every control request must carry it (`Authorization: Bearer <token>` or
   * `X-Probekit-Token: <token>`); `probekit mock` reads `--control-token` or
   * `PROBEKIT_CONTROL_TOKEN`.
   */
  readonly controlToken?: string;
  /**
   * Serve scripts that name no path on this path only (`probekit mock --path`), including
   * scripts set later with `setScript()` or `PUT /__probekit/script`.
   */
  readonly path?: string;
  /** Epoch ms for the journal's ISO times (default: the system's wall clock). */
  readonly wallClock?: WallClock;
  /**
   * Serve HTTPS: `true` makes a CA and a certificate for `127.0.0.1`, `::1` and `localhost` at
   * start-up (read the CA from `ca`); `{ cert, key }` (PEM) serves that certificate. The control
   * API speaks TLS too. Default: plain HTTP (docs/mock-server.md#tls).
   */
  readonly tls?: ServerTlsOption;
}

/** A running mock server. */
export interface MockServer {
  /** `http://host:port` (`https://` with `tls`), without a trailing slash. */
  readonly url: string;
  /**
   * The PEM certificate of the CA that signed the server's certificate, for clients to trust
   * (`httpTransport({ ca })`): made at start-up with `tls: true`, the `ca` given with
   * `tls: { cert, key, ca }`, else `undefined`.
   */
  readonly ca: string | undefined;
  readonly port: number;
  /**
   * `http://host:port` of the control API's own listener (it serves `/__probekit/…` and
   * nothing else, and stays up while the script refuses), or `undefined` with `control: 'off'`.
   */
  readonly controlUrl: string | undefined;
  readonly host: string;
  readonly seed: number;
  readonly journal: Journal;
  /** The definition being played (canonical form). */
  readonly definition: EndpointDefinition;
  /**
   * Replaces the script (the script restarts now, or at `startedAt` on the server's clock if that
   * is earlier; the journal goes on).
   */
  setScript(script: EndpointScript, options?: { startedAt?: number }): EndpointDefinition;
  /** Restarts the script and clears the journal. */
  reset(): void;
  /** Stops listening, destroys every connection, clears every timer. Idempotent. */
  close(): Promise<void>;
}

/** One request the real server is answering, once its delay is over. */
interface Job {
  readonly socket: Socket;
  finish(fate: 'completed' | 'aborted'): void;
  /** Sends the decided response (dribbled if the step says so). */
  respond(): void;
  /** Forwards the request to the upstream (the fault proxy's `pass`). */
  pass(): void;
}

/**
 * How a server with an upstream (the fault proxy, src/endpoint/proxy/) performs `pass`: forward
 * the request, answer `res` with the upstream's answer, call `finish` when done, and return a
 * cancel function (called on close or when the client goes away).
 */
export type PassPerformer = (
  req: IncomingMessage,
  res: ServerResponse,
  decision: Decision,
  ticket: JournalTicket,
  finish: (fate: 'completed' | 'aborted') => void,
) => () => void;

/**
 * What the real server does for each action: one table, so a new action cannot compile until
 * this backend performs it (DESIGN.md, "dispatch on a closed set of kinds").
 */
const PERFORMERS = {
  respond: (job) => job.respond(),
  // Never answers: the request stays until the client gives up (res 'close' settles it).
  hang: () => {},
  reset: (job) => {
    job.finish('completed');
    ((job.socket as TrackedSocket)[TCP] ?? job.socket).resetAndDestroy();
  },
  close: (job) => {
    job.finish('completed');
    job.socket.destroy();
  },
  malformed: (job) => {
    job.finish('completed');
    job.socket.end(MALFORMED_BYTES);
  },
  // The player refuses before a request is received, so no decision to refuse reaches here;
  // if one did, nobody is listening: drop the connection.
  refuse: (job) => {
    job.finish('completed');
    job.socket.destroy();
  },
  pass: (job) => job.pass(),
} satisfies Record<DecisionAction, (job: Job) => void>;

/**
 * What a `malformed` step sends: not an HTTP response, so every client's parser fails at once.
 *
 * @example
 * socket.end(MALFORMED_BYTES); // every HTTP client fails to parse it
 */
export const MALFORMED_BYTES = 'PROBEKIT MALFORMED RESPONSE\r\n\r\n';

const REOPEN_RETRY_MS = 20;
const REOPEN_ATTEMPTS = 100;

/** Sockets carry a count of the requests being answered on them, to tell idle ones apart. */
const ACTIVE = Symbol('probekit.active');
/** Sockets of the control listener: never closed by a refusal. */
const CONTROL = Symbol('probekit.control');
/** A TLS socket's TCP socket: only it can send a TCP reset (a TLS socket's handle cannot). */
const TCP = Symbol('probekit.tcp');
/** The timer that closes a kept-alive connection once it has been idle `idleTimeoutMs`. */
const IDLE = Symbol('probekit.idle');
type TrackedSocket = Socket & { [ACTIVE]?: number; [CONTROL]?: true; [TCP]?: Socket; [IDLE]?: DeadlineTimer };

// The longest timer Node runs as asked (longer ones fire at once, with a warning).
const MAX_TIMER_MS = 2_147_483_647;

function checkOptions(options: MockServerOptions): {
  port: number;
  host: string;
  control: ControlAccess;
  idleTimeoutMs: number | undefined;
  controlPort: number;
} {
  const fail = (name: string, value: unknown, hint: string): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to start the mock server: ${name} ${describeValue(value)} is not valid. ${hint}.`,
    );
  };
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('port', port, 'Use a whole number from 0 to 65535 (0: any free port)');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') fail('host', host, "Use an address like '127.0.0.1' or '::1'");
  const control = options.control ?? 'loopback';
  if (!['loopback', 'any', 'off'].includes(control))
    fail('control', control, "Use 'loopback', 'any' or 'off'");
  const idleTimeoutMs = options.idleTimeoutMs;
  if (
    idleTimeoutMs !== undefined &&
    (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs < 1 || idleTimeoutMs > MAX_TIMER_MS)
  )
    fail('idleTimeoutMs', idleTimeoutMs, `Use whole milliseconds from 1 to ${MAX_TIMER_MS}`);
  const controlPort = options.controlPort ?? 0;
  if (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65535)
    fail('controlPort', controlPort, 'Use a whole number from 0 to 65535 (0: any free port)');
  const token = options.controlToken;
  if (token !== undefined && (typeof token !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(token)))
    fail('controlToken', '(hidden)', 'Use 1 to 1024 visible ASCII characters, no spaces');
  return { port, host, control, idleTimeoutMs, controlPort };
}

function bodyAllowed(method: string | undefined, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

class MockHttpServer implements MockServer {
  readonly host: string;
  readonly #player: ScriptPlayer;
  readonly #clock: Clock;
  readonly #control: ControlAccess;
  readonly #http = createHttpServer((req, res) => this.#onRequest(req, res));
  readonly #sockets = new Set<TrackedSocket>();
  readonly #idleTimeoutMs: number | undefined;
  readonly #timers = new Set<{ cancel(): void }>();
  #port: number;
  #listener: NetServer | undefined;
  /** A reopening listener, awaited by close() so no port is left open after it. */
  #opening: Promise<void> | undefined;
  #reopenAttempts = 0;
  #refusalTimer: DeadlineTimer | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;
  #unsubscribe: () => void;
  #controlPort: number;
  #controlListener: NetServer | undefined;
  readonly #controlContext: ControlContext;
  readonly #pass: PassPerformer | undefined;
  readonly #tls: SecureContext | undefined;
  readonly ca: string | undefined;

  constructor(
    player: ScriptPlayer,
    options: ReturnType<typeof checkOptions> & {
      token: string | undefined;
      wallClock: WallClock;
      pass?: PassPerformer;
      tls?: { readonly context: SecureContext; readonly ca: string | undefined };
    },
  ) {
    this.#pass = options.pass;
    this.#tls = options.tls?.context;
    this.ca = options.tls?.ca;
    // Node closes an idle kept-alive connection a second after its keepAliveTimeout (measured on
    // 20.20); scenarios count on the exact instant, so an idle timer of our own closes it then.
    if (options.idleTimeoutMs !== undefined) this.#http.keepAliveTimeout = options.idleTimeoutMs;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#player = player;
    this.#clock = player.clock;
    this.#port = options.port;
    this.#controlPort = options.controlPort;
    this.host = options.host;
    this.#control = options.control;
    this.#controlContext = {
      player,
      clock: player.clock,
      access: options.control,
      token: options.token,
      ports: () => [this.#port, this.#controlPort],
      startedAt: player.clock.now,
      startedAtWall: options.wallClock(),
      closeAfter: (req) => !(req.socket as TrackedSocket)[CONTROL] && this.#listener === undefined,
    };
    this.#unsubscribe = player.onChange(() => this.#updateListener());
  }

  get url(): string {
    return this.#origin(this.#port);
  }

  get controlUrl(): string | undefined {
    return this.#controlListener ? this.#origin(this.#controlPort) : undefined;
  }

  #origin(port: number): string {
    const scheme = this.#tls ? 'https' : 'http';
    return `${scheme}://${isIP(this.host) === 6 ? `[${this.host}]` : this.host}:${port}`;
  }

  get port(): number {
    return this.#port;
  }

  get seed(): number {
    return this.#player.seed;
  }

  get journal(): Journal {
    return this.#player.journal;
  }

  get definition(): EndpointDefinition {
    return this.#player.definition;
  }

  setScript(script: EndpointScript, options?: { startedAt?: number }): EndpointDefinition {
    return this.#player.setScript(script, options);
  }

  reset(): void {
    this.#player.reset();
  }

  async start(): Promise<void> {
    try {
      this.#listener = await this.#listen(this.#port);
    } catch (error) {
      this.#unsubscribe();
      const code = (error as { code?: string }).code;
      throw new ProbekitError(
        code === 'EADDRINUSE' ? 'ERR_PROBEKIT_PORT_IN_USE' : 'ERR_PROBEKIT_LISTEN',
        code === 'EADDRINUSE'
          ? `Failed to start the mock server on ${this.host}:${this.#port}: the port is in use. Pick another port, or 0 for any free one.`
          : `Failed to start the mock server on ${this.host}:${this.#port}: ${(error as Error).message}. Check the host and port.`,
        { cause: error },
      );
    }
    this.#port = (this.#listener.address() as { port: number }).port;
    if (this.#control !== 'off') {
      try {
        this.#controlListener = await this.#listen(this.#controlPort, true);
      } catch (error) {
        this.#unsubscribe();
        this.#listener.close();
        const code = (error as { code?: string }).code;
        throw new ProbekitError(
          code === 'EADDRINUSE' ? 'ERR_PROBEKIT_PORT_IN_USE' : 'ERR_PROBEKIT_LISTEN',
          `Failed to start the mock server's control API on ${this.host}:${this.#controlPort}: ${code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message}. Pick another controlPort, or 0 for any free one.`,
          { cause: error },
        );
      }
      this.#controlPort = (this.#controlListener.address() as { port: number }).port;
    }
    this.#updateListener();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#unsubscribe();
      this.#refusalTimer?.cancel();
      for (const timer of this.#timers) timer.cancel();
      this.#timers.clear();
      const listeners = [this.#listener, this.#controlListener];
      this.#listener = undefined;
      this.#controlListener = undefined;
      for (const socket of this.#sockets) socket.destroy();
      this.#sockets.clear();
      await this.#opening;
      await Promise.all(
        listeners.map(
          (listener) => listener && new Promise<void>((resolve) => listener.close(() => resolve())),
        ),
      );
    })();
    return this.#closing;
  }

  // ---- listening, and refusing by not listening ----

  #listen(port: number, control = false): Promise<NetServer> {
    return new Promise((resolve, reject) => {
      // Our own listener hands sockets to the HTTP server, so it can be closed and reopened
      // (to refuse connections) while the HTTP server and its open connections stay.
      const listener = createNetServer({ noDelay: true }, (socket) => this.#onConnection(socket, control));
      listener.once('error', reject);
      listener.listen({ port, host: this.host }, () => {
        listener.off('error', reject);
        resolve(listener);
      });
    });
  }

  #onConnection(tcp: Socket, control: boolean): void {
    if (this.#closed) {
      tcp.destroy();
      return;
    }
    // With TLS, the socket tracked (and tagged) is the TLS one the HTTP server sees as
    // `req.socket`; destroying it destroys the TCP socket under it.
    const tls = this.#tls;
    const socket: TrackedSocket = tls
      ? acceptTls(tcp, tls, () => this.#http.emit('connection', socket))
      : tcp;
    if (tls) socket[TCP] = tcp;
    if (control) socket[CONTROL] = true;
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      socket[IDLE]?.cancel();
    });
    if (!tls) this.#http.emit('connection', socket);
  }

  /**
   * With `idleTimeoutMs`: the connection is closed exactly that long after its last response
   * ended with nothing else on it, as the scenario says (Node's own close comes a second late).
   */
  #watchIdle(socket: TrackedSocket, res: ServerResponse): void {
    const idleMs = this.#idleTimeoutMs;
    if (idleMs === undefined) return;
    socket[IDLE]?.cancel();
    socket[IDLE] = undefined;
    res.once('finish', () => {
      if (this.#closed || socket.destroyed) return;
      socket[IDLE]?.cancel();
      socket[IDLE] = atDeadline(this.#clock, this.#clock.now + idleMs, () => {
        socket[IDLE] = undefined;
        if (!socket[ACTIVE]) socket.destroy();
      });
    });
  }

  /** Opens or closes the listener to match whether the script refuses right now. */
  #updateListener(): void {
    if (this.#closed) return;
    const { refusing, changesAt } = this.#player.refusal(this.#clock.now);
    if (refusing && this.#listener) {
      this.#listener.close();
      this.#listener = undefined;
      // Kept-alive connections would let the next request through: close the idle ones.
      for (const socket of this.#sockets) if (!socket[ACTIVE] && !socket[CONTROL]) socket.destroy();
    } else if (!refusing && !this.#listener && !this.#opening) {
      this.#reopen();
    }
    this.#refusalTimer?.cancel();
    this.#refusalTimer = Number.isFinite(changesAt)
      ? atDeadline(this.#clock, changesAt, () => {
          this.#refusalTimer = undefined;
          this.#updateListener();
        })
      : undefined;
  }

  #reopen(): void {
    this.#opening = this.#listen(this.#port).then(
      (listener) => {
        this.#opening = undefined;
        this.#reopenAttempts = 0;
        if (this.#closed) {
          listener.close();
          return;
        }
        this.#listener = listener;
        this.#updateListener();
      },
      () => {
        this.#opening = undefined;
        // Someone took the port meanwhile: try again for a while, then stay closed.
        if (this.#closed || ++this.#reopenAttempts > REOPEN_ATTEMPTS) return;
        const timer = atDeadline(this.#clock, this.#clock.now + REOPEN_RETRY_MS, () => {
          this.#timers.delete(timer);
          this.#updateListener();
        });
        this.#timers.add(timer);
      },
    );
  }

  // ---- requests ----

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const socket = req.socket as TrackedSocket;
    if (socket[CONTROL] || (this.#control !== 'off' && url.startsWith(CONTROL_PREFIX))) {
      this.#onControl(req, res, socket);
      return;
    }
    // Busy while deciding: a refusal that starts with this request must not cut its own connection.
    socket[ACTIVE] = (socket[ACTIVE] ?? 0) + 1;
    this.#watchIdle(socket, res);
    const now = this.#clock.now;
    const reception = this.#player.receive(req.method ?? 'GET', url, now);
    if (reception.refused) {
      // It came over a connection opened before the listener closed: nobody is listening now.
      socket.destroy();
      return;
    }
    const { ticket, decision } = reception;
    if (decision.action === 'respond' && decision.delay === 0 && decision.dribble === undefined) {
      this.#respond(req, res, decision);
      socket[ACTIVE]--;
      // Answered within this call: it completed at the instant it arrived.
      this.#player.journal.settle(ticket, 'completed', now);
      return;
    }
    this.#defer(req, res, ticket, decision);
  }

  /**
   * A control request, on either port. Busy until answered, so a refusal it starts (a new
   * script, a reset) cannot cut its own connection before the answer: on the main port the
   * answer then says `Connection: close`, and the connection closes after it.
   */
  #onControl(req: IncomingMessage, res: ServerResponse, socket: TrackedSocket): void {
    if (socket[CONTROL] && !(req.url ?? '/').startsWith(CONTROL_PREFIX)) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `probekit mock: this port serves only the control API (${CONTROL_PREFIX}journal, script, reset). The endpoint is at ${this.url}.\n`,
      );
      return;
    }
    socket[ACTIVE] = (socket[ACTIVE] ?? 0) + 1;
    res.once('close', () => {
      socket[ACTIVE] = (socket[ACTIVE] ?? 1) - 1;
    });
    void handleControl(req, res, this.#controlContext);
  }

  /** The decision's headers, with `{origin}` made the origin the client addressed. */
  #headers(req: IncomingMessage, decision: Decision): Readonly<Record<string, string>> | undefined {
    // Most answers carry no headers: the origin (two regular expressions, our own URL) is not needed.
    if (decision.headers === undefined) return undefined;
    const origin = requestOrigin(req.headers.host, this.url);
    // requestOrigin builds http:// origins; the fallback (this.url) already has the scheme.
    return withOrigin(decision.headers, this.#tls ? origin.replace(/^http:/, 'https:') : origin);
  }

  #respond(req: IncomingMessage, res: ServerResponse, decision: Decision): void {
    if (this.#listener === undefined && !this.#opening) res.setHeader('connection', 'close');
    const headers = this.#headers(req, decision);
    if (headers) res.writeHead(decision.status, headers);
    else res.writeHead(decision.status);
    if (decision.body !== undefined && bodyAllowed(req.method, decision.status)) res.end(decision.body);
    else res.end();
  }

  /** Everything that takes time or touches the socket itself. */
  #defer(req: IncomingMessage, res: ServerResponse, ticket: JournalTicket, decision: Decision): void {
    const socket = req.socket as TrackedSocket;
    const clock = this.#clock;
    const journal = this.#player.journal;
    let cancelWork: (() => void) | undefined;
    let done = false;
    const handle = {
      cancel: () => {
        cancelWork?.();
        cancelWork = undefined;
      },
    };
    this.#timers.add(handle);
    const finish = (fate: 'completed' | 'aborted') => {
      if (done) return;
      done = true;
      handle.cancel();
      this.#timers.delete(handle);
      socket[ACTIVE] = (socket[ACTIVE] ?? 1) - 1;
      if (!this.#closed) journal.settle(ticket, fate, clock.now);
    };
    // The client went away (or the connection died) before we were done.
    res.once('close', () => finish('aborted'));

    const respond = () => {
      if (decision.dribble === 'headers') {
        cancelWork = dribble(clock, this.#rawResponse(req, decision), decision.over, (piece, last) => {
          if (!last) {
            socket.write(piece);
            return;
          }
          finish('completed');
          socket.end(piece);
        });
        return;
      }
      if (decision.dribble === 'body') {
        const body = bodyAllowed(req.method, decision.status)
          ? Buffer.from(decision.body ?? '')
          : Buffer.alloc(0);
        if (this.#listener === undefined && !this.#opening) res.setHeader('connection', 'close');
        res.writeHead(decision.status, {
          ...this.#headers(req, decision),
          'content-length': String(body.length),
        });
        res.flushHeaders();
        cancelWork = dribble(clock, body, decision.over, (piece, last) => {
          if (!last) {
            res.write(piece);
            return;
          }
          finish('completed');
          res.end(piece);
        });
        return;
      }
      finish('completed');
      this.#respond(req, res, decision);
    };
    const pass = () => {
      // The player refuses `pass` without an upstream, so #pass is set whenever this runs.
      if (this.#pass) cancelWork = this.#pass(req, res, decision, ticket, finish);
      else PERFORMERS.close({ socket, finish, respond, pass });
    };
    const act = () => {
      cancelWork = undefined;
      PERFORMERS[decision.action]({ socket, finish, respond, pass });
    };

    if (decision.delay > 0 || decision.action === 'hang') {
      if (decision.action !== 'hang') {
        const timer = atDeadline(clock, clock.now + decision.delay, act);
        cancelWork = () => timer.cancel();
      }
    } else {
      act();
    }
  }

  /** A whole response as bytes, for `slow-headers` (its head is dribbled straight onto the socket). */
  #rawResponse(req: IncomingMessage, decision: Decision): Buffer {
    const body = bodyAllowed(req.method, decision.status)
      ? Buffer.from(decision.body ?? '')
      : Buffer.alloc(0);
    const lines = [`HTTP/1.1 ${decision.status} ${STATUS_CODES[decision.status] ?? 'Unknown'}`];
    for (const [name, value] of Object.entries(this.#headers(req, decision) ?? {}))
      lines.push(`${name}: ${value}`);
    lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
  }
}

/**
 * Starts a real `node:http` mock server playing the script, performing every fault for real:
 * `reset` sends a TCP RST, `close` closes without a response, `refuse` closes the listener for
 * the step (and reopens it after), `slow-headers`/`slow-body` dribble bytes, `malformed` sends
 * garbage. A control API lives under `/__probekit/` (loopback clients only by default) on its
 * own port (`controlUrl`, which keeps listening while the script refuses) and on the endpoint's;
 * it refuses requests from web pages (docs/mock-server.md). A
 * path with no route answers 404 with what was configured and what was received. A header
 * value's `{origin}` becomes the origin the client addressed (`http://` and its `Host`), for
 * absolute redirects to a server whose port is not known when the script is written.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` for a bad script,
 *   `ERR_PROBEKIT_INVALID_OPTION` for bad options, `ERR_PROBEKIT_PORT_IN_USE` / `ERR_PROBEKIT_LISTEN`.
 * @example
 * const server = await startMockServer('/healthz: 200*2, 503...', { seed: 42 });
 * await fetch(`${server.url}/healthz`); // 200
 * await server.close();
 * @example
 * // An absolute redirect to a healthy path; idle connections kept for a minute.
 * await startMockServer('/healthz: 302 [location="{origin}/ok"]; /ok: 200', { idleTimeoutMs: 60_000 });
 */
export async function startMockServer(
  script: EndpointScript,
  options: MockServerOptions = {},
): Promise<MockServer> {
  return startScriptServer(script, options);
}

/**
 * The real server around a script, with `pass` performed by `pass` when given (the fault
 * proxy); without it a script with `pass` is refused. Internal: use {@link startMockServer} or
 * `startFaultProxy`.
 *
 * @example
 * const server = await startScriptServer('pass...', {}, forwardTo(upstream));
 */
export async function startScriptServer(
  script: EndpointScript,
  options: MockServerOptions,
  pass?: PassPerformer,
): Promise<MockServer> {
  const checked = checkOptions(options);
  const tls = await resolveServerTls(options.tls, pass ? 'fault proxy' : 'mock server');
  const player = new ScriptPlayer(script, {
    clock: options.clock ?? systemClock,
    seed: options.seed,
    journalSize: options.journalSize,
    path: options.path,
    upstream: pass !== undefined,
  });
  const server = new MockHttpServer(player, {
    ...checked,
    token: options.controlToken,
    wallClock: options.wallClock ?? systemWallClock,
    pass,
    tls,
  });
  await server.start();
  return server;
}
