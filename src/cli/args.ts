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
