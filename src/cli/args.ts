import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ProbekitError } from '../errors.js';
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from '../time/duration.js';
import { nearest } from './suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The longest duration any flag takes (2^31−1 ms): the same cap as parseDuration's. */
export { MAX_DURATION_MS };

/** A value that reads as a negative number (`-1`, `-0.5s`): a bad value, not a missing one. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Reads a command's flags with `node:util` parseArgs (lenient, as tokens) and then judges every
 * token itself, so each mistake gets its own message naming the flag: an unknown flag (with the
 * nearest known one), a missing value, a value given to a switch, a positional argument where
 * none is taken. A negative number after a flag (`--port -1`) is read as that flag's value, so
 * the flag's own check says what is wrong with it. Every error is `ERR_PROBEKIT_USAGE` (exit 2).
 *
 * @example
 * const { values, positionals } = parseCommandArgs('check', ['http://x', '--interval', '1s'], {
 *   interval: { type: 'string' },
 * });
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = true,
): { values: Record<keyof O, string | boolean | undefined>; positionals: string[] } {
  const see = `See "probekit ${command} --help".`;
  let tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>;
  try {
    tokens = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true }).tokens;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(`Failed to read the arguments of "probekit ${command}": ${reason}. ${see}`);
  }
  const values: Record<string, string | boolean | undefined> = Object.create(null);
  const positionals: string[] = [];
  const known = Object.keys(options);
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!allowPositionals) {
        throw usageError(
          `Failed to read the arguments of "probekit ${command}": it takes no argument without a flag, got ${JSON.stringify(token.value)}. ${see}`,
        );
      }
      positionals.push(token.value);
      continue;
    }
    const flag = token.rawName;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) throw unknownFlag(command, flag, known);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw usageError(
          `Failed to read ${flag}=${token.value}: ${flag} is a switch and takes no value. Write ${flag} alone.`,
        );
      }
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined) {
      // A lenient parse leaves a string flag without a value only when it is the last argument.
      throw missingValue(command, flag, undefined);
    }
    // The lenient parse took the next argument whatever it was: a flag there means the value
    // is missing (`--out --format svg`).
    if (!token.inlineValue && value.startsWith('-') && !NEGATIVE_NUMBER.test(value)) {
      throw missingValue(command, flag, value);
    }
    values[token.name] = value;
  }
  return {
    values: values as Record<keyof O, string | boolean | undefined>,
    positionals,
  };
}

function unknownFlag(command: string, flag: string, known: readonly string[]): ProbekitError {
  const bare = flag.replace(/^-+/, '').split('=')[0] as string;
  const guess = nearest(bare, known);
  const hint = guess
    ? `Did you mean --${guess}? See "probekit ${command} --help".`
    : `Its flags are ${known.map((name) => `--${name}`).join(', ')}, and --help.`;
  return usageError(`Failed to read ${flag}: "probekit ${command}" has no such flag. ${hint}`);
}

/** `next`: the argument after the flag, when that is a flag of its own rather than a value. */
function missingValue(command: string, flag: string, next: string | undefined): ProbekitError {
  const reason =
    next === undefined
      ? 'it needs a value'
      : `it needs a value, but the next argument is ${JSON.stringify(next)}`;
  return usageError(
    `Failed to read ${flag}: ${reason}. Write it like ${flag} <value> (or ${flag}=<value> for a value that starts with "-"); see "probekit ${command} --help".`,
  );
}

/** A bare number (`150`, `1.5`): milliseconds, as in the endpoint DSL and `--tolerance`. */
const BARE_MS = /^(\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Parses a duration flag: Go-style (`5s`, `150ms`, `1m30s`) or a bare number of milliseconds
 * (`150`), at most {@link MAX_DURATION_MS}, naming the flag on error.
 *
 * @example
 * durationFlag('interval', '1m30s'); // 90000
 * durationFlag('interval', '250'); // 250
 */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (BARE_MS.test(text)) {
    ms = Number(text);
  } else {
    try {
      ms = parseDuration(value, `--${flag}`);
    } catch (error) {
      throw new ProbekitError('ERR_PROBEKIT_USAGE', (error as Error).message, { cause: error });
    }
  }
  if (!(ms <= MAX_DURATION_MS)) {
    throw usageError(
      `Failed to read --${flag} ${JSON.stringify(value)}: it is ${ms} ms, longer than the longest timer, ${MAX_DURATION_TEXT}. Use at most 596h (${MAX_DURATION_MS} ms).`,
    );
  }
  return ms;
}

/**
 * Parses an integer flag (`--threshold 3`), naming the flag on error.
 *
 * @example
 * integerFlag('threshold', '3'); // 3
 */
export function integerFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --${flag} ${JSON.stringify(value)}: it is not a whole number. Write it like --${flag} 3.`,
    );
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw usageError(
      `Failed to read --${flag} ${JSON.stringify(value)}: it is too large to be exact. Use a number of at most ${Number.MAX_SAFE_INTEGER}.`,
    );
  }
  return number;
}

/**
 * Parses an integer flag that must lie in `[min, max]` (`--port 8080`), naming the flag, the
 * value and the range on error.
 *
 * @example
 * rangeFlag('port', '8080', 0, 65535, '0: any free port'); // 8080
 */
export function rangeFlag(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
  note?: string,
): number | undefined {
  const number = integerFlag(flag, value);
  if (number !== undefined && (number < min || number > max)) {
    throw usageError(
      `Failed to read --${flag} ${JSON.stringify(value)}: it is not from ${min} to ${max}. Use a whole number from ${min} to ${max}${note ? ` (${note})` : ''}.`,
    );
  }
  return number;
}

/** A usage error (exit code 2) with the given message. */
export function usageError(message: string): ProbekitError {
  return new ProbekitError('ERR_PROBEKIT_USAGE', message);
}

/** Parses a comma-separated flag (`--only a,b`); a flag that names nothing is an error. */
export function listFlag(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) {
    throw usageError(
      `Failed to read --${flag} ${JSON.stringify(value)}: it names nothing. Write it like --${flag} a,b.`,
    );
  }
  return items;
}

/**
 * Parses `--level a,b` against the allowed levels, naming the ones that are not (`of` says whose
 * levels they are, e.g. "of the server suite").
 */
export function levelsFlag<L extends string>(
  value: string | undefined,
  allowed: readonly L[],
  of = '',
): L[] | undefined {
  const items = listFlag('level', value);
  if (!items) return undefined;
  const unknown = items.filter((item) => !allowed.includes(item as L));
  if (unknown.length) {
    const names = unknown.map((u) => JSON.stringify(u)).join(', ');
    const verdict = unknown.length === 1 ? 'is not a level' : 'are not levels';
    throw usageError(
      `Failed to read --level ${JSON.stringify(value)}: ${names} ${verdict}${of ? ` ${of}` : ''}. Use ${allowed.join(', ')}.`,
    );
  }
  return items as L[];
}

/** Checks `--reporter` against the reporters there are (default `human`). */
export function reporterFlag<R extends string>(
  value: string | undefined,
  reporters: Readonly<Record<R, unknown>>,
): R {
  const name = value ?? 'human';
  if (!Object.hasOwn(reporters, name)) {
    throw usageError(
      `Failed to read --reporter ${JSON.stringify(name)}: there is no such reporter. Use one of ${Object.keys(reporters).join(', ')}.`,
    );
  }
  return name as R;
}
