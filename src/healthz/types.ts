import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../time/clock.js';

/**
 * Where the servers write their log lines (Dapr's exact messages, without its log framing).
 *
 * @example
 * const lines: string[] = [];
 * const logger: Logger = { info: (m) => lines.push(m), error: (m) => lines.push(m) };
 */
export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/**
 * A plain `node:http` request listener that also works as Connect/Express middleware: with
 * `next`, requests for paths it does not serve go to `next()` instead of being answered 404.
 *
 * @example
 * http.createServer(healthz.handler).listen(8080, '127.0.0.1');
 */
export type HealthzHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * The address `run()` is bound to, once it listens.
 *
 * @example
 * createHealthzServer({ onListening: ({ url }) => console.log(`listening on ${url}`) });
 */
export interface ListeningAddress {
  /** The bound host as Node reports it (`127.0.0.1`, `::`, `0.0.0.0`). */
  readonly host: string;
  /** The bound port (the real one when you asked for 0). */
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
}

/**
 * Options shared by both healthz flavours. Every one has a default; none is needed.
 *
 * @example
 * createHealthzServer({ shutdownGrace: 1000, logger: quietLogger });
 */
export interface HealthzServerOptions {
  /** Where the log lines go. Default: the console (`console.info` / `console.error`). */
  logger?: Logger;
  /** Clock for the shutdown grace timer. Default: the system clock. */
  clock?: Clock;
  /**
   * ms that `run()` waits for in-flight requests after the abort before destroying the
   * connections still open. Default 5000, Dapr's `context.WithTimeout(…, 5*time.Second)`.
   */
  shutdownGrace?: number;
  /**
   * ms a client may take to send a request's headers before the connection is cut off, without
   * a response (Go's behaviour on a read timeout). Hardening: Dapr v1.0 had no limit.
   * Default 10000. Enforced by Node, in real time, checked every `headersTimeout / 4` ms (at
   * most every second).
   */
  headersTimeout?: number;
  /** ms a whole request (headers and body) may take. Default 30000. Enforced by Node. */
  requestTimeout?: number;
  /**
   * ms an idle keep-alive connection stays open. Default 65000: longer than any sane probe
   * interval, so a checker reusing the connection never races the server closing it
   * (Go never closes idle connections; Node's own default of 5 s would race a 5 s interval).
   */
  keepAliveTimeout?: number;
  /**
   * The `Date` header value. Default: the wall clock, formatted like Go (`Mon, 02 Jan 2006
   * 15:04:05 GMT`) and cached per second. Tests pass a constant to compare whole responses.
   */
  httpDate?: () => string;
  /** Called by `run()` once the server listens, with the real bound address. */
  onListening?: (address: ListeningAddress) => void;
}

/**
 * What both flavours return: a readiness flag, a mountable handler and a standalone `run()`.
 *
 * @example
 * const healthz = createHealthzServer();
 * const controller = new AbortController();
 * const done = healthz.run(controller.signal, 8080);
 * healthz.ready();
 * controller.abort(); await done;
 */
export interface HealthzServer {
  /** Marks the process ready: the very next request sees it. */
  ready(): void;
  /** Marks the process not ready: the very next request sees it. */
  notReady(): void;
  /** The current readiness. */
  readonly isReady: boolean;
  /** The request handler, to mount in your own `node:http` server or as middleware. */
  readonly handler: HealthzHandler;
  /**
   * Serves `handler` on `port` (all interfaces unless `host` is given) until `signal` aborts,
   * then shuts down gracefully. Resolves once shutdown is complete; rejects at once with
   * `ERR_PROBEKIT_PORT_IN_USE` (or `ERR_PROBEKIT_LISTEN`) when it cannot listen. A signal that
   * is already aborted resolves at once without listening.
   */
  run(signal: AbortSignal, port: number, host?: string): Promise<void>;
}

/**
 * Options of the sidecar flavour (`/v1.0/healthz`).
 *
 * @example
 * createSidecarHealthz({ appId: 'orders', outbound: true, apiToken: process.env.DAPR_API_TOKEN });
 */
export interface SidecarHealthzOptions extends HealthzServerOptions {
  /**
   * Enables the `?appid=` check (a later Dapr feature): a non-empty `appid` query parameter
   * that differs from this id is answered 500 `ERR_HEALTH_APPID_NOT_MATCH`. Off when unset.
   */
  appId?: string;
  /** Serves `/v1.0/healthz/outbound` with its own readiness (a later Dapr feature). Default false. */
  outbound?: boolean;
  /**
   * daprd's `DAPR_API_TOKEN`: a request whose URI does not contain `/healthz` (case-sensitive,
   * anywhere in `http://<host><path>?<query>`) must send this value in its first
   * `dapr-api-token` header, or it gets `401` `invalid api token` (before any routing, so
   * `/v1.0/HEALTHZ` is refused rather than redirected). Off when unset or `''`, as in daprd.
   * Mounted as middleware, requests for paths it would not answer go to `next()` unchecked.
   */
  apiToken?: string;
}

/**
 * The sidecar flavour: the {@link HealthzServer} shape plus the outbound readiness.
 *
 * @example
 * const sidecar = createSidecarHealthz({ outbound: true });
 * sidecar.outboundReady();
 */
export interface SidecarHealthz extends HealthzServer {
  /** Marks outbound ready (`/v1.0/healthz/outbound` answers 204). */
  outboundReady(): void;
  /** Marks outbound not ready (`/v1.0/healthz/outbound` answers 500). */
  outboundNotReady(): void;
  /** The current outbound readiness (starts false, as in Dapr). */
  readonly isOutboundReady: boolean;
}
