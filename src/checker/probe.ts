import type { Clock } from '../time/clock.js';
import { atDeadline } from '../time/deadline.js';
import { outcomeOfError, type ProbeOutcome, transportError } from '../transport/outcome.js';
import type { Transport } from '../transport/types.js';

const TIMEOUT: ProbeOutcome = Object.freeze({ kind: 'timeout' });
const INVALID_URL: ProbeOutcome = Object.freeze({ kind: 'invalid-url' });

/**
 * Runs one probe: a GET through `transport`, bounded by `timeout` on `clock`.
 *
 * Mirrors fasthttp's `DoTimeout`: when the deadline passes the probe is a timeout at once, even
 * if the transport has not settled yet (its request is aborted and its late answer ignored).
 * The deadline timer is armed before the request starts, so on a virtual clock a response due
 * at the very instant of the deadline loses, as it does against Dapr. A timeout of 0 fails at
 * once and sends nothing, as in Dapr. Aborting `controller` (on stop) abandons the request;
 * the caller must not wait for this promise after that.
 */
export function runProbe(
  transport: Transport,
  url: string,
  timeout: number,
  clock: Clock,
  controller: AbortController,
): Promise<ProbeOutcome> {
  if (timeout <= 0) return Promise.resolve(TIMEOUT);
  if (!URL.canParse(url)) return Promise.resolve(INVALID_URL);
  return new Promise<ProbeOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      resolve(outcome);
    };
    const deadline = atDeadline(clock, clock.now + timeout, () => {
      controller.abort(transportError('timeout', `Probe of ${url} timed out after ${timeout} ms.`));
      settle(TIMEOUT);
    });
    // A transport that ignores the abort must not keep a stopped loop waiting.
    controller.signal.addEventListener('abort', () => settle(outcomeOfError(controller.signal.reason)), {
      once: true,
    });
    let pending: Promise<{ status: number }>;
    try {
      pending = transport({ url, timeout, signal: controller.signal });
    } catch (error) {
      settle(outcomeOfError(error));
      return;
    }
    pending.then(
      (response) => settle({ kind: 'status', status: response.status }),
      (error: unknown) => settle(outcomeOfError(error)),
    );
  });
}
