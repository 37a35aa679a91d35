/**
 * The smallest "nice" step (1, 2 or 5 × 10ⁿ) that is at least `raw`: scales and axis steps
 * people can read without arithmetic.
 *
 * @example
 * niceStep(14.3); // 20
 */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  let magnitude = 10 ** Math.floor(Math.log10(raw));
  for (;;) {
    for (const m of [1, 2, 5]) {
      const step = m * magnitude;
      // Whole milliseconds only: a fraction of a ms is never a useful unit here.
      if (step >= raw && step >= 1) return Math.round(step);
    }
    magnitude *= 10;
  }
}

/**
 * Formats a time in ms for labels: `250`, `1500`, or `12 s` / `1.5 s` when `seconds` is set.
 *
 * @example
 * formatTime(12000, true); // '12 s'
 */
export function formatTime(ms: number, seconds = false): string {
  if (!seconds) return String(ms);
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))} s`;
}

/**
 * One line summarising a trace's options, e.g. `interval 100 ms · threshold 2 · delay 30 ms`.
 *
 * @example
 * optionsSummary({ intervalMs: 100, failureThreshold: 2, initialDelayMs: 30, requestTimeoutMs: 50, successStatusCode: 200, known: true });
 */
export function optionsSummary(
  o: {
    intervalMs: number | undefined;
    initialDelayMs: number | undefined;
    requestTimeoutMs: number | undefined;
    failureThreshold: number;
    successStatusCode: number;
    known: boolean;
  },
  separator = ' · ',
): string {
  const parts: string[] = [];
  if (o.intervalMs !== undefined) parts.push(`interval ${o.intervalMs} ms`);
  if (o.known) parts.push(`threshold ${o.failureThreshold}`);
  if (o.initialDelayMs !== undefined) parts.push(`delay ${o.initialDelayMs} ms`);
  if (o.requestTimeoutMs !== undefined) parts.push(`timeout ${o.requestTimeoutMs} ms`);
  if (o.known && o.successStatusCode !== 200) parts.push(`success ${o.successStatusCode}`);
  return parts.join(separator);
}
