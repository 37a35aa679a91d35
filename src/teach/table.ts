import type { Trace } from '../scenario/types.js';
import { explainEvent } from './explain-reasons.js';
import { columns, pad, paint, type Style, truncate, wrap } from './text.js';
import { buildTimeline, PROBE_CLASS_LABEL, type ProbeClass, type TimelineEvent } from './timeline-model.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Columns to fit; the reason column wraps. Default 80. */
  width?: number;
  /** ANSI colours for outcomes and signals. Default false (plain text for CI logs). */
  color?: boolean;
  /** The Dapr profile that produced the trace (`dapr-1.1`, …): its defaults and rules explain the rows. */
  profile?: string;
}

/** One row of the table, before layout. */
export interface TableRow {
  readonly at: number;
  readonly what: string;
  /** The failure count after a probe, on outcome rows. */
  readonly counter: string;
  /** `true` / `false` on rows about a signal. */
  readonly signal: string;
  readonly reason: string;
  readonly event: TimelineEvent;
}

const OUTCOME_STYLE: Record<ProbeClass, Style | undefined> = {
  success: 'green',
  failure: 'red',
  timeout: 'yellow',
  error: 'magenta',
  inflight: 'dim',
  unknown: undefined,
};

const WHAT_WIDTH = 14;

function whatOf(event: TimelineEvent): string {
  switch (event.kind) {
    case 'start':
      return 'start';
    case 'delay-end':
      return 'delay ends';
    case 'tick':
      return 'tick';
    case 'tick-dropped':
      return 'dropped tick';
    case 'probe-start':
      return `probe #${event.probe.number}`;
    case 'probe-end':
      return `#${event.probe.number} → ${event.probe.outcome ?? PROBE_CLASS_LABEL[event.probe.class]}`;
    case 'signal':
      return 'signal';
    case 'blocked':
      return 'blocked';
    case 'unblocked':
      return 'unblocked';
    case 'delivered':
      return 'delivered';
    case 'end':
      return 'end';
  }
}

function signalOf(event: TimelineEvent): string {
  if (event.kind === 'signal' || event.kind === 'delivered') return String(event.emission.value);
  if (event.kind === 'blocked' && event.value !== undefined) return String(event.value);
  return '';
}

/**
 * The rows of the explain table: one per event, in the order the loop lived them.
 *
 * @example
 * tableRows(trace).find((row) => row.what === '#3 → 503')?.reason;
 * // '503 ≠ 200 → failure 2 of 2 → emit false, once per streak'
 */
export function tableRows(trace: Trace, options: { profile?: string } = {}): TableRow[] {
  const timeline = buildTimeline(trace, { profile: options.profile });
  return timeline.events.map((event) => ({
    at: event.at,
    what: whatOf(event),
    counter:
      event.kind === 'probe-end' && event.probe.failureCount !== undefined
        ? String(event.probe.failureCount)
        : '',
    signal: signalOf(event),
    reason: explainEvent(event, timeline),
    event,
  }));
}

function styleOf(row: TableRow): Style | undefined {
  const e = row.event;
  if (e.kind === 'probe-end') return OUTCOME_STYLE[e.probe.class];
  if (e.kind === 'tick-dropped') return 'dim';
  if (e.kind === 'blocked' || e.kind === 'unblocked') return 'yellow';
  return undefined;
}

/**
 * A trace as a table: one row per event (time, what, failure count, signal, and a short reason
 * citing the rule), fitted to `width` columns by wrapping the reason.
 *
 * @example
 * console.log(renderTable(trace));
 * // ms  what        count  signal  reason
 * // 300  #3 → 503        2          503 ≠ 200 → failure 2 of 2 → emit false, once
 * //                                 per streak
 * // 300  signal             false   emit false; the consumer reads it at once
 */
export function renderTable(trace: Trace, options: TableOptions = {}): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const color = options.color ?? false;
  const rows = tableRows(trace, { profile: options.profile });
  const timeWidth = Math.max(2, ...rows.map((r) => columns(String(r.at))));
  const whatWidth = Math.min(WHAT_WIDTH, Math.max(4, ...rows.map((r) => columns(r.what))));
  const widths = [timeWidth, whatWidth, 5, 6];
  const gap = '  ';
  const fixed = widths.reduce((sum, w) => sum + w + gap.length, 0);
  const reasonWidth = Math.max(12, width - fixed);
  const indent = ' '.repeat(fixed);

  const lines = [
    [pad('ms', timeWidth, 'right'), pad('what', whatWidth), 'count', 'signal', 'reason'].join(gap),
    [
      '-'.repeat(timeWidth),
      '-'.repeat(whatWidth),
      '-----',
      '------',
      '-'.repeat(Math.min(reasonWidth, 30)),
    ].join(gap),
  ];
  for (const row of rows) {
    const what = truncate(row.what, whatWidth);
    const signalStyle: Style | undefined =
      row.signal === 'true' ? 'green' : row.signal === 'false' ? 'red' : undefined;
    const [first = '', ...rest] = wrap(row.reason, reasonWidth);
    lines.push(
      [
        pad(String(row.at), timeWidth, 'right'),
        paint(pad(what, whatWidth), styleOf(row), color),
        pad(row.counter, 5, 'right'),
        paint(pad(row.signal, 6), signalStyle, color),
        first,
      ]
        .join(gap)
        .trimEnd(),
    );
    for (const more of rest) lines.push(indent + more);
  }
  return `${lines.join('\n')}\n`;
}
