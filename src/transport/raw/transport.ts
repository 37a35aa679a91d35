import { isIP } from 'node:net';
import type tls from 'node:tls';
import { describeValue } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import { deadConnectionError, type HttpClientRules, isRedirectStatus } from '../client-rules.js';
import { outcomeOfError } from '../outcome.js';
import { type ProbeSink, pooledTransport, redirectTarget } from '../pooled-transport.js';
import { normalizeProbeError, stoppedError } from '../probe-errors.js';
import { AbortWatcher, unwatchSignal } from '../signal-watch.js';
import type { Transport } from '../types.js';
import { type RawConnection, type RawEndpoint, RawPool, type RawRequest } from './connection.js';

/**
 * The settings `httpTransport()` has already checked, handed to the raw engine.
 *
 * @example
 * const settings: RawTransportSettings = { connectionsPerOrigin: 5, maxBodyBytes: 65536, userAgent: 'probekit/0.1', idleTimeout: 10_000 };
 */
export interface RawTransportSettings {
  readonly connectionsPerOrigin: number;
  readonly maxBodyBytes: number;
  readonly userAgent: string;
  readonly idleTimeout: number;
}

/**
 * What the raw engine returns: a transport with the same `close()`, `closed` and
 * `pooledOrigins` as `HttpTransport` (structurally the same type).
 *
 * @example
 * const transport: RawTransport = createRawTransport(settings, rules, {}, systemClock);
 */
export interface RawTransport extends Transport {
  close(): Promise<void>;
  readonly closed: boolean;
  readonly pooledOrigins: number;
}

/** Where one URL goes: its origin's pool and its request bytes, built once per URL. */
interface Target {
  readonly pool: RawPool;
  readonly bytes: Buffer;
}

/**
 * The raw engine of `httpTransport({ engine: 'raw' })`: the same probe semantics as the undici
 * engine on a minimal HTTP/1.1 client over `net.Socket` / `tls.connect` (see
 * docs/decisions/0017-raw-probe-client.md). Called by `httpTransport()` after it has checked
 * the options; not exported from the package.
 *
 * @example
 * const transport = createRawTransport(settings, readClientRules({}), {}, systemClock);
 */
export function createRawTransport(
  settings: RawTransportSettings,
  rules: HttpClientRules,
  tlsOptions: { ca?: string | Buffer | (string | Buffer)[]; rejectUnauthorized?: boolean },
  clock: Pick<Clock, 'now'>,
): RawTransport {
  const poolRules = {
    deadIdleFails: rules.idleConnections === 'no-retry',
    idleTimeout: settings.idleTimeout,
    clock,
  };
  const connectionHeader = rules.reuseConnections ? '' : 'Connection: close\r\n';

  const context: ProbeContext = {
    maxBodyBytes: settings.maxBodyBytes,
    closed: false,
    retry: rules.idleConnections === 'retry',
    followRedirects: rules.followRedirects,
    settleAtHeaders: rules.settleAt === 'headers',
    targetFor: (url) => shell.targetFor(url),
  };
  const shell = pooledTransport<RawProbe, RawPool, Target>({
    clock,
    idleTimeout: settings.idleTimeout,
    context,
    newPool: (parsed) => {
      const https = parsed.protocol === 'https:';
      // URL keeps an IPv6 host in brackets; sockets want it bare.
      const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
      const endpoint: RawEndpoint = {
        host,
        port: parsed.port === '' ? (https ? 443 : 80) : Number(parsed.port),
        tls: https ? tlsConnect(host, tlsOptions) : undefined,
      };
      return new RawPool(
        parsed.origin,
        endpoint,
        settings.connectionsPerOrigin,
        rules.reuseConnections,
        poolRules,
      );
    },
    newTarget: (parsed, pool) => {
      const head =
        `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\n` +
        `User-Agent: ${settings.userAgent}\r\n${connectionHeader}\r\n`;
      // Pre-encoded once: every probe of this URL writes the same Buffer (no string encoding).
      return { pool, bytes: Buffer.from(head, 'latin1') };
    },
    newProbe: (target, url, sink) => new RawProbe(context, target, url, sink),
  });
  return shell.transport;
}

function tlsConnect(
  host: string,
  options: { ca?: string | Buffer | (string | Buffer)[]; rejectUnauthorized?: boolean },
): tls.ConnectionOptions {
  // SNI takes a host name only; an IP address is checked against the certificate's IP SANs.
  return isIP(host) === 0 ? { ...options, servername: host } : { ...options };
}

/** What every probe of one transport shares. */
interface ProbeContext {
  readonly maxBodyBytes: number;
  closed: boolean;
  readonly retry: boolean;
  readonly followRedirects: number;
  readonly settleAtHeaders: boolean;
  readonly targetFor: (url: string) => Target | Error;
}

/** A failure Go's `net/http` retries on a reused connection: it closed or reset unanswered. */
function isRetryable(error: unknown): boolean {
  const kind = outcomeOfError(error).kind;
  return kind === 'closed' || kind === 'reset';
}

/**
 * The error of an answer that is not HTTP/1.1, named by llhttp's code as the undici engine
 * names it, the message shaped as `normalizeProbeError` shapes it.
 */
function malformedError(url: string, cause: Error & { code: string }): Error {
  return Object.assign(
    new Error(
      `Failed to probe ${describeValue(url)}: the answer is not a valid HTTP response (${cause.message}). Check that the port serves HTTP/1.1 (not TLS or another protocol) and that its responses are well-formed.`,
      { cause },
    ),
    { code: cause.code },
  );
}

/**
 * One probe: the request a pool writes and the signal's abort watcher at once, so a probe
 * costs one object and its promise. The same two ends as the undici engine's probe: the
 * promise settles once; the connection is handed back when the answer ends (later than the
 * settling with `settleAt: 'headers'`).
 */
class RawProbe extends AbortWatcher implements RawRequest {
  connection: RawConnection | undefined = undefined;
  reused = false;
  bytes: Buffer;
  readonly wantLocation: boolean;
  readonly #context: ProbeContext;
  #pool: RawPool;
  #url: string;
  /** Where the answer goes (the promise's functions, or the checker's attempt). */
  readonly #sink: ProbeSink;
  #status = 0;
  #bodyBytes = 0;
  #settled = false;
  #redirects = 0;
  #location: string | undefined = undefined;

  constructor(context: ProbeContext, target: Target, url: string, sink: ProbeSink) {
    super();
    this.bytes = target.bytes;
    this.#pool = target.pool;
    this.wantLocation = context.followRedirects > 0;
    this.#context = context;
    this.#url = url;
    this.#sink = sink;
  }

  get abandoned(): boolean {
    return this.#settled;
  }

  onAbort(reason: unknown): void {
    if (!this.#settled) {
      this.#settled = true;
      this.#sink.reject(reason);
    }
    // Also ends a body still draining after `settleAt: 'headers'` resolved the probe.
    const connection = this.connection;
    this.connection = undefined;
    connection?.abort();
  }

  failUnsent(): void {
    if (this.#settled) return;
    this.#settle();
    this.#sink.reject(deadConnectionError(this.#url));
  }

  onHead(status: number, location: string | undefined): void {
    this.#status = status;
    const context = this.#context;
    if (location !== undefined && isRedirectStatus(status)) {
      this.#location = location.trim() === '' ? undefined : location.trim();
      if (this.#location !== undefined) return;
    }
    if (context.settleAtHeaders && !this.#settled) {
      this.#settled = true;
      this.#sink.resolve({ status });
    }
  }

  onBody(bytes: number): boolean {
    this.#bodyBytes += bytes;
    if (this.#bodyBytes <= this.#context.maxBodyBytes) return true;
    if (!this.#settled && this.#location === undefined) {
      this.#settled = true;
      this.#sink.resolve({ status: this.#status });
    }
    return false;
  }

  onDropped(): void {
    this.connection = undefined;
    if (this.#settled) {
      unwatchSignal(this);
      return;
    }
    // A redirect's body past maxBodyBytes: its connection was dropped, the redirect still counts.
    if (this.#location !== undefined) this.#follow();
  }

  onEnd(): void {
    if (this.#settled) {
      unwatchSignal(this);
    } else if (this.#location !== undefined) {
      this.#follow();
    } else {
      this.#settle();
      this.#sink.resolve({ status: this.#status });
    }
  }

  onFail(error: Error): void {
    if (this.#settled) {
      unwatchSignal(this);
      return;
    }
    const context = this.#context;
    if (context.retry && this.reused && this.#status === 0 && !context.closed && isRetryable(error)) {
      // Go's shouldRetryRequest: a GET on a reused connection that failed before any answer is
      // sent again (the failed connection has already left the pool).
      this.#resetRequest();
      this.#dispatch();
      return;
    }
    this.#settle();
    this.#sink.reject(context.closed ? stoppedError(this.#url) : this.#normalize(error));
  }

  #normalize(error: Error): unknown {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('HPE_')) {
      return malformedError(this.#url, error as Error & { code: string });
    }
    return normalizeProbeError(error, this.#url);
  }

  #dispatch(): void {
    if (this.#settled) return;
    if (this.#context.closed) {
      this.#settle();
      this.#sink.reject(stoppedError(this.#url));
      return;
    }
    this.#pool.dispatch(this);
  }

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
    this.bytes = target.bytes;
    this.#pool = target.pool;
    this.#resetRequest();
    this.#dispatch();
  }

  #resetRequest(): void {
    this.connection = undefined;
    this.#status = 0;
    this.#bodyBytes = 0;
    this.reused = false;
  }

  #settle(): void {
    this.#settled = true;
    unwatchSignal(this);
  }
}
