import { type HttpTransportOptions, httpTransport } from '../transport/http.js';
import type { Transport } from '../transport/types.js';
import type { ClientRules } from './profiles/client.js';

/**
 * The `httpTransport()` options that play a profile's client rules in real time: fasthttp's
 * (keep-alive, no retry on a dead connection, the whole body) or Go net/http's (redirects, the
 * status at the headers, a GET sent again on a new connection), or a new connection per probe.
 *
 * @example
 * httpTransport(transportOptionsFor(profileNamed('dapr-1.10.5').client));
 */
export function transportOptionsFor(client: ClientRules): HttpTransportOptions {
  return {
    idleConnections: client.reusedConnectionFailure === 'retry' ? 'retry' : 'no-retry',
    reuseConnections: client.connections === 'keep-alive',
    followRedirects: client.followRedirects,
    settleAt: client.settleAt,
    idleTimeout: client.idleTimeout,
  };
}

/**
 * The options of the transport a check owns: the raw engine and the profile's client rules.
 * For a caller that needs the same transport with more (a CA to trust: `probekit check --ca`).
 *
 * @example
 * httpTransport({ ...checkTransportOptions(profileNamed('dapr-1.0').client), ca });
 */
export function checkTransportOptions(client?: ClientRules): HttpTransportOptions {
  return { engine: 'raw', ...(client ? transportOptionsFor(client) : {}) };
}

/**
 * The transport a check owns when none is injected: a fresh `httpTransport()` on the raw engine
 * (docs/decisions/0017-raw-probe-client.md: 0.6× the undici engine's CPU per probe in the
 * checker fan-out, same semantics), closed on stop, playing the client rules of the check's
 * profile (the reference's, fasthttp's, by default).
 */
export function defaultTransport(client?: ClientRules): { transport: Transport; close(): Promise<void> } {
  const transport = httpTransport(checkTransportOptions(client));
  return { transport, close: () => transport.close() };
}
