import type { Transport } from '../transport/types.js';

/** The transport a check owns when none is injected; closed when the check stops. */
export function defaultTransport(): { transport: Transport; close(): Promise<void> } {
  throw new Error('httpTransport is not wired yet');
}
