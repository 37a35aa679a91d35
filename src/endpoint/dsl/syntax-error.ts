import { ProbekitError } from '../../errors.js';

/** Where a problem is in the script text (1-based line and column). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Finds the 1-based line and column of `offset` in `source`.
 *
 * @example
 * positionOf('200,\n503*', 9); // { offset: 9, line: 2, column: 5 }
 */
export function positionOf(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * A script that does not parse. `code` is `ERR_PROBEKIT_INVALID_SCRIPT`; the message names the
 * column, what was expected, what was found and a hint, and {@link ScriptSyntaxError.excerpt}
 * shows the line with a caret under the problem.
 *
 * @example
 * try { parseScript('200*') } catch (e) { if (e instanceof ScriptSyntaxError) console.error(e.excerpt) }
 */
export class ScriptSyntaxError extends ProbekitError {
  readonly line: number;
  readonly column: number;
  /** What the parser wanted at that point (e.g. `a repeat count`), if it wanted something. */
  readonly expected: string | undefined;
  /** What it found there (e.g. `","` or `the end of the script`). */
  readonly found: string | undefined;
  readonly hint: string;
  /** The offending line with a `^` under the column. */
  readonly excerpt: string;

  constructor(
    source: string,
    offset: number,
    detail: { reason: string; hint: string; expected?: string; found?: string },
  ) {
    const where = positionOf(source, offset);
    const at = where.line > 1 ? `line ${where.line}, column ${where.column}` : `column ${where.column}`;
    super(
      'ERR_PROBEKIT_INVALID_SCRIPT',
      `Failed to parse the endpoint script at ${at}: ${detail.reason}. ${detail.hint.replace(/\.$/, '')}.`,
    );
    this.name = 'ScriptSyntaxError';
    this.line = where.line;
    this.column = where.column;
    this.expected = detail.expected;
    this.found = detail.found;
    this.hint = detail.hint;
    const text = source.split('\n')[where.line - 1] ?? '';
    this.excerpt = `  ${text}\n  ${' '.repeat(where.column - 1)}^`;
  }
}
