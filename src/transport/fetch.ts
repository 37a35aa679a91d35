import { describeValue, ProbekitError } from '../errors.js';
import { DEFAULT_USER_AGENT } from './http.js';
import { outcomeOfError } from './outcome.js';
import { normalizeProbeError, parseProbeUrl } from './probe-errors.js';
import { AbortWatcher, unwatchSignal, watchSignal } from './signal-watch.js';
import type { ProbeRequest, ProbeResponse, Transport } from './types.js';

/**
 * Options for {@link fetchTransport}. Every field is optional.
 *
 * @example
 * const transport = fetchTransport({ maxBodyBytes: 1024, userAgent: 'probekit (tests)' });
 */
export interface FetchTransportOptions {
  /**
   * Response body bytes read and discarded before the probe settles without the rest (the
   * stream is cancelled). Default 64 KiB, as {@link httpTransport}.
   */
  readonly maxBodyBytes?: number;
  /** The `User-Agent` header. Default `probekit/0.1`. */
  readonly userAgent?: string;
  /**
   * The `fetch` to call. Default: whatever `globalThis.fetch` is *at each probe*, so a fetch
   * patched later (msw's `setupServer().listen()`) is the one used.
   */
  readonly fetch?: typeof globalThis.fetch;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The code a probe fails with when `fetch` reports a network error that names no cause. */
export const NETWORK_ERROR_CODE = 'ERR_NETWORK';

/**
 * A {@link Transport} over the global `fetch`, for code that mocks `fetch`: msw's
 * `setupServer(...)` intercepts it, so a checker probing through it sees the handlers'
 * answers (the default {@link httpTransport} uses its own undici client, which msw never sees).
 *
 * It follows the same rules as `httpTransport()`: `GET url` with a `User-Agent`; redirects are
 * not followed (`redirect: 'manual'`: a 3xx is just a status); no timers of its own — the
 * checker times each probe from its start and aborts `request.signal`, and an aborted probe
 * rejects at once with `signal.reason` (its fetch is aborted too); the body is read and
 * discarded as it arrives, up to `maxBodyBytes`, then the stream is cancelled; failures reject
 * with the same codes (`ECONNREFUSED`, `ECONNRESET`, `ECONNCLOSED`, `HPE_*` for malformed
 * answers, `ERR_INVALID_URL` without sending anything). A network error that names no cause
 * (msw's `HttpResponse.error()`) rejects with `ERR_NETWORK`.
 *
 * Over a real network it is slower than `httpTransport()` (a `Request`, `Response` and stream
 * per probe) and its connections are Node's global pool's; prefer `httpTransport()` there.
 *
 * @example
 * import { setupServer } from 'msw/node';
 * const endpoint = flakyEndpoint('200, 503*2, 200...', { origin: 'http://svc.test' });
 * const server = setupServer(...endpoint.handlers);
 * server.listen({ onUnhandledRequest: 'error' });
 * const check = startEndpointHealthCheck('http://svc.test/healthz', withTransport(fetchTransport()));
 */
export function fetchTransport(options: FetchTransportOptions = {}): Transport {
  const settings = validateOptions(options);
  const headers = { 'user-agent': settings.userAgent };
  return (request: ProbeRequest): Promise<ProbeResponse> => {
    const { url, signal } = request;
    const parsed = parseProbeUrl(url);
    // An aborted signal wins over a bad URL: the caller gave up before anything was checked.
    if (signal.aborted) return Promise.reject(signal.reason);
    if (parsed instanceof Error) return Promise.reject(parsed);
    return new Promise<ProbeResponse>((resolve, reject) => {
      const probe = new FetchProbe(url, resolve, reject);
      if (!watchSignal(signal, probe)) {
        reject(signal.reason);
        return;
      }
      const fetchNow = settings.fetch ?? globalThis.fetch;
      void probe.run(fetchNow, headers, settings.maxBodyBytes);
    });
  };
}

/**
 * One probe: its own `AbortController` (so `fetch` never adds listeners to the checker's
 * shared signal, which it would keep until the `Request` is garbage-collected), linked to the
 * probe's signal through the one-listener watch list.
 */
class FetchProbe extends AbortWatcher {
  readonly #controller = new AbortController();
  readonly #url: string;
  readonly #resolve: (response: ProbeResponse) => void;
  readonly #reject: (reason: unknown) => void;
  #settled = false;

  constructor(url: string, resolve: (response: ProbeResponse) => void, reject: (reason: unknown) => void) {
    super();
    this.#url = url;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  onAbort(reason: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#controller.abort(reason);
    this.#reject(reason);
  }

  /** Never rejects: every end settles the probe's promise instead. */
  async run(
    fetchNow: typeof globalThis.fetch,
    headers: Record<string, string>,
    maxBodyBytes: number,
  ): Promise<void> {
    try {
      const response = await fetchNow(this.#url, {
        method: 'GET',
        headers,
        redirect: 'manual',
        signal: this.#controller.signal,
      });
      await drain(response, maxBodyBytes);
      this.#settle();
      this.#resolve({ status: response.status });
    } catch (error) {
      if (!this.#settle()) return;
      this.#reject(fetchError(error, this.#url));
    }
  }

  /** Returns false if the probe had already settled (an abort got there first). */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    unwatchSignal(this);
    return true;
  }
}

/** Reads the body to its end or past `cap` bytes (then cancels it), keeping none of it. */
async function drain(response: Response, cap: number): Promise<void> {
  const body = response.body;
  if (body === null) return;
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    bytes += value.byteLength;
    if (bytes > cap) {
      // The rest may never come: the status is known, and that is all a probe needs.
      reader.cancel().catch(() => {});
      return;
    }
  }
}

function fetchError(error: unknown, url: string): unknown {
  const normalized = normalizeProbeError(error, url);
  if (normalized !== error) return normalized;
  const outcome = outcomeOfError(error);
  // fetch's `TypeError: Failed to fetch` with no coded cause: a network error it cannot name.
  if (outcome.kind === 'error' && outcome.code === 'EUNKNOWN' && error instanceof TypeError) {
    return Object.assign(
      new Error(
        `Failed to probe ${describeValue(url)}: fetch reported a network error (${error.message}). The endpoint (or a mock's error response) gave no response.`,
        { cause: error },
      ),
      { code: NETWORK_ERROR_CODE },
    );
  }
  return error;
}

function validateOptions(options: FetchTransportOptions): {
  maxBodyBytes: number;
  userAgent: string;
  fetch: typeof globalThis.fetch | undefined;
} {
  const fail = (what: string, hint: string): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create the fetch transport: ${what}. ${hint}.`,
    );
  };
  if (options === null || typeof options !== 'object') {
    fail(`options must be an object, got ${describeValue(options)}`, 'Pass {} or leave it out');
  }
  const { maxBodyBytes = DEFAULT_MAX_BODY_BYTES, userAgent = DEFAULT_USER_AGENT, fetch } = options;
  if (
    !(maxBodyBytes === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0))
  ) {
    fail(
      `maxBodyBytes must be an integer of at least 0 or Infinity, got ${describeValue(maxBodyBytes)}`,
      `Leave it out for the default ${DEFAULT_MAX_BODY_BYTES}`,
    );
  }
  if (typeof userAgent !== 'string' || userAgent === '' || /[^\t\x20-\x7e]/.test(userAgent)) {
    fail(
      `userAgent must be a non-empty printable ASCII string, got ${describeValue(userAgent)}`,
      `Leave it out for ${describeValue(DEFAULT_USER_AGENT)}`,
    );
  }
  if (fetch !== undefined && typeof fetch !== 'function') {
    fail(`fetch must be a function, got ${describeValue(fetch)}`, 'Leave it out to use globalThis.fetch');
  }
  return { maxBodyBytes, userAgent, fetch };
}
