import type { Transport } from '../../transport/types.js';

/**
 * Sends a couple of throwaway requests so the first real probe does not pay for loading the
 * HTTP client and the first connection (tens of ms, more than a demo-scale timeout).
 *
 * @example
 * await warmUp(transport, `${server.url}/healthz`, io.signal);
 */
export async function warmUp(
  transport: Transport,
  url: string,
  signal: AbortSignal,
  times = 2,
): Promise<void> {
  for (let i = 0; i < times; i++) await transport({ url, timeout: 1000, signal });
}
