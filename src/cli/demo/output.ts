import type { Writable } from 'node:stream';
import { columns, pad, paint, type Style, wrap } from '../../teach/text.js';

/** Columns of the time field in live rows (`99999` ms fits; a longer run just shifts the row). */
const MS = 5;
/** Columns of the probe field (`#12`). */
const PROBE = 3;
/** Columns of the signal field (`false`, `signal`). */
const SIGNAL = 6;
/** Where the reason starts in a live row. */
const REASON_AT = MS + 2 + PROBE + 1 + SIGNAL + 1;
/** Where the text of a note starts. */
const NOTE_AT = MS + 2;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** One live row: a probe's outcome as it happens. */
export interface LiveRow {
  readonly ms: number;
  /** `#3`, or empty for rows that are not a probe. */
  readonly probe: string;
  /** The value the loop emitted, if any. */
  readonly signal?: boolean;
  /** Why, citing the rule: the head (up to the first `→`) is painted in `headStyle`. */
  readonly why: string;
  readonly headStyle?: Style;
}

/**
 * The demo's printer: every line fits `width` columns (80 by default, so it reads the same in a
 * terminal and in a CI log), and colour is used only when enabled.
 *
 * @example
 * const out = new DemoOutput(process.stdout, { color: false });
 * out.heading(1, 3, 'A flaky endpoint, probed live');
 */
export class DemoOutput {
  readonly color: boolean;
  readonly width: number;
  readonly #stream: Writable;
  readonly #onError: (error: Error) => void;
  #broken: Error | undefined;

  /**
   * `onBroken` hears once when the stream fails (`probekit demo | head` closes the pipe): the
   * printer then drops every later line instead of crashing the process with EPIPE.
   */
  constructor(
    stream: Writable,
    { color, width = 80, onBroken }: { color: boolean; width?: number; onBroken?: (error: Error) => void },
  ) {
    this.#stream = stream;
    this.color = color;
    this.width = width;
    this.#onError = (error) => {
      if (this.#broken) return;
      this.#broken = error;
      onBroken?.(error);
    };
    stream.on('error', this.#onError);
  }

  /** The error that broke the stream, if it broke. */
  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Stops listening to the stream (the printer itself holds nothing else). */
  dispose(): void {
    this.#stream.off('error', this.#onError);
  }

  /** `text` in `style` when colour is on. */
  paint(text: string, style: Style | undefined): string {
    return paint(text, style, this.color);
  }

  /** `true` in green, `false` in red. */
  value(value: boolean): string {
    return this.paint(String(value), value ? 'green' : 'red');
  }

  /**
   * Writes one line. A line wider than the page (a long URL, a very late run) is wrapped, plain,
   * under its own indentation, rather than overflow a CI log.
   */
  line(text = ''): void {
    if (this.#broken) return;
    if (visibleColumns(text) <= this.width) {
      this.#stream.write(`${text}\n`);
      return;
    }
    const plain = text.replace(ANSI, '');
    const indent = plain.length - plain.trimStart().length;
    const lines = wrap(plain.trimStart(), this.width - indent - 2);
    const [first, ...rest] = lines;
    let wrapped = `${' '.repeat(indent)}${first}\n`;
    for (const more of rest) wrapped += `${' '.repeat(indent + 2)}${more}\n`;
    this.#stream.write(wrapped);
  }

  /** A section heading: `── 1/3 · title ────…`, the width of the page. */
  heading(index: number, total: number, title: string): void {
    this.rule(`${index}/${total} · ${title}`);
  }

  /** A blank line, then `── text ────…` the width of the page. */
  rule(text: string): void {
    const head = `── ${text} `;
    this.line();
    this.line(this.paint(head + '─'.repeat(Math.max(3, this.width - columns(head))), 'bold'));
  }

  /** A `label  text` pair, the text wrapped under itself. */
  field(label: string, text: string, labelWidth = 9): void {
    const lines = wrap(text, this.width - labelWidth);
    lines.forEach((part, i) => {
      const head =
        i === 0 && label !== '' ? this.paint(pad(label, labelWidth), 'dim') : ' '.repeat(labelWidth);
      this.line(`${head}${part}`);
    });
  }

  /** The header of the live rows. */
  rowHeader(): void {
    this.line(
      this.paint(
        `${pad('ms', MS, 'right')}  ${pad('#', PROBE)} ${pad('signal', SIGNAL)} why (the rule)`,
        'dim',
      ),
    );
  }

  /** One live row; a long reason wraps under itself. */
  row(row: LiveRow): void {
    const ms = pad(String(row.ms), MS, 'right');
    const probe = pad(row.probe, PROBE);
    const signal =
      row.signal === undefined
        ? ' '.repeat(SIGNAL)
        : this.value(row.signal) + ' '.repeat(SIGNAL - String(row.signal).length);
    const lines = wrap(row.why, this.width - REASON_AT);
    lines.forEach((part, i) => {
      const why = i === 0 ? this.#paintHead(part, row.headStyle) : part;
      this.line(i === 0 ? `${ms}  ${probe} ${signal} ${why}` : `${' '.repeat(REASON_AT)}${why}`);
    });
  }

  /** A line at a time that is not a probe (a flip, a notice, a log line). */
  note(ms: number | undefined, text: string, style?: Style): void {
    const at = ms === undefined ? ' '.repeat(MS) : pad(String(ms), MS, 'right');
    wrap(text, this.width - NOTE_AT).forEach((part, i) => {
      this.line(`${i === 0 ? at : ' '.repeat(MS)}  ${this.paint(part, style)}`);
    });
  }

  /** Several lines at once (a rendered timeline), each kept within the page. */
  block(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) this.line(line);
  }

  #paintHead(text: string, style: Style | undefined): string {
    const cut = text.indexOf(' → ');
    if (cut === -1) return this.paint(text, style);
    return this.paint(text.slice(0, cut), style) + text.slice(cut);
  }
}

/**
 * Columns a line takes on screen: its text without ANSI escapes, one column per code point.
 *
 * @example
 * visibleColumns('\u001b[32mtrue\u001b[0m'); // 4
 */
export function visibleColumns(line: string): number {
  return columns(line.replace(ANSI, ''));
}
