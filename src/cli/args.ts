import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ProbekitError } from '../errors.js';
import { parseDuration } from '../time/duration.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with errors turned into `ERR_PROBEKIT_USAGE` that name the command,
 * so every command reports bad flags the same way (exit code 2).
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = true,
): { values: Record<keyof O, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals, strict: true });
    return parsed as unknown as {
      values: Record<keyof O, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read the arguments of "probekit ${command}": ${reason}. See "probekit ${command} --help".`,
    );
  }
}

/** Parses a duration flag (`--interval 5s`), naming the flag on error. */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value, `--${flag}`);
  } catch (error) {
    throw new ProbekitError('ERR_PROBEKIT_USAGE', (error as Error).message);
  }
}

/** Parses an integer flag (`--threshold 3`), naming the flag on error. */
export function integerFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) {
    throw new ProbekitError(
      'ERR_PROBEKIT_USAGE',
      `Failed to read --${flag} ${JSON.stringify(value)}: it is not a whole number. Write it like --${flag} 3.`,
    );
  }
  return Number(value);
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
