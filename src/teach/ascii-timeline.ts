import type { Trace } from '../scenario/types.js';
import { niceStep, optionsSummary } from './scale.js';
import { columns, paint, type Style, truncate, wrap, wrapAt } from './text.js';
import { buildTimeline, PROBE_CLASS_LABEL, type ProbeClass, type Timeline } from './timeline-model.js';

/** Options of {@link renderAsciiTimeline}. */
export interface AsciiTimelineOptions {
  /** Columns to fit (default 80, at least 40). */
  width?: number;
  /** ANSI colours (default false: plain text for CI logs and `NO_COLOR`). */
  color?: boolean;
  /** `unicode` (default) draws with box and block glyphs; `ascii` uses 7-bit characters only. */
  charset?: 'unicode' | 'ascii';
}

interface Glyphs {
  axis: string;
  axisMark: string;
  delay: string;
  blocked: string;
  tick: string;
  dropped: string;
  probe: Record<ProbeClass, string>;
  running: string;
  signalTrue: string;
  signalFalse: string;
  unread: string;
  read: string;
  /** Punctuation in the text around the chart. */
  sep: string;
  range: string;
  arrow: string;
}

const UNICODE: Glyphs = {
  axis: '─',
  axisMark: '┼',
  delay: '░',
  blocked: '▓',
  tick: '│',
  dropped: '×',
  probe: { success: '●', failure: '✕', timeout: 'T', error: '!', inflight: '…', unknown: '◆' },
  running: '─',
  signalTrue: '▲',
  signalFalse: '▼',
  unread: '·',
  read: '»',
  sep: ' · ',
  range: '–',
  arrow: '→',
};

const ASCII: Glyphs = {
  axis: '-',
  axisMark: '+',
  delay: '~',
  blocked: '#',
  tick: '|',
  dropped: 'x',
  probe: { success: 'o', failure: 'x', timeout: 'T', error: '!', inflight: '>', unknown: '*' },
  running: '-',
  signalTrue: '^',
  signalFalse: 'v',
  unread: '.',
  read: '>',
  sep: ' | ',
  range: '-',
  arrow: '->',
};

const PROBE_STYLE: Record<ProbeClass, Style | undefined> = {
  success: 'green',
  failure: 'red',
  timeout: 'yellow',
  error: 'magenta',
  inflight: 'dim',
  unknown: undefined,
};

// When probes share a column, the more alarming outcome wins: a failure must never hide.
const PROBE_PRIORITY: Record<ProbeClass, number> = {
  unknown: 0,
  inflight: 1,
  success: 2,
  error: 3,
  timeout: 4,
  failure: 5,
};

const LABEL = 9;

type Cell = { ch: string; style: Style | undefined };

class Lane {
  readonly cells: Cell[];
  constructor(width: number) {
    this.cells = Array.from({ length: width }, () => ({ ch: ' ', style: undefined }));
  }
  set(col: number, ch: string, style?: Style): void {
    const cell = this.cells[col];
    if (cell) {
      cell.ch = ch;
      cell.style = style;
    }
  }
  fill(from: number, to: number, ch: string, style?: Style): void {
    for (let c = Math.max(0, from); c <= Math.min(to, this.cells.length - 1); c++) this.set(c, ch, style);
  }
  render(color: boolean): string {
    let out = '';
    let run = '';
    let style: Style | undefined;
    for (const cell of this.cells) {
      if (cell.style !== style) {
        out += paint(run, style, color);
        run = '';
        style = cell.style;
      }
      run += cell.ch;
    }
    return (out + paint(run, style, color)).trimEnd();
  }
}

/**
 * The scale of a text timeline: ms per column (a 1-2-5 step), and the columns used for
 * `0 … durationMs`.
 *
 * @example
 * asciiScale(1000, 71); // { msPerColumn: 20, used: 51 }
 */
export function asciiScale(durationMs: number, chartColumns: number): { msPerColumn: number; used: number } {
  const msPerColumn = niceStep(Math.max(durationMs, 1) / Math.max(1, chartColumns - 1));
  let scale = msPerColumn;
  while (Math.floor(durationMs / scale) + 1 > chartColumns) scale = niceStep(scale + 1);
  return { msPerColumn: scale, used: Math.floor(durationMs / scale) + 1 };
}

/**
 * A trace as a text timeline that fits `width` columns (80 by default): lanes for the loop
 * (initial delay, blocked), ticks (dropped ones marked), probes with their outcome, the failure
 * count, and the signals (with when they were read), under a time axis, followed by the scale,
 * a summary and a legend. Long runs are scaled to fit and the scale is stated. Plain text
 * unless `color: true`.
 *
 * @example
 * console.log(renderAsciiTimeline(trace, { width: 80 }));
 */
export function renderAsciiTimeline(trace: Trace, options: AsciiTimelineOptions = {}): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const color = options.color ?? false;
  const g = options.charset === 'ascii' ? ASCII : UNICODE;
  const t = buildTimeline(trace);
  const chartColumns = width - LABEL;
  const { msPerColumn, used } = asciiScale(t.durationMs, chartColumns);
  const col = (ms: number) => Math.min(used - 1, Math.floor(ms / msPerColumn));

  const out: string[] = [];
  const title = [t.source ?? 'timeline', optionsSummary(t.options, g.sep)].filter(Boolean).join(g.sep);
  const plainTitle = options.charset === 'ascii' ? toAscii(title) : title;
  for (const line of wrapAt(plainTitle, g.sep, width)) out.push(paint(line, 'bold', color));
  out.push(truncate(`scale: 1 column = ${msPerColumn} ms${g.sep}0${g.range}${t.durationMs} ms`, width));
  out.push('');
  out.push(...axis(used, msPerColumn, g, width - LABEL));
  const lanes: Array<[string, Lane]> = [
    ['loop', loopLane(t, used, msPerColumn, g)],
    ['ticks', tickLane(t, used, col, g)],
    ['probes', probeLane(t, used, col, g)],
    ['count', counterLane(t, used, col)],
    ['signals', signalLane(t, used, col, g)],
  ];
  for (const [name, lane] of lanes) out.push(`${name.padEnd(LABEL)}${lane.render(color)}`.trimEnd());
  out.push('');
  out.push(...summary(t, g, width));
  out.push(...legend(t, g, width));
  return `${out.join('\n')}\n`;
}

function axis(used: number, msPerColumn: number, g: Glyphs, room: number): string[] {
  const labels = ' '.repeat(room).split('');
  const line = g.axis.repeat(used).split('');
  for (let c = 0; c < used; c += 10) {
    const text = String(c * msPerColumn);
    line[c] = g.axisMark;
    if (c + text.length > room) continue;
    for (let i = 0; i < text.length; i++) labels[c + i] = text[i] as string;
  }
  return [`${'ms'.padEnd(LABEL)}${labels.join('').trimEnd()}`, `${' '.repeat(LABEL)}${line.join('')}`];
}

function loopLane(t: Timeline, used: number, msPerColumn: number, g: Glyphs): Lane {
  const lane = new Lane(used);
  const col = (ms: number) => Math.min(used - 1, Math.floor(ms / msPerColumn));
  // Periods are half-open [from, to): the column where one ends belongs to what comes next.
  const last = (to: number) => Math.min(used - 1, Math.ceil(to / msPerColumn) - 1);
  if (t.delayEnd !== undefined && t.delayEnd > 0) lane.fill(0, last(t.delayEnd), g.delay, 'dim');
  for (const b of t.blocked) {
    lane.fill(
      col(b.from),
      b.to === undefined ? used - 1 : Math.max(col(b.from), last(b.to)),
      g.blocked,
      'yellow',
    );
  }
  return lane;
}

function tickLane(t: Timeline, used: number, col: (ms: number) => number, g: Glyphs): Lane {
  const lane = new Lane(used);
  for (const due of t.ticks?.delivered ?? []) lane.set(col(due), g.tick);
  for (const due of t.ticks?.dropped ?? []) lane.set(col(due), g.dropped, 'dim');
  return lane;
}

function probeLane(t: Timeline, used: number, col: (ms: number) => number, g: Glyphs): Lane {
  const lane = new Lane(used);
  for (const p of t.probes) {
    const end = p.end ?? (p.class === 'inflight' ? t.durationMs : p.start);
    if (col(end) > col(p.start)) lane.fill(col(p.start) + 1, col(end), g.running, PROBE_STYLE[p.class]);
  }
  const best = new Map<number, number>();
  for (const p of t.probes) {
    const c = col(p.start);
    const priority = PROBE_PRIORITY[p.class];
    if ((best.get(c) ?? -1) > priority) continue;
    best.set(c, priority);
    lane.set(c, g.probe[p.class], PROBE_STYLE[p.class]);
  }
  return lane;
}

function counterLane(t: Timeline, used: number, col: (ms: number) => number): Lane {
  const lane = new Lane(used);
  const threshold = t.options.failureThreshold;
  for (const p of t.probes) {
    if (p.failureCount === undefined || p.end === undefined) continue;
    const n = p.failureCount;
    const style: Style | undefined = n === 0 ? 'dim' : threshold > 0 && n >= threshold ? 'red' : 'yellow';
    lane.set(col(p.end), n > 9 ? '+' : String(n), style);
  }
  return lane;
}

function signalLane(t: Timeline, used: number, col: (ms: number) => number, g: Glyphs): Lane {
  const lane = new Lane(used);
  for (const e of t.emissions) {
    const until = e.deliveredAt ?? t.durationMs;
    if (col(until) > col(e.at) + 1) lane.fill(col(e.at) + 1, col(until) - 1, g.unread, 'dim');
  }
  for (const e of t.emissions) {
    if (e.deliveredAt !== undefined && col(e.deliveredAt) > col(e.at)) lane.set(col(e.deliveredAt), g.read);
    else if (e.deliveredAt === undefined && col(t.durationMs) > col(e.at)) {
      lane.set(col(t.durationMs), g.unread, 'dim');
    }
  }
  // false after true: where both share a column, the false one shows.
  for (const value of [true, false]) {
    for (const e of t.emissions) {
      if (e.value !== value) continue;
      lane.set(col(e.at), value ? g.signalTrue : g.signalFalse, value ? 'green' : 'red');
    }
  }
  return lane;
}

function summary(t: Timeline, g: Glyphs, width: number): string[] {
  const lines: string[] = [];
  const counts = new Map<ProbeClass, number>();
  for (const p of t.probes) counts.set(p.class, (counts.get(p.class) ?? 0) + 1);
  const probeParts = [...counts].map(([cls, n]) => `${n} ${PROBE_CLASS_LABEL[cls]}`);
  const facts = [`probes ${t.probes.length}${probeParts.length ? ` (${probeParts.join(', ')})` : ''}`];
  if (t.ticks) facts.push(`ticks ${t.ticks.delivered.length}, dropped ${t.ticks.dropped.length}`);
  for (const b of t.blocked) {
    facts.push(
      b.to === undefined ? `blocked from ${b.from} to the end` : `blocked ${b.from}${g.range}${b.to}`,
    );
  }
  lines.push(...wrap(facts.join(g.sep), width));

  const shown = t.emissions.map((e) => {
    const read =
      e.deliveredAt === undefined
        ? ' unread'
        : e.deliveredAt !== e.at
          ? `${g.arrow}read ${e.deliveredAt}`
          : '';
    return `${e.value}@${e.at}${read}`;
  });
  const text = shown.length ? `signals: ${shown.join(', ')}` : 'signals: none';
  const wrapped = wrap(text, width);
  if (wrapped.length > 3) {
    const kept = wrapped.slice(0, 3);
    kept[2] = truncate(`${kept[2]} … (${shown.length} in all)`, width);
    lines.push(...kept);
  } else {
    lines.push(...wrapped);
  }
  return lines;
}

function legend(t: Timeline, g: Glyphs, width: number): string[] {
  const has = (cls: ProbeClass) => t.probes.some((p) => p.class === cls);
  // Only what the picture shows, so a CI log stays short.
  const items = [
    [(t.delayEnd ?? 0) > 0, `${g.delay} initial delay`],
    [t.blocked.length > 0, `${g.blocked} blocked`],
    [(t.ticks?.delivered.length ?? 0) > 0, `${g.tick} tick`],
    [(t.ticks?.dropped.length ?? 0) > 0, `${g.dropped} dropped tick`],
    ...(['success', 'failure', 'timeout', 'error', 'inflight', 'unknown'] as const).map(
      (cls) => [has(cls), `${g.probe[cls]} ${PROBE_CLASS_LABEL[cls]}`] as const,
    ),
    [t.probes.some((p) => (p.end ?? t.durationMs) > p.start), `${g.running} probe running`],
    [t.probes.some((p) => p.failureCount !== undefined), '0-9 failures in a row'],
    [t.emissions.some((e) => e.value), `${g.signalTrue} true`],
    [t.emissions.some((e) => !e.value), `${g.signalFalse} false`],
    [t.emissions.some((e) => e.deliveredAt !== e.at), `${g.unread} unread`],
    [t.emissions.some((e) => e.deliveredAt !== undefined && e.deliveredAt !== e.at), `${g.read} read`],
  ]
    .filter(([shown]) => shown)
    .map(([, label]) => label as string);
  if (items.length === 0) return [];
  const lines: string[] = [];
  let line = 'legend:';
  for (const item of items) {
    if (columns(`${line}  ${item}`) > width) {
      lines.push(line);
      line = `       ${item}`;
    } else {
      line = `${line}  ${item}`;
    }
  }
  lines.push(line);
  return lines;
}

const ASCII_FOR: Record<string, string> = { '·': '|', '…': '...', '–': '-', '—': '-', '→': '->', '≠': '!=' };

/** Text from the trace (its source) in 7-bit characters, for the `ascii` charset. */
function toAscii(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 128 ? c : (ASCII_FOR[c] ?? '?'))).join('');
}
