import { describeValue, ProbekitError } from '../errors.js';

/**
 * The longest wait probekit accepts, in ms: 2^31−1 (about 24.8 days), the largest delay Node's
 * and the browsers' `setTimeout` honour. Longer ones are not slow timers: Node fires them after
 * 1 ms (with a `TimeoutOverflowWarning`), so a checker with a longer interval would probe in a
 * busy loop. Every duration option, `parseDuration`, the endpoint DSL and the scenario schema
 * stop here.
 *
 * @example
 * if (ms > MAX_DURATION_MS) throw new RangeError(`${ms} ms is too long for a timer`);
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** The limit as people read it, for error messages. */
export const MAX_DURATION_TEXT = `${MAX_DURATION_MS} ms (about 24.8 days)`;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a Go-style duration (`"5s"`, `"150ms"`, `"1m30s"`, `"1.5s"`) into milliseconds.
 * A bare `"0"` is accepted, as in Go; any other number needs a unit. Durations longer than
 * {@link MAX_DURATION_MS} are refused (Node would fire such a timer at once).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_DURATION`, naming the input and the position,
 * or the limit for a duration that is too long.
 * @example
 * parseDuration('1m30s'); // 90000
 */
export function parseDuration(input: string, what = 'duration'): number {
  const fail = (reason: string, hint: string): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_DURATION',
      `Failed to parse ${what} ${describeValue(input)}: ${reason}. ${hint}.`,
    );
  };
  if (typeof input !== 'string') return fail('it is not a string', 'Write it like "5s" or "150ms"');
  const text = input.trim();
  if (text === '0') return 0;
  if (text === '') return fail('it is empty', 'Write it like "5s" or "150ms"');
  if (text.startsWith('-')) return fail('it is negative', 'Durations here must be zero or more');
  let total = 0;
  let position = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (!match) {
      const rest = text.slice(position);
      if (/^\d+(\.\d*)?$/.test(rest)) {
        return fail(`the number ${rest} has no unit`, `Add a unit, e.g. "${rest}ms" or "${rest}s"`);
      }
      const number = /^(\d+(?:\.\d*)?|\.\d+)/.exec(rest)?.[0] ?? '';
      const column = position + number.length + 1;
      return fail(
        `unexpected ${describeValue(text.slice(column - 1))} at column ${column}`,
        number
          ? 'Expected a unit right after the number: h, m, s, ms, us or ns (e.g. "1m30s")'
          : 'Use a number followed by one of the units h, m, s, ms, us, ns (e.g. "1m30s")',
      );
    }
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    position = PART.lastIndex;
  }
  if (total > MAX_DURATION_MS) {
    return fail(
      `it is ${total} ms, longer than the longest timer, ${MAX_DURATION_TEXT}`,
      `Use at most ${formatDuration(MAX_DURATION_MS)}, e.g. "596h"`,
    );
  }
  return total;
}

/** Formats milliseconds the way {@link parseDuration} reads them (`1500` → `"1.5s"`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && Number.isInteger(ms)) return `${ms / 1000}s`;
  return `${ms}ms`;
}
