import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { describeValue, ProbekitError } from '../../../errors.js';
import { type Clock, systemClock } from '../../../time/clock.js';
import type { EndpointScript } from '../../script/schema.js';
import { type MockServer, type MockServerOptions, startScriptServer } from '../server/server.js';
import { createForwarder } from './forward.js';
import { parseUpstream } from './upstream.js';

/**
 * How long (ms) the proxy waits for the upstream's response head by default before answering 504.
 *
 * @example
 * await startFaultProxy(upstream, 'pass...', { upstreamTimeoutMs: DEFAULT_UPSTREAM_TIMEOUT_MS / 3 });
 */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

/** Options for {@link startFaultProxy}: the mock server's, and the upstream's timeout. */
export interface FaultProxyOptions extends MockServerOptions {
  /**
   * ms to wait for the upstream's response head, on the proxy's clock (default
   * {@link DEFAULT_UPSTREAM_TIMEOUT_MS}); then the client gets 504. A body that stalls after the
   * head is bounded by the client's own timeout (the proxy cuts the upstream when it goes away).
   */
  readonly upstreamTimeoutMs?: number;
  /** Most keep-alive connections to the upstream (default 64). */
  readonly maxUpstreamSockets?: number;
  /**
   * Bytes per second of a `pass`'s bodies on the proxy's clock: `up`, the request body to the
   * upstream; `down`, the response body to the client (Toxiproxy's bandwidth). Default: unpaced.
   */
  readonly bandwidth?: { readonly up?: number; readonly down?: number };
  /**
   * Cut the client's connection once this many bytes of a `pass`'s response body went through
   * (Toxiproxy's limit_data, per response). Default: no limit.
   */
  readonly limitData?: number;
  /**
   * CA certificates (PEM) trusted for an `https://` upstream instead of Node's bundled ones
   * (`probekit proxy --upstream-ca FILE`). An upstream whose certificate fails verification
   * answers 502, journalled as `tls:<reason>`.
   */
  readonly upstreamCa?: string | Buffer | readonly (string | Buffer)[];
  /** Accept any certificate from an `https://` upstream (`--upstream-insecure`). Default false. */
  readonly upstreamInsecure?: boolean;
}

/** A running fault proxy: a mock server whose `pass` steps answer from the upstream. */
export interface FaultProxy extends MockServer {
  /** The upstream's origin, `http://host:port` (or `https://`). */
  readonly upstream: string;
}

/** The mock server, plus the upstream's origin and its agent (closed after the server). */
class RunningFaultProxy implements FaultProxy {
  readonly #server: MockServer;
  readonly #agent: Agent;
  readonly upstream: string;

  constructor(server: MockServer, upstream: string, agent: Agent) {
    this.#server = server;
    this.upstream = upstream;
    this.#agent = agent;
  }

  get url(): string {
    return this.#server.url;
  }
  get ca(): string | undefined {
    return this.#server.ca;
  }
  get port(): number {
    return this.#server.port;
  }
  get controlUrl(): string | undefined {
    return this.#server.controlUrl;
  }
  get host(): string {
    return this.#server.host;
  }
  get seed(): number {
    return this.#server.seed;
  }
  get journal(): MockServer['journal'] {
    return this.#server.journal;
  }
  get definition(): MockServer['definition'] {
    return this.#server.definition;
  }
  setScript(script: EndpointScript, options?: { startedAt?: number }): MockServer['definition'] {
    return this.#server.setScript(script, options);
  }
  reset(): void {
    this.#server.reset();
  }
  async close(): Promise<void> {
    await this.#server.close();
    this.#agent.destroy();
  }
}

/** The TLS options of an https:// upstream's agent, checked. */
function upstreamTls(options: FaultProxyOptions): { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } {
  const { upstreamCa, upstreamInsecure } = options;
  const out: { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } = {};
  if (upstreamCa !== undefined) {
    const list = (Array.isArray(upstreamCa) ? upstreamCa : [upstreamCa]) as (string | Buffer)[];
    for (const item of list) {
      if (
        !(typeof item === 'string' || Buffer.isBuffer(item)) ||
        !String(item).includes('-----BEGIN CERTIFICATE-----')
      )
        throw new ProbekitError(
          'ERR_PROBEKIT_INVALID_OPTION',
          `Failed to start the fault proxy: upstreamCa ${describeValue(typeof item === 'string' ? item.slice(0, 80) : item)} is not a PEM certificate. Pass the CA certificate's PEM text (read the file first).`,
        );
    }
    out.ca = list;
  }
  if (upstreamInsecure !== undefined) {
    if (typeof upstreamInsecure !== 'boolean')
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to start the fault proxy: upstreamInsecure ${describeValue(upstreamInsecure)} is not a boolean. Pass true or false.`,
      );
    out.rejectUnauthorized = !upstreamInsecure;
  }
  return out;
}

function checkCount(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (Number.isInteger(value) && value >= 1 && value <= max) return value;
  throw new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to start the fault proxy: ${name} ${describeValue(value)} is not valid. Use a whole number from 1 to ${max}.`,
  );
}

/**
 * Starts a fault-injecting reverse proxy in front of a real service: the mock server
 * ({@link startMockServer}: same script language, control API, journal and seeds) where the step
 * `pass` forwards the request to `upstream` and answers with its status, headers and streamed
 * body. Every other step (`503`, `reset`, `hang`, `refuse 2s`, …) answers in its place, so
 * `"pass*2, 503, reset, pass..."` makes a healthy service fail on a script. `delay 200ms then
 * pass`, `slow-body pass over 2s` and `pass [status=503]` compose with the upstream's answer. An
 * unreachable or resetting upstream gives 502, a silent one 504, each with a body saying so and a
 * journal entry (`entry.upstream`). The upstream is an `http://` or `https://` IP origin
 * (`upstreamCa` / `upstreamInsecure` for its certificate); forwarding uses a keep-alive agent.
 * With `tls` the proxy itself serves HTTPS, as the mock server does (docs/proxy.md).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT`, `ERR_PROBEKIT_INVALID_OPTION`,
 *   `ERR_PROBEKIT_PORT_IN_USE` / `ERR_PROBEKIT_LISTEN`.
 * @example
 * const proxy = await startFaultProxy('http://127.0.0.1:8080', 'pass*2, 503, reset, pass...', { seed: 42 });
 * await fetch(`${proxy.url}/healthz`); // the upstream's answer
 * await proxy.close();
 */
export async function startFaultProxy(
  upstream: string,
  script: EndpointScript,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = parseUpstream(upstream);
  const timeoutMs = checkCount(
    'upstreamTimeoutMs',
    options.upstreamTimeoutMs,
    DEFAULT_UPSTREAM_TIMEOUT_MS,
    2_147_483_647,
  );
  const maxSockets = checkCount('maxUpstreamSockets', options.maxUpstreamSockets, 64, 65_535);
  const MAX_BYTES = Number.MAX_SAFE_INTEGER;
  const upRate = options.bandwidth?.up;
  const downRate = options.bandwidth?.down;
  const limit = options.limitData;
  if (upRate !== undefined) checkCount('bandwidth.up', upRate, 0, MAX_BYTES);
  if (downRate !== undefined) checkCount('bandwidth.down', downRate, 0, MAX_BYTES);
  if (limit !== undefined) checkCount('limitData', limit, 0, MAX_BYTES);
  const up = upRate === undefined ? undefined : { bytesPerSecond: upRate };
  const down =
    downRate === undefined && limit === undefined
      ? undefined
      : { bytesPerSecond: downRate, limitBytes: limit };
  const clock: Clock = options.clock ?? systemClock;
  // Keep-alive, as a service's real clients do; destroyed with the proxy so no socket is left.
  const agent = target.secure
    ? new HttpsAgent({ keepAlive: true, maxSockets, ...upstreamTls(options) })
    : new Agent({ keepAlive: true, maxSockets });
  let server: MockServer | undefined;
  const pass = createForwarder({
    upstream: target,
    agent,
    clock,
    journal: () => (server as MockServer).journal,
    timeoutMs,
    up,
    down,
  });
  try {
    server = await startScriptServer(script, { ...options, clock }, pass);
  } catch (error) {
    agent.destroy();
    throw error;
  }
  return new RunningFaultProxy(server, target.origin, agent);
}
