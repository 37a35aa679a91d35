import { httpTransport } from '../transport/http.js';
import type { Transport } from '../transport/types.js';

/** The transport a check owns when none is injected: a fresh `httpTransport()`, closed on stop. */
export function defaultTransport(): { transport: Transport; close(): Promise<void> } {
  const transport = httpTransport();
  return { transport, close: () => transport.close() };
}
