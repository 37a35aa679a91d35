import type { Dispatcher } from 'undici';
import { describeValue, ProbekitError } from '../errors.js';
import { type Clock, systemClock } from '../time/clock.js';
import { MAX_DURATION_MS } from '../time/duration.js';
import {
  deadConnectionError,
  findLocation,
  type IdleConnectionRule,
  isRedirectStatus,
  readClientRules,
  type SettlePoint,
} from './client-rules.js';
import { type ConnectionOptions, OriginPool, type PooledRequest, type Slot } from './origin-pool.js';
import { outcomeOfError } from './outcome.js';
import { type ProbeSink, pooledTransport, redirectTarget } from './pooled-transport.js';
import { normalizeProbeError, stoppedError } from './probe-errors.js';
import { createRawTransport } from './raw/transport.js';
import { AbortWatcher, unwatchSignal } from './signal-watch.js';
import { skipContinueConnector } from './skip-continue.js';
import { type TlsClientOptions, tlsConnectOptions } from './tls-options.js';
import type { Transport } from './types.js';

/**
 * Options for {@link httpTransport}. Every field is optional.
 *
 * @example
 * const transport = httpTransport({ connectionsPerOrigin: 1, maxBodyBytes: 1024 });
 */
export interface HttpTransportOptions extends TlsClientOptions {
  /**
   * Keep-alive connections per origin (scheme, host and port). Default 5, as Dapr's
   * `fasthttp.Client{MaxConnsPerHost: 5}`; probes beyond it wait for a free connection.
   */
  readonly connectionsPerOrigin?: number;
  /**
   * Response body bytes read and discarded before the probe settles without them: past this
   * cap the probe resolves with the status it already has and the connection is closed
   * (it cannot be reused with a body still in flight). Default 64 KiB.
   */
  readonly maxBodyBytes?: number;
  /** The `User-Agent` header. Default `probekit/0.1` (Dapr sends `fasthttp`). */
  readonly userAgent?: string;
  /**
   * How long an idle keep-alive connection is kept, in ms. Default 10000, fasthttp's
   * `MaxIdleConnDuration`: long enough that Dapr's default 5 s interval reuses one connection.
   * A server's `Keep-Alive: timeout=…` hint is ignored, as fasthttp and Go's `net/http` ignore
   * it (undici alone closes the connection itself 2 s before the hint, which hides the race
   * `idleConnections` is about).
   */
  readonly idleTimeout?: number;
  /**
   * What happens to a probe on a keep-alive connection the server closed while it sat idle
   * (see docs/transports.md, "Client rules of Dapr's versions"):
   *
   * - `'no-retry'` (default; fasthttp, Dapr v0.11.3 … v1.10.4): the probe fails at once as
   *   `closed` (`ECONNCLOSED`) without reaching the server; the next probe opens a new
   *   connection. A connection idle longer than `idleTimeout` was dropped by the client first
   *   and is not met.
   * - `'retry'` (Go's `net/http`): the closed idle connection is dropped unseen, and a probe that
   *   fails as `closed` or `reset` before any response on a *reused* connection is sent again
   *   on another connection (the server sees both); a failure on a fresh connection is final.
   */
  readonly idleConnections?: IdleConnectionRule;
  /**
   * Whether a connection is kept for the next probe. Default true. `false` (Dapr v0.6 …
   * v0.11.2 made a new client per probe): every probe opens a new connection, sent with
   * `Connection: close`, and it is closed after the answer (Go leaked it; we do not).
   */
  readonly reuseConnections?: boolean;
  /**
   * Redirect answers a probe may get. Default 0: a 3xx is just a status (fasthttp). With
   * `n` > 0 a 301, 302, 303, 307 or 308 with a `Location` (relative or absolute, any
   * origin) is followed with a GET, and the `n`-th redirect answer fails the probe with
   * `ERR_TOO_MANY_REDIRECTS`, as Go's `CheckRedirect` (`len(via) >= 10`, "stopped after 10
   * redirects"): `10` is Go's default client. A 3xx without `Location` is returned as is.
   * The caller's timeout covers the whole chain.
   */
  readonly followRedirects?: number;
  /**
   * When the probe resolves: `'body'` (default, fasthttp) once the whole body has been read;
   * `'headers'` (Go's `net/http`) as soon as the status line and headers arrive, the body then
   * drained in the background (the connection is kept when it ends, destroyed if the
   * request's signal aborts first or the transport closes), so a slow body never delays or
   * fails the probe.
   */
  readonly settleAt?: SettlePoint;
  /**
   * Where the transport reads the time (only `now`; it sets no timers). An origin idle (not
   * probed, nothing in flight) for longer than `idleTimeout` ms loses its pool and connections
   * at the next probe after that (to any origin), so a transport shared across many origins
   * does not keep them all until `close()`. Default: the system clock.
   */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * The HTTP/1.1 client underneath (see {@link HttpEngine}). Default `'undici'`. Every option
   * and rule above means the same with either engine.
   */
  readonly engine?: HttpEngine;
}

/**
 * Which client `httpTransport()` speaks HTTP/1.1 with:
 *
 * - `'undici'` (`httpTransport()`'s default): undici `Client`s, one per connection
 *   (docs/decisions/0001).
 * - `'raw'` (a check's own default transport): probekit's minimal probe client on `net.Socket`
 *   / `tls.connect`: pre-encoded request bytes, a status-line and header parser that reads only
 *   what a probe needs, the body counted and discarded; about 0.6× undici's CPU per probe
 *   (docs/decisions/0017). Same semantics, error codes and client rules; idle connections
 *   expire when next looked at rather than on a timer, and there is no connect timeout besides
 *   the request's signal.
 *
 * @example
 * const transport = httpTransport({ engine: 'raw' });
 */
export type HttpEngine = 'undici' | 'raw';

/**
 * A {@link Transport} over real HTTP/1.1 that owns connection pools: call it like any
 * transport, and `close()` it when done.
 *
 * @example
 * const transport: HttpTransport = httpTransport();
 * const check = startEndpointHealthCheck(url, withTransport(transport));
 * await check.stop();
 * await transport.close();
 */
export interface HttpTransport extends Transport {
  /**
   * Destroys every pool and connection at once. In-flight probes reject with
   * `ERR_PROBEKIT_STOPPED`, and so does every later call. Idempotent.
   */
  close(): Promise<void>;
  /** Whether {@link HttpTransport.close} was called. */
  readonly closed: boolean;
  /** How many origins have a pool right now (idle ones are pruned, see `idleTimeout`). */
  readonly pooledOrigins: number;
}

/**
 * The `User-Agent` probekit sends unless told otherwise.
 *
 * @example
 * httpTransport({ userAgent: `${DEFAULT_USER_AGENT} (my-service)` });
 */
export const DEFAULT_USER_AGENT = 'probekit/0.1';

const DEFAULTS = {
  connectionsPerOrigin: 5,
  maxBodyBytes: 64 * 1024,
  userAgent: DEFAULT_USER_AGENT,
  idleTimeout: 10_000,
};

/** Where one URL goes: its origin's pool and the dispatch options, built once per URL. */
interface Target {
  readonly pool: OriginPool;
  readonly options: Dispatcher.DispatchOptions;
}

/**
 * The real HTTP transport, matching what Dapr v1.0's `fasthttp` client does:
 *
 * - `GET url` over keep-alive HTTP/1.1, at most `connectionsPerOrigin` (5) connections per
 *   origin, one request at a time on each (undici `Client`s in an {@link OriginPool} per
 *   origin, reused across probes, so a probe right after another reuses its connection);
 * - redirects are **not** followed: a 3xx is just a status (option `followRedirects`);
 * - the body is read and discarded as it arrives, never buffered; the probe resolves when the
 *   body ends (fasthttp reads the whole response before `DoTimeout` returns, so a body slower
 *   than the timeout is a timeout), or as soon as it passes `maxBodyBytes`, closing that
 *   connection (option `settleAt: 'headers'` resolves at the headers instead);
 * - no retry: a probe on a keep-alive connection the server closed while idle fails as
 *   `closed` without reaching the server (option `idleConnections`);
 * - no timers of its own, and undici's header/body timeouts are off: the caller enforces the
 *   timeout on its clock and aborts `request.signal`. An aborted probe rejects at once with
 *   `signal.reason` and its connection is destroyed, so the next probe opens a fresh one (as
 *   fasthttp does); a probe aborted while still waiting for a connection is simply never sent;
 * - failures reject with a `code`: `ECONNREFUSED`, `ECONNRESET`, `ECONNCLOSED` (closed without a
 *   response), `HPE_*` (not a valid HTTP/1.1 response), `ERR_INVALID_URL` (nothing is sent), or
 *   another `code` from the socket;
 * - interim 1xx responses are skipped, an unsolicited `100 Continue` included (Go's clients do);
 * - an origin idle for longer than `idleTimeout` loses its pool at the next probe, so a transport
 *   shared across many origins does not hold them all until `close()`.
 *
 * For code that mocks `fetch` (msw), use `fetchTransport()` instead: see docs/transports.md.
 *
 * @example
 * const transport = httpTransport();
 * const controller = new AbortController();
 * const { status } = await transport({
 *   url: 'http://127.0.0.1:8080/healthz',
 *   timeout: 2000,
 *   signal: controller.signal,
 * });
 * await transport.close();
 */
export function httpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const settings = validateOptions(options);
  const rules = readClientRules(options);
  const clock = options.clock ?? systemClock;
  if (options.engine === 'raw') return createRawTransport(settings, rules, tlsConnectOptions(options), clock);
  const headers = ['user-agent', settings.userAgent];
  const connection: ConnectionOptions = {
    pipelining: 1,
    // The caller's clock owns the timeout; undici's own timers would fail long probes early.
    headersTimeout: 0,
    bodyTimeout: 0,
    // Idle connections live exactly idleTimeout: undici uses min(hint - threshold, max) for a
    // server's `Keep-Alive: timeout` hint, and this threshold makes that the max whatever the
    // hint (fasthttp and Go do not read it; undici's early close would hide the dead-idle race).
    keepAliveTimeout: settings.idleTimeout,
    keepAliveMaxTimeout: settings.idleTimeout,
    keepAliveTimeoutThreshold: -Number.MAX_SAFE_INTEGER,
    // Drops an unsolicited `100 Continue` so the final response counts (undici calls it a
    // bad response and closes; Go's clients skip it).
    // https:// origins verify with `ca` / `rejectUnauthorized` (docs/transports.md#tls).
    connect: skipContinueConnector(tlsConnectOptions(options)),
  };

  const poolRules = { idleConnections: rules.idleConnections, idleTimeout: settings.idleTimeout, clock };
  const context: ProbeContext = {
    maxBodyBytes: settings.maxBodyBytes,
    closed: false,
    retry: rules.idleConnections === 'retry',
    followRedirects: rules.followRedirects,
    settleAtHeaders: rules.settleAt === 'headers',
    targetFor: (url) => shell.targetFor(url),
  };
  const shell = pooledTransport<Probe, OriginPool, Target>({
    clock,
    idleTimeout: settings.idleTimeout,
    context,
    newPool: (parsed) => new OriginPool(parsed.origin, settings.connectionsPerOrigin, connection, poolRules),
    newTarget: (parsed, pool) => {
      const path = parsed.pathname + parsed.search;
      return {
        pool,
        // `reset` sends `Connection: close` and closes the socket after the answer.
        options: rules.reuseConnections
          ? { method: 'GET', path, headers }
          : { method: 'GET', path, headers, reset: true },
      };
    },
    newProbe: (target, url, sink) => new Probe(context, target, url, sink),
  });
  return shell.transport;
}

/** What every probe of one transport shares. */
interface ProbeContext {
  readonly maxBodyBytes: number;
  closed: boolean;
  /** `idleConnections: 'retry'`: re-send a GET that failed unanswered on a reused connection. */
  readonly retry: boolean;
  readonly followRedirects: number;
  readonly settleAtHeaders: boolean;
  readonly targetFor: (url: string) => Target | Error;
}

/** Shared reason handed to undici when we abort a request ourselves (never surfaces). */
const ABANDONED = Object.freeze(new Error('probe abandoned'));

/** A failure Go's `net/http` retries on a reused connection: it closed or reset unanswered. */
function isRetryable(error: unknown): boolean {
  const kind = outcomeOfError(error).kind;
  return kind === 'closed' || kind === 'reset';
}

/**
 * One probe in flight: the undici dispatch handler and the signal's abort watcher at once,
 * so a probe costs one object and no closures. Uses undici's callback handler API, which its
 * HTTP/1.1 client calls directly (the newer controller API wraps it and parses every header).
 *
 * Two ends: the promise settles once (response, failure, or abort), and undici finishes with
 * each request once (`onComplete` or `onError`), which is when the connection is handed back.
 * They coincide except with `settleAt: 'headers'` (settled at the headers, the body drained
 * after) and past `maxBodyBytes`. A followed redirect or a retry sends the same probe again.
 */
class Probe extends AbortWatcher implements PooledRequest {
  slot: Slot | undefined;
  options: Dispatcher.DispatchOptions;
  readonly #context: ProbeContext;
  #pool: OriginPool;
  #url: string;
  /** Where the answer goes (the promise's functions, or the checker's attempt). */
  readonly #sink: ProbeSink;
  #abortRequest: ((reason?: Error) => void) | undefined;
  #status = 0;
  #bodyBytes = 0;
  #settled = false;
  /** The request went out on a connection that had answered before (Go's `pc.isReused()`). */
  #reused = false;
  /** Redirect answers so far, and the `Location` of the one being read now. */
  #redirects = 0;
  #location: string | undefined;

  constructor(context: ProbeContext, target: Target, url: string, sink: ProbeSink) {
    super();
    this.options = target.options;
    this.#pool = target.pool;
    this.#context = context;
    this.#url = url;
    this.#sink = sink;
  }

  get abandoned(): boolean {
    return this.#settled;
  }

  get sent(): boolean {
    return this.#abortRequest !== undefined;
  }

  /** The signal aborted: reject now with its reason (unless settled), and kill the request. */
  onAbort(reason: unknown): void {
    if (!this.#settled) {
      this.#settled = true;
      this.#sink.reject(reason);
    }
    // Also ends a body still draining after `settleAt: 'headers'` resolved the probe.
    this.#abortRequest?.(ABANDONED);
  }

  /** Its connection was closed by the server while idle (`'no-retry'`): fails like fasthttp. */
  failUnsent(): void {
    if (this.#settled) return;
    this.#settle();
    this.#sink.reject(deadConnectionError(this.#url));
  }

  onConnect(abort: (reason?: Error) => void): void {
    // Aborted while waiting for its connection: throwing makes undici drop the request
    // unsent and leave the (healthy) connection alone.
    if (this.#settled) throw ABANDONED;
    this.#abortRequest = abort;
    this.#reused = (this.slot?.served ?? 0) > 0;
  }

  onHeaders(statusCode: number, headers: Buffer[]): boolean {
    // 1xx interim responses are skipped, as fasthttp does; the final status follows.
    if (statusCode < 200) return true;
    this.#status = statusCode;
    const context = this.#context;
    if (context.followRedirects > 0 && isRedirectStatus(statusCode)) {
      this.#location = findLocation(headers);
      if (this.#location !== undefined) return true;
    }
    if (context.settleAtHeaders && !this.#settled) {
      // Go's Client.Do returns here; the signal stays watched so an abort ends the drain.
      this.#settled = true;
      this.#sink.resolve({ status: statusCode });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes > this.#context.maxBodyBytes) {
      if (!this.#settled && this.#location === undefined) {
        this.#settled = true;
        this.#sink.resolve({ status: this.#status });
      }
      // The rest of the body is still on the wire: this connection cannot be reused.
      this.#abortRequest?.(ABANDONED);
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.#release(undefined);
    if (this.#settled) {
      unwatchSignal(this);
    } else if (this.#location !== undefined) {
      this.#follow();
    } else {
      this.#settle();
      this.#sink.resolve({ status: this.#status });
    }
  }

  onError(error: Error): void {
    this.#release(error);
    if (this.#settled) {
      unwatchSignal(this);
      return;
    }
    if (error === ABANDONED && this.#location !== undefined) {
      // A redirect's body past maxBodyBytes: its connection was dropped, the redirect still counts.
      this.#follow();
      return;
    }
    const context = this.#context;
    if (context.retry && this.#reused && this.#status === 0 && !context.closed && isRetryable(error)) {
      // Go's shouldRetryRequest: a GET on a reused connection that failed before any answer is
      // sent again; the next attempt is on another connection (undici is still closing this one).
      this.#resetRequest();
      queueMicrotask(() => this.#dispatch());
      return;
    }
    this.#settle();
    this.#sink.reject(context.closed ? stoppedError(this.#url) : normalizeProbeError(error, this.#url));
  }

  /** Sends the probe (again) through its pool, unless it was settled meanwhile. */
  #dispatch(): void {
    if (this.#settled) return;
    if (this.#context.closed) {
      this.#settle();
      this.#sink.reject(stoppedError(this.#url));
      return;
    }
    this.#pool.dispatch(this);
  }

  /** A redirect answer has been read: counts it, then sends the probe to its `Location`. */
  #follow(): void {
    const location = this.#location as string;
    const from = this.#url;
    this.#location = undefined;
    const next = redirectTarget(
      location,
      from,
      ++this.#redirects,
      this.#context.followRedirects,
      this.#context.targetFor,
    );
    if (next instanceof Error) {
      this.#settle();
      this.#sink.reject(next);
      return;
    }
    const { target } = next;
    this.#url = next.url;
    this.options = target.options;
    this.#pool = target.pool;
    this.#resetRequest();
    this.#dispatch();
  }

  #resetRequest(): void {
    this.#abortRequest = undefined;
    this.#status = 0;
    this.#bodyBytes = 0;
    this.#reused = false;
  }

  #release(failure: Error | undefined): void {
    const slot = this.slot;
    if (slot === undefined) return;
    this.slot = undefined;
    this.#pool.release(slot, failure);
  }

  #settle(): void {
    this.#settled = true;
    unwatchSignal(this);
  }
}

function validateOptions(options: HttpTransportOptions): typeof DEFAULTS {
  if (options === null || typeof options !== 'object') {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the HTTP transport: options must be an object, got ${describeValue(options)}. Pass {} or leave it out.`,
    );
  }
  const settings = { ...DEFAULTS };
  const engine = options.engine;
  if (engine !== undefined && engine !== 'undici' && engine !== 'raw') {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the HTTP transport: engine must be 'undici' or 'raw', got ${describeValue(engine)}. Leave it out for 'undici'.`,
    );
  }
  const clock = options.clock;
  if (clock !== undefined && (clock === null || typeof clock.now !== 'number')) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the HTTP transport: clock must have a numeric now, got ${describeValue(clock)}. Pass a Clock (or leave it out for the system clock).`,
    );
  }
  const integer = (name: 'connectionsPerOrigin' | 'idleTimeout', min: number, max: number) => {
    const value = options[name];
    if (value === undefined) return;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to create the HTTP transport: ${name} must be an integer from ${min} to ${max}, got ${describeValue(value)}. Leave it out for the default ${DEFAULTS[name]}.`,
      );
    }
    settings[name] = value;
  };
  integer('connectionsPerOrigin', 1, Number.MAX_SAFE_INTEGER);
  // A timer longer than this fires at once in Node (see MAX_DURATION_MS).
  integer('idleTimeout', 1, MAX_DURATION_MS);
  if (options.maxBodyBytes !== undefined) {
    const value = options.maxBodyBytes;
    if (!(value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 0))) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to create the HTTP transport: maxBodyBytes must be an integer of at least 0 or Infinity, got ${describeValue(value)}. Leave it out for the default ${DEFAULTS.maxBodyBytes}.`,
      );
    }
    settings.maxBodyBytes = value;
  }
  if (options.userAgent !== undefined) {
    const value = options.userAgent;
    if (typeof value !== 'string' || value === '' || /[^\t\x20-\x7e]/.test(value)) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to create the HTTP transport: userAgent must be a non-empty printable ASCII string, got ${describeValue(value)}. Leave it out for ${describeValue(DEFAULT_USER_AGENT)}.`,
      );
    }
    settings.userAgent = value;
  }
  return settings;
}
