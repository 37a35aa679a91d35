import type { Trace } from '../scenario/types.js';
import { requestsNote } from './explain-reasons.js';
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
  /** The Dapr profile that produced the trace (`dapr-1.1`, …): its defaults and rules. */
  profile?: string;
}

/** Overlapping probes get their own rows, up to this many (later ones share the last). */
const MAX_PROBE_ROWS = 4;

/** The characters a text timeline draws with. */
export interface Glyphs {
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

/** Columns of the lane labels on the left. */
export const LABEL = 9;

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
  const g = glyphsFor(options.charset);
  const t = buildTimeline(trace, { profile: options.profile });
  const { msPerColumn, used } = asciiScale(t.durationMs, width - LABEL);

  const out: string[] = [];
  const heading = t.profile ? `${t.profile.name} (${t.profile.versions})` : (t.source ?? 'timeline');
  const title = [heading, optionsSummary(t.options, g.sep)].filter(Boolean).join(g.sep);
  const plainTitle = options.charset === 'ascii' ? toAscii(title) : title;
  for (const line of wrapAt(plainTitle, g.sep, width)) out.push(paint(line, 'bold', color));
  out.push(truncate(`scale: 1 column = ${msPerColumn} ms${g.sep}0${g.range}${t.durationMs} ms`, width));
  out.push('');
  out.push(...axis(used, msPerColumn, g, width - LABEL));
  out.push(...asciiLanes(t, used, msPerColumn, g, color));
  out.push('');
  out.push(...summary(t, g, width));
  out.push(...legend([t], g, width));
  return `${out.join('\n')}\n`;
}

/** The glyphs of a charset. */
export function glyphsFor(charset: 'unicode' | 'ascii' | undefined): Glyphs {
  return charset === 'ascii' ? ASCII : UNICODE;
}

/**
 * One timeline's lanes (loop, ticks, probes — one row per overlapping probe —, count,
 * signals) on a scale of `msPerColumn`, each line starting with its label.
 */
export function asciiLanes(
  t: Timeline,
  used: number,
  msPerColumn: number,
  g: Glyphs,
  color: boolean,
): string[] {
  const col = (ms: number) => Math.min(used - 1, Math.floor(ms / msPerColumn));
  const rows = Math.min(MAX_PROBE_ROWS, t.probeRows ?? 1);
  const lanes: Array<[string, Lane]> = [
    ['loop', loopLane(t, used, msPerColumn, g)],
    ['ticks', tickLane(t, used, col, g)],
    ...Array.from(
      { length: rows },
      (_, row) => [row === 0 ? 'probes' : '', probeLane(t, used, col, g, row, rows)] as [string, Lane],
    ),
    ['count', counterLane(t, used, col)],
    ['signals', signalLane(t, used, col, g)],
  ];
  return lanes.map(([name, lane]) => `${name.padEnd(LABEL)}${lane.render(color)}`.trimEnd());
}

/** The time ruler: labels every 10 columns over an axis line. */
export function axis(used: number, msPerColumn: number, g: Glyphs, room: number): string[] {
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

function probeLane(
  t: Timeline,
  used: number,
  col: (ms: number) => number,
  g: Glyphs,
  row: number,
  rows: number,
): Lane {
  const lane = new Lane(used);
  const probes = t.probes.filter((p) => Math.min(rows - 1, p.row ?? 0) === row);
  for (const p of probes) {
    const end = p.end ?? (p.class === 'inflight' ? t.durationMs : p.start);
    if (col(end) > col(p.start)) lane.fill(col(p.start) + 1, col(end), g.running, PROBE_STYLE[p.class]);
  }
  const best = new Map<number, number>();
  for (const p of probes) {
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
    // One column per count: a negative count (v1.10.5 with a threshold ≤ 0 stores n−1) is '-'.
    lane.set(col(p.end), n > 9 ? '+' : n < 0 ? '-' : String(n), n < 0 ? 'red' : style);
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

/** The facts under a timeline: probes by outcome, ticks, blocked periods, requests, signals. */
export function summary(t: Timeline, g: Glyphs, width: number): string[] {
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
  if ((t.probeRows ?? 1) > 1) facts.push(`probes overlap (${t.probeRows} at once)`);
  lines.push(...wrap(facts.join(g.sep), width));
  for (const p of t.probes) {
    const note = requestsNote(p, t);
    if (note) lines.push(truncate(`probe #${p.number} at ${p.start}: ${note}`, width));
  }

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

/** The legend for one or more timelines: only the marks they show. */
export function legend(timelines: readonly Timeline[], g: Glyphs, width: number): string[] {
  const any = (f: (t: Timeline) => boolean) => timelines.some(f);
  const has = (cls: ProbeClass) => any((t) => t.probes.some((p) => p.class === cls));
  // Only what the picture shows, so a CI log stays short.
  const items = [
    [any((t) => (t.delayEnd ?? 0) > 0), `${g.delay} initial delay`],
    [any((t) => t.blocked.length > 0), `${g.blocked} blocked`],
    [any((t) => (t.ticks?.delivered.length ?? 0) > 0), `${g.tick} tick`],
    [any((t) => (t.ticks?.dropped.length ?? 0) > 0), `${g.dropped} dropped tick`],
    ...(['success', 'failure', 'timeout', 'error', 'inflight', 'unknown'] as const).map(
      (cls) => [has(cls), `${g.probe[cls]} ${PROBE_CLASS_LABEL[cls]}`] as const,
    ),
    [any((t) => t.probes.some((p) => (p.end ?? t.durationMs) > p.start)), `${g.running} probe running`],
    [any((t) => t.probes.some((p) => p.failureCount !== undefined)), '0-9 failures in a row'],
    [any((t) => t.probes.some((p) => (p.failureCount ?? 0) < 0)), '- negative count'],
    [any((t) => t.emissions.some((e) => e.value)), `${g.signalTrue} true`],
    [any((t) => t.emissions.some((e) => !e.value)), `${g.signalFalse} false`],
    [any((t) => t.emissions.some((e) => e.deliveredAt !== e.at)), `${g.unread} unread`],
    [
      any((t) => t.emissions.some((e) => e.deliveredAt !== undefined && e.deliveredAt !== e.at)),
      `${g.read} read`,
    ],
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
export function toAscii(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 128 ? c : (ASCII_FOR[c] ?? '?'))).join('');
}
