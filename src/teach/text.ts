/** ANSI styles the text renderers use (only when asked for colour). */
export type Style = 'green' | 'red' | 'yellow' | 'magenta' | 'cyan' | 'blue' | 'dim' | 'bold';

const SGR: Record<Style, number> = {
  green: 32,
  red: 31,
  yellow: 33,
  magenta: 35,
  cyan: 36,
  blue: 34,
  dim: 2,
  bold: 1,
};

/**
 * Wraps `text` in an ANSI style when `enabled`, else returns it untouched (CI logs stay plain).
 *
 * @example
 * paint('false', 'red', io.color);
 */
export function paint(text: string, style: Style | undefined, enabled: boolean): string {
  if (!enabled || style === undefined || text === '') return text;
  return `\u001b[${SGR[style]}m${text}\u001b[0m`;
}

/**
 * The width of plain text in terminal columns: one per code point (every glyph the renderers
 * use is a single-column one).
 *
 * @example
 * columns('503 ≠ 200'); // 9
 */
export function columns(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Pads plain text to `width` columns, on the right (or the left for `align: 'right'`).
 *
 * @example
 * pad('42', 5, 'right'); // '   42'
 */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - columns(text)));
  return align === 'left' ? text + fill : fill + text;
}

/**
 * Cuts plain text to at most `width` columns, ending with `…` when it had to cut.
 *
 * @example
 * truncate('error:ECONNABORTED', 8); // 'error:E…'
 */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Word-wraps plain text to lines of at most `width` columns (a word longer than that is cut).
 *
 * @example
 * wrap('503 ≠ 200 → failure 2 of 2 → emit false', 20);
 * // ['503 ≠ 200 → failure', '2 of 2 → emit false']
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (columns(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = columns(word) <= width ? word : truncate(word, width);
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Wraps at `separator` where possible (keeping "600 ms" together), else at spaces.
 *
 * @example
 * wrapAt('interval 100 ms · threshold 2', ' · ', 20); // ['interval 100 ms', 'threshold 2']
 */
export function wrapAt(text: string, separator: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(separator)) {
    const candidate = line === '' ? part : `${line}${separator}${part}`;
    if (columns(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    const pieces = wrap(part, width);
    line = pieces.pop() ?? '';
    lines.push(...pieces);
  }
  if (line !== '') lines.push(line);
  return lines;
}
