/**
 * How a Dapr version's HTTP client probes: what the endpoint sees and when a probe's result is
 * known. Part of each profile (PROFILES.md §1): the same endpoint can pass under one client and
 * fail under another.
 */
export interface ClientRules {
  /** Redirects followed per probe (Go's default client: 10); 0 = a 3xx is just a status. */
  readonly followRedirects: number;
  /** When success is judged: when the headers arrive (net/http) or after the whole body (fasthttp). */
  readonly settleAt: 'headers' | 'body';
  /** A request timeout of 0: fails at once and sends nothing, or means no timeout at all. */
  readonly zeroTimeout: 'fail-unsent' | 'no-timeout';
  /** Keep-alive connections reused across probes, or a new connection for every probe. */
  readonly connections: 'keep-alive' | 'new-per-probe';
  /**
   * A probe on a reused connection the server has closed: fails as `closed` and never reaches
   * the server (fasthttp, `MaxIdemponentCallAttempts: 1`), or goes out again on a new connection
   * (net/http retries a GET that failed before the first response byte).
   */
  readonly reusedConnectionFailure: 'fail' | 'retry';
  /** The body is closed without being read (v1.13): the connection is kept only when the body was empty. */
  readonly bodyUnread: boolean;
  /** Success is the exact status asked for, or any 2xx (the app health checker). */
  readonly success: 'exact' | '2xx';
  /**
   * How long the client keeps an idle connection before closing it itself, ms: fasthttp's
   * `MaxIdleConnDuration` (10 s), net/http's `IdleConnTimeout` (90 s). A connection idle longer
   * is gone when the next probe comes: it dials a new one, whatever the server did meanwhile.
   */
  readonly idleTimeout: number;
}
