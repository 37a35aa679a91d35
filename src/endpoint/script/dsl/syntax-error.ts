import { ProbekitError } from '../../../errors.js';

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

/** Longest piece of the script an error quotes, either side of the column. */
const EXCERPT_SIDE = 60;
/** Longest reason, hint or `found` text an error carries (they may quote the script). */
const MAX_DETAIL = 240;

/**
 * Shortens `text` to `max` characters, keeping both ends around an ellipsis.
 *
 * @example
 * clip('a'.repeat(1000), 20); // 'aaaaaaaaa…aaaaaaaaaa'
 */
export function clip(text: string, max = MAX_DETAIL): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/**
 * The line holding `where`, cut to a window around its column, and the caret under it.
 * A window keeps an error about a megabyte-long line short.
 */
function excerptOf(source: string, where: SourcePosition): string {
  const lineStart = where.offset - (where.column - 1);
  const newline = source.indexOf('\n', lineStart);
  const lineEnd = newline === -1 ? source.length : newline;
  const from = Math.max(lineStart, where.offset - EXCERPT_SIDE);
  const to = Math.min(lineEnd, where.offset + EXCERPT_SIDE);
  const before = from > lineStart ? '…' : '';
  const after = to < lineEnd ? '…' : '';
  const text = `${before}${source.slice(from, to)}${after}`;
  return `  ${text}\n  ${' '.repeat(before.length + where.offset - from)}^`;
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
    const hint = clip(detail.hint);
    super(
      'ERR_PROBEKIT_INVALID_SCRIPT',
      `Failed to parse the endpoint script at ${at}: ${clip(detail.reason)}. ${hint.replace(/\.$/, '')}.`,
    );
    this.name = 'ScriptSyntaxError';
    this.line = where.line;
    this.column = where.column;
    this.expected = detail.expected;
    this.found = detail.found === undefined ? undefined : clip(detail.found);
    this.hint = hint;
    this.excerpt = excerptOf(source, where);
  }
}
