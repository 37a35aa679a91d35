/** One probe request: a GET of `url`, to be abandoned when `signal` aborts. */
export interface ProbeRequest {
  readonly url: string;
  /**
   * The checker's request timeout in ms. Informational: the checker enforces it on its own
   * clock and aborts `signal`; a transport must not start a second, competing timer.
   */
  readonly timeout: number;
  /**
   * Aborts when the probe times out or the check stops. Consecutive probes share one signal
   * until it aborts, so a transport must remove any listener it adds once its request settles
   * (undici's `dispatch` and probekit's transports do). Node's `fetch` does not: it keeps its
   * listener until the `Request` is garbage-collected (measured: 20 probes, 20 listeners left),
   * so give each `fetch` its own `AbortController` linked to this signal, as `fetchTransport()` does.
   */
  readonly signal: AbortSignal;
}

/** What a transport reports for a response: only the status matters to the checker. */
export interface ProbeResponse {
  readonly status: number;
}

/**
 * The seam between the checker and the network: one GET, resolving with the status or
 * rejecting (every rejection is a probe failure). Rejections should carry a `code`
 * (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `ERR_INVALID_URL`, …) so traces can say why.
 *
 * @example
 * const alwaysOk: Transport = async () => ({ status: 200 });
 */
export type Transport = (request: ProbeRequest) => Promise<ProbeResponse>;
