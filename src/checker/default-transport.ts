import { httpTransport } from '../transport/http.js';
import type { Transport } from '../transport/types.js';
import type { ClientRules } from './profiles/client.js';

/**
 * The transport a check owns when none is injected: a fresh `httpTransport()`, closed on stop,
 * with the client rules of the check's profile (the reference's by default).
 */
export function defaultTransport(_client?: ClientRules): { transport: Transport; close(): Promise<void> } {
  const transport = httpTransport();
  return { transport, close: () => transport.close() };
}
