// Small statistics for benchmark samples: median and spread, nothing clever.

/**
 * Median of a list of numbers (mean of the two middle values for an even count).
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Median, minimum and maximum of a list of numbers.
 * @param {number[]} values
 * @returns {{ median: number, min: number, max: number }}
 */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Formats a spread as `median (min–max)` with a fixed number of digits.
 * @param {{ median: number, min: number, max: number }} s
 * @param {number} [digits]
 */
export function formatSpread(s, digits = 0) {
  const f = (n) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
