import type { Clock } from '../time/clock.js';
import { badLocationError, tooManyRedirectsError } from './client-rules.js';
import { parseProbeUrl, stoppedError } from './probe-errors.js';
import { type AbortWatcher, watchSignal } from './signal-watch.js';
import type { ProbeRequest, ProbeResponse, Transport } from './types.js';

/** One origin's connections, as the shell sees them: either engine's pool. */
export interface TransportPool<Probe> {
  readonly origin: string;
  /** When the pool was last given a probe, on the transport's clock. */
  lastUsed: number;
  /** Nothing in flight or queued. */
  readonly idle: boolean;
  dispatch(probe: Probe): void;
  destroy(reason: Error): Promise<void>;
}

/** Where one URL goes: at least its origin's pool (each engine adds what it sends). */
export interface TransportTarget<Pool> {
  readonly pool: Pool;
}

/** A transport that owns pools: call it, and `close()` it when done. */
export interface PooledTransport extends Transport {
  close(): Promise<void>;
  readonly closed: boolean;
  readonly pooledOrigins: number;
}

type Resolve = (response: ProbeResponse) => void;
type Reject = (reason: unknown) => void;

/** What an engine gives the shell: how to make its pools, targets and probes. */
export interface PooledTransportSpec<Probe extends AbortWatcher, Pool extends TransportPool<Probe>, Target> {
  readonly clock: Pick<Clock, 'now'>;
  /** How long an origin may sit idle before its pool is dropped at the next probe. */
  readonly idleTimeout: number;
  /** The state every probe reads; `close()` sets `closed`. */
  readonly context: { closed: boolean };
  newPool(parsed: URL): Pool;
  newTarget(parsed: URL, pool: Pool): Target;
  newProbe(target: Target, url: string, sink: ProbeSink): Probe;
}

/**
 * The callback form of a pooled transport, found on it under {@link PROBE_WITH_CALLBACKS}: the
 * same probe as calling the transport, settled through the sink's `resolve` or `reject` instead of a
 * promise (never synchronously when nothing was sent). The checker's loop uses it when its
 * transport has it: a promise, its two resolving functions and a `then` per probe less.
 */
export type ProbeWithCallbacks = (request: ProbeRequest, sink: ProbeSink) => void;

/** Where a probe's answer goes: the promise's two functions, or (callback form) any object with these methods. */
export interface ProbeSink {
  resolve(response: ProbeResponse): void;
  reject(reason: unknown): void;
}

/** Where a transport built by {@link pooledTransport} keeps its {@link ProbeWithCallbacks}. */
export const PROBE_WITH_CALLBACKS: unique symbol = Symbol('probekit.probeWithCallbacks');

const STARTED = Symbol('started');

/** Parsed URLs are cached; past this many distinct URLs the cache starts over. */
const MAX_CACHED_URLS = 4096;

// One executor for every probe's promise (it runs synchronously inside `new Promise`):
// a closure per probe is measurable at thousands of probes a second.
const captured: { resolve: Resolve; reject: Reject } = { resolve: noop, reject: noop };
function capture(resolve: Resolve, reject: Reject): void {
  captured.resolve = resolve;
  captured.reject = reject;
}
function noop(): void {}

/**
 * What both engines of `httpTransport()` share around their probes: a pool per origin, a target
 * per URL (cached), the sweep that drops origins idle for longer than `idleTimeout` (20,000
 * origins probed once kept ~47 MiB of clients until close(); done at a probe rather than on a
 * timer, so an idle transport holds no timer and a virtual clock needs no care), the transport
 * function itself, and `close()`.
 *
 * @example
 * const { transport, targetFor } = pooledTransport({ clock, idleTimeout: 10_000, context, newPool, newTarget, newProbe });
 */
export function pooledTransport<
  Probe extends AbortWatcher,
  Pool extends TransportPool<Probe>,
  Target extends TransportTarget<Pool>,
>(
  spec: PooledTransportSpec<Probe, Pool, Target>,
): { transport: PooledTransport; targetFor: (url: string) => Target | Error } {
  const { clock, idleTimeout, context } = spec;
  const pools = new Map<string, Pool>();
  const targets = new Map<string, Target>();
  /** When idle pools were last looked for; a sweep runs at most once per `idleTimeout`. */
  let lastSweep = clock.now;

  const targetFor = (url: string): Target | Error => {
    const cached = targets.get(url);
    if (cached !== undefined) return cached;
    const parsed = parseProbeUrl(url);
    if (parsed instanceof Error) return parsed;
    if (targets.size >= MAX_CACHED_URLS) targets.clear();
    let pool = pools.get(parsed.origin);
    if (pool === undefined) {
      pool = spec.newPool(parsed);
      pools.set(parsed.origin, pool);
    }
    const target = spec.newTarget(parsed, pool);
    targets.set(url, target);
    return target;
  };

  const sweep = (now: number): void => {
    lastSweep = now;
    const cutoff = now - idleTimeout;
    let pruned = false;
    for (const [origin, pool] of pools) {
      // Kept at exactly idleTimeout: fasthttp's cleaner drops only connections idle longer.
      if (pool.lastUsed >= cutoff || !pool.idle) continue;
      pools.delete(origin);
      pruned = true;
      void pool.destroy(stoppedError(origin)).catch(noop);
    }
    if (!pruned) return;
    for (const [url, target] of targets) {
      if (pools.get(target.pool.origin) !== target.pool) targets.delete(url);
    }
  };

  /** Sends the probe, or returns why it cannot be sent (`STARTED` when it was). */
  const begin = (request: ProbeRequest, sink: ProbeSink): unknown => {
    const { url, signal } = request;
    if (context.closed) return stoppedError(url);
    const now = clock.now;
    if (now - lastSweep >= idleTimeout) sweep(now);
    const target = targetFor(url);
    // An aborted signal wins over a bad URL: the caller gave up before anything was checked.
    if (target instanceof Error) return signal.aborted ? signal.reason : target;
    const probe = spec.newProbe(target, url, sink);
    // Already aborted (e.g. a zero timeout): nothing is sent.
    if (!watchSignal(signal, probe)) return signal.reason;
    target.pool.lastUsed = now;
    target.pool.dispatch(probe);
    return STARTED;
  };

  const transport = (request: ProbeRequest): Promise<ProbeResponse> => {
    const promise = new Promise<ProbeResponse>(capture);
    const failed = begin(request, { resolve: captured.resolve, reject: captured.reject });
    // Not sent: the unsettled promise is dropped.
    return failed === STARTED ? promise : Promise.reject(failed);
  };

  const withCallbacks: ProbeWithCallbacks = (request, sink) => {
    const failed = begin(request, sink);
    if (failed !== STARTED) queueMicrotask(() => sink.reject(failed));
  };

  const owned = Object.defineProperties(transport as PooledTransport, {
    close: {
      value: async (): Promise<void> => {
        context.closed = true;
        const all = [...pools.values()];
        pools.clear();
        targets.clear();
        await Promise.all(all.map((pool) => pool.destroy(stoppedError('(any)'))));
      },
    },
    closed: { get: () => context.closed },
    pooledOrigins: { get: () => pools.size },
    [PROBE_WITH_CALLBACKS]: { value: withCallbacks },
  });
  return { transport: owned, targetFor };
}

/**
 * Where a probe goes after a redirect answer, as Go's client decides: an error once `redirects`
 * (this one counted) reaches `limit` ("stopped after 10 redirects"), or for a `Location` that is
 * not a URL a probe can go to; else the next URL and its target.
 *
 * @example
 * const next = redirectTarget('/ok', 'http://127.0.0.1:8080/healthz', 1, 10, targetFor);
 */
export function redirectTarget<Target>(
  location: string,
  from: string,
  redirects: number,
  limit: number,
  targetFor: (url: string) => Target | Error,
): { readonly url: string; readonly target: Target } | Error {
  if (redirects >= limit) return tooManyRedirectsError(from, limit);
  let url: string;
  try {
    url = new URL(location, from).href;
  } catch {
    return badLocationError(from, location);
  }
  const target = targetFor(url);
  return target instanceof Error ? badLocationError(from, location) : { url, target };
}
