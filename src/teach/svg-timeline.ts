import type { Trace } from '../scenario/types.js';
import { explainEvent, requestsNote } from './explain-reasons.js';
import { formatTime, niceStep, optionsSummary } from './scale.js';
import { truncate, wrapAt } from './text.js';
import {
  buildTimeline,
  PROBE_CLASS_LABEL,
  type ProbeClass,
  type Timeline,
  type TimelineEvent,
} from './timeline-model.js';
import { element, text } from './xml.js';

/** Options of {@link renderSvgTimeline}. */
export interface SvgTimelineOptions {
  /** Picture width in px (default 960, at least 480). The height follows from the content. */
  width?: number;
  /** The heading (default "Health check timeline"). */
  title?: string;
  /** The Dapr profile that produced the trace (`dapr-1.1`, …): named in the subtitle; its defaults and rules. */
  profile?: string;
}

/**
 * The colours of the picture, by meaning (the legend uses the same ones).
 *
 * @example
 * svg.includes(`fill="${SVG_COLORS.failure}"`); // a bad-status probe is drawn
 */
export const SVG_COLORS = {
  success: '#16a34a',
  failure: '#dc2626',
  timeout: '#d97706',
  error: '#7c3aed',
  inflight: '#94a3b8',
  unknown: '#64748b',
  tick: '#475569',
  dropped: '#e11d48',
  delay: '#dbeafe',
  blocked: '#fde68a',
  counter: '#0f172a',
  threshold: '#dc2626',
  grid: '#e2e8f0',
  text: '#0f172a',
  muted: '#64748b',
} as const;

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";
export const LEFT = 96;
export const RIGHT = 28;
/** A rough width of one character at 11 px, to decide which labels fit without measuring. */
export const CHAR = 6.4;
/** Vertical room per row of probes (an 18 px bar and a gap): overlapping probes stack. */
const PROBE_ROW = 20;
/** Overlapping probes get their own rows, up to this many (later ones share the last). */
const MAX_PROBE_ROWS = 6;

/** Where one timeline's lanes sit; several share the x scale when lanes are stacked. */
export interface Layout {
  readonly width: number;
  readonly plotWidth: number;
  /** The end of the x scale (ms). */
  readonly durationMs: number;
  readonly x: (ms: number) => number;
  readonly bandTop: number;
  readonly ticks: { top: number; height: number };
  readonly probes: { top: number; height: number };
  readonly counter: { top: number; height: number };
  readonly signals: { top: number; height: number };
  readonly bandBottom: number;
  readonly axisY: number;
  readonly legendTop: number;
}

/**
 * The layout of one timeline's lanes starting at `bandTop` (the strip for band labels), on an
 * x scale of `0 … durationMs`.
 */
export function layout(width: number, durationMs: number, bandTop: number, probeRows = 1): Layout {
  const plotWidth = width - LEFT - RIGHT;
  const span = Math.max(durationMs, 1);
  const rows = Math.min(MAX_PROBE_ROWS, Math.max(1, probeRows));
  const ticks = { top: bandTop + 22, height: 28 };
  const probes = { top: ticks.top + ticks.height, height: 26 + rows * PROBE_ROW - 2 };
  const counter = { top: probes.top + probes.height, height: 72 };
  const signals = { top: counter.top + counter.height, height: 58 };
  const bandBottom = signals.top + signals.height;
  return {
    width,
    plotWidth,
    durationMs,
    x: (ms) => LEFT + (Math.min(Math.max(ms, 0), span) / span) * plotWidth,
    bandTop,
    ticks,
    probes,
    counter,
    signals,
    bandBottom,
    axisY: bandBottom + 4,
    legendTop: bandBottom + 46,
  };
}

/**
 * A trace as a standalone SVG picture: a time axis with labels, delivered and dropped ticks,
 * one bar per probe from its start to its end coloured by outcome, the failure counter as
 * steps (with the threshold), the emitted signals (▲ true, ▼ false, a dashed line to when they
 * were read if later), the initial delay and blocked periods shaded, a title and a legend.
 * No external resources, no script; every mark carries a class (`probe probe-failure`, `tick
 * tick-dropped`, `signal signal-false`, `band band-blocked`, …) and a `<title>` tooltip.
 *
 * @example
 * writeFileSync('timeline.svg', renderSvgTimeline(trace, { width: 960 }));
 */
export function renderSvgTimeline(trace: Trace, options: SvgTimelineOptions = {}): string {
  const t = buildTimeline(trace, { profile: options.profile });
  const width = Math.max(480, Math.round(options.width ?? 960));
  const title = options.title ?? 'Health check timeline';
  const named = t.profile ? `${t.profile.name} (${t.profile.versions})` : t.source;
  const subtitle = [named, optionsSummary(t.options)].filter(Boolean).join(' · ');
  // No text measuring in a pure function: wrap by a generous estimate of the glyph width.
  const subtitleLines = wrapAt(subtitle, ' · ', Math.floor((width - LEFT - 8) / CHAR));
  const l = layout(width, t.durationMs, 62 + (Math.max(1, subtitleLines.length) - 1) * 16, t.probeRows);
  const legend = legendMarkup([t], l);
  const height = Math.round(legend.bottom + 16);

  const body = [
    element('rect', { class: 'background', x: 0, y: 0, width, height, fill: '#ffffff' }),
    text(
      'text',
      { class: 'title', x: LEFT, y: 30, 'font-size': 18, 'font-weight': 600 },
      truncate(title, Math.floor((width - LEFT - 8) / 11)),
    ),
    ...subtitleLines.map((line, i) =>
      text(
        'text',
        { class: 'subtitle', x: LEFT, y: 50 + i * 16, 'font-size': 12, fill: SVG_COLORS.muted },
        line,
      ),
    ),
    svgLanes(t, l),
    axisMarkup(t.durationMs, l),
    legend.markup,
  ];
  const description = describe(t);
  return `${element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': 'timeline-title timeline-desc',
      'font-family': FONT,
      'font-size': 11,
      fill: SVG_COLORS.text,
    },
    text('title', { id: 'timeline-title' }, title),
    text('desc', { id: 'timeline-desc' }, description),
    ...body,
  )}\n`;
}

/** One timeline's lanes (bands, grid, ticks, probes, failures, signals) in a layout. */
export function svgLanes(t: Timeline, l: Layout): string {
  const reasons = reasonsByEvent(t);
  return [
    bandsMarkup(t, l),
    gridMarkup(l),
    laneLabels(l),
    ticksMarkup(t, l),
    probesMarkup(t, l, reasons),
    counterMarkup(t, l),
    signalsMarkup(t, l, reasons),
  ].join('');
}

/** One sentence about a timeline, for `<desc>`. */
export function describe(t: Timeline): string {
  const signals = t.emissions.map((e) => `${e.value}@${e.at}`).join(', ') || 'none';
  return `${t.probes.length} probes over ${t.durationMs} ms; signals: ${signals}.`;
}

function reasonsByEvent(t: Timeline): Map<TimelineEvent, string> {
  return new Map(t.events.map((event) => [event, explainEvent(event, t)]));
}

function reasonOf(t: Timeline, reasons: Map<TimelineEvent, string>, match: (e: TimelineEvent) => boolean) {
  const event = t.events.find(match);
  return event ? (reasons.get(event) ?? '') : '';
}

function bandsMarkup(t: Timeline, l: Layout): string {
  const bands: string[] = [];
  const labels: Array<{ x: number; text: string; cls: string }> = [];
  const top = l.bandTop;
  const height = l.bandBottom - top;
  if (t.delayEnd !== undefined && t.delayEnd > 0) {
    const w = l.x(t.delayEnd) - l.x(0);
    bands.push(
      element(
        'rect',
        { class: 'band band-delay', x: l.x(0), y: top, width: w, height, fill: SVG_COLORS.delay },
        text('title', {}, `initial delay: 0–${t.delayEnd} ms (ticks wait or drop)`),
      ),
    );
    labels.push({ x: l.x(0) + 3, text: 'initial delay', cls: 'band-label band-label-delay' });
  }
  for (const b of t.blocked) {
    const to = b.to ?? t.durationMs;
    bands.push(
      element(
        'rect',
        {
          class: 'band band-blocked',
          x: l.x(b.from),
          y: top,
          width: Math.max(2, l.x(to) - l.x(b.from)),
          height,
          fill: SVG_COLORS.blocked,
          'fill-opacity': 0.55,
        },
        text(
          'title',
          {},
          `blocked ${b.from}–${b.to ?? 'end'} ms: a signal is unread, the loop waits (no probes)`,
        ),
      ),
    );
    labels.push({ x: l.x(b.from) + 3, text: 'blocked', cls: 'band-label band-label-blocked' });
  }
  // Labels sit in the strip above the lanes; one that would overlap the previous is left out.
  let right = Number.NEGATIVE_INFINITY;
  const shown: string[] = [];
  for (const label of labels.sort((a, b) => a.x - b.x)) {
    const w = label.text.length * CHAR;
    if (label.x < right + 6 || label.x + w > l.width - 4) continue;
    right = label.x + w;
    shown.push(
      text('text', { class: label.cls, x: label.x, y: top + 15, fill: SVG_COLORS.muted }, label.text),
    );
  }
  return element('g', { class: 'bands' }, ...bands, ...shown);
}

function axisStep(durationMs: number, l: Layout): number {
  const target = Math.max(2, Math.floor(l.plotWidth / 80));
  return niceStep(Math.max(durationMs, 1) / target);
}

function gridMarkup(l: Layout): string {
  // The grid follows the shared axis: l.x spans the longest trace when lanes are stacked.
  const durationMs = l.durationMs;
  const step = axisStep(durationMs, l);
  const lines: string[] = [];
  for (let ms = 0; ms <= durationMs; ms += step) {
    lines.push(
      element('line', {
        x1: l.x(ms),
        x2: l.x(ms),
        y1: l.ticks.top,
        y2: l.bandBottom,
        stroke: SVG_COLORS.grid,
        'stroke-width': 1,
      }),
    );
  }
  return element('g', { class: 'grid' }, ...lines);
}

function laneLabels(l: Layout): string {
  const label = (lane: { top: number; height: number }, name: string) =>
    text(
      'text',
      { class: 'lane-label', x: 12, y: lane.top + lane.height / 2 + 4, 'font-size': 12, 'font-weight': 600 },
      name,
    );
  return element(
    'g',
    { class: 'lane-labels' },
    label(l.ticks, 'ticks'),
    label(l.probes, 'probes'),
    label(l.counter, 'failures'),
    label(l.signals, 'signals'),
  );
}

function ticksMarkup(t: Timeline, l: Layout): string {
  const marks: string[] = [];
  const top = l.ticks.top;
  for (const due of t.ticks?.delivered ?? []) {
    marks.push(
      element(
        'line',
        {
          class: 'tick',
          'data-at': due,
          x1: l.x(due),
          x2: l.x(due),
          y1: top + 6,
          y2: top + 22,
          stroke: SVG_COLORS.tick,
          'stroke-width': 1.5,
        },
        text('title', {}, `tick ${due}`),
      ),
    );
  }
  for (const due of t.ticks?.dropped ?? []) {
    const x = l.x(due);
    const y = top + 14;
    marks.push(
      element(
        'path',
        {
          class: 'tick tick-dropped',
          'data-at': due,
          d: `M${r(x - 4)} ${r(y - 4)}L${r(x + 4)} ${r(y + 4)}M${r(x - 4)} ${r(y + 4)}L${r(x + 4)} ${r(y - 4)}`,
          stroke: SVG_COLORS.dropped,
          'stroke-width': 2,
          'stroke-linecap': 'round',
        },
        text('title', {}, `tick ${due} dropped: a tick was already waiting`),
      ),
    );
  }
  return element('g', { class: 'ticks' }, ...marks);
}

function r(n: number): number {
  return Math.round(n * 10) / 10;
}

function probesMarkup(t: Timeline, l: Layout, reasons: Map<TimelineEvent, string>): string {
  const bars: string[] = [];
  const labels: string[] = [];
  const top = l.probes.top;
  const rows = Math.round((l.probes.height + 2 - 26) / PROBE_ROW);
  let labelRight = Number.NEGATIVE_INFINITY;
  for (const p of t.probes) {
    const row = Math.min(rows - 1, p.row ?? 0);
    const requests = p.requests ?? 1;
    const note = requestsNote(p, t);
    const end = p.end ?? (p.class === 'inflight' ? t.durationMs : p.start);
    const x1 = l.x(p.start);
    const x2 = l.x(end);
    // A probe that ended at once still gets a visible bar; long ones keep a hairline gap so
    // back-to-back probes (a stale tick taken at once) stay distinguishable.
    const minWidth = 5;
    const w = Math.max(minWidth, x2 - x1 - 1);
    const x = x2 - x1 - 1 >= minWidth ? x1 : x1 - (minWidth - (x2 - x1)) / 2;
    const reason = reasonOf(t, reasons, (e) => e.kind === 'probe-end' && e.probe === p);
    const outcome = p.outcome ?? PROBE_CLASS_LABEL[p.class];
    const when = p.end === undefined ? `${p.start} ms` : `${p.start}–${p.end} ms`;
    bars.push(
      element(
        'rect',
        {
          class: `probe probe-${p.class}`,
          'data-probe': p.number,
          'data-start': p.start,
          'data-end': p.end,
          'data-row': row > 0 ? row : undefined,
          'data-requests': requests > 1 ? requests : undefined,
          x,
          y: top + 18 + row * PROBE_ROW,
          width: w,
          height: 18,
          rx: 2,
          fill: SVG_COLORS[p.class],
          'stroke-dasharray': p.class === 'inflight' ? '3 2' : undefined,
          stroke: p.class === 'inflight' ? SVG_COLORS.unknown : undefined,
        },
        text(
          'title',
          {},
          `probe #${p.number} · ${when} · ${outcome}${note && !reason ? ` · ${note}` : ''}${reason ? ` · ${reason}` : ''}`,
        ),
      ),
    );
    // Outcome labels sit above the first row; an overlapping probe has its tooltip.
    if (row > 0) continue;
    const outcomeLabel = p.outcome ?? (p.class === 'inflight' ? '…' : '');
    const label = outcomeLabel && requests > 1 ? `${outcomeLabel} ×${requests}` : outcomeLabel;
    const labelWidth = label.length * CHAR * 0.9;
    const cx = x + w / 2;
    if (label && cx - labelWidth / 2 > labelRight + 4 && cx + labelWidth / 2 < l.width - 2) {
      labelRight = cx + labelWidth / 2;
      labels.push(
        text(
          'text',
          {
            class: 'probe-label',
            x: cx,
            y: top + 13,
            'text-anchor': 'middle',
            'font-size': 10,
            fill: SVG_COLORS[p.class],
          },
          label,
        ),
      );
    }
  }
  return element('g', { class: 'probes' }, ...bars, ...labels);
}

function counterMarkup(t: Timeline, l: Layout): string {
  const counted = t.probes.filter(
    (p): p is typeof p & { end: number; failureCount: number } =>
      p.end !== undefined && p.failureCount !== undefined,
  );
  const { top, height } = l.counter;
  const threshold = t.options.failureThreshold;
  const max = Math.max(1, threshold, ...counted.map((p) => p.failureCount));
  // v1.10.5 stores n−1 when it sends false: with a threshold ≤ 0 the count goes below zero.
  const min = Math.min(0, ...counted.map((p) => p.failureCount));
  const y = (n: number) => top + height - 10 - ((n - min) / (max - min)) * (height - 22);
  const parts: string[] = [];
  // Scale marks: 0, the top of the scale, and the bottom when it is below 0.
  for (const n of min < 0 ? [min, 0, max] : [0, max]) {
    parts.push(
      text(
        'text',
        {
          class: 'counter-scale',
          x: LEFT - 8,
          y: y(n) + 3.5,
          'text-anchor': 'end',
          'font-size': 9,
          fill: SVG_COLORS.muted,
        },
        String(n),
      ),
    );
  }
  if (threshold > 0 && t.options.known) {
    parts.push(
      element('line', {
        class: 'threshold',
        x1: LEFT,
        x2: LEFT + l.plotWidth,
        y1: y(threshold),
        y2: y(threshold),
        stroke: SVG_COLORS.threshold,
        'stroke-width': 1,
        'stroke-dasharray': '5 4',
        'stroke-opacity': 0.7,
      }),
      text(
        'text',
        {
          class: 'threshold-label',
          x: LEFT + l.plotWidth,
          y: y(threshold) - 4,
          'text-anchor': 'end',
          'font-size': 10,
          fill: SVG_COLORS.threshold,
        },
        `threshold ${threshold}: emit false`,
      ),
    );
  }
  if (counted.length === 0) {
    parts.push(
      text(
        'text',
        { class: 'counter-missing', x: LEFT + 6, y: top + height / 2 + 4, fill: SVG_COLORS.muted },
        'failure counts not reported',
      ),
    );
    return element('g', { class: 'counter' }, ...parts);
  }
  let d = `M${r(l.x(0))} ${r(y(0))}`;
  // Overlapping probes end out of start order: the count changes in the order they end.
  const byEnd = [...counted].sort((a, b) => a.end - b.end || a.number - b.number);
  for (const p of byEnd) d += `H${r(l.x(p.end))}V${r(y(p.failureCount))}`;
  d += `H${r(l.x(t.durationMs))}`;
  parts.push(
    element('path', {
      class: 'counter-steps',
      d,
      fill: 'none',
      stroke: SVG_COLORS.counter,
      'stroke-width': 1.5,
      'stroke-linejoin': 'round',
    }),
  );
  const labels: Array<{ x: number; y: number; count: number; important: boolean }> = [];
  counted.forEach((p, i) => {
    const cx = l.x(p.end);
    const cy = y(p.failureCount);
    const reached = threshold > 0 && p.failureCount >= threshold;
    parts.push(
      element(
        'circle',
        { class: 'counter-point', cx, cy, r: 2.5, fill: reached ? SVG_COLORS.threshold : SVG_COLORS.counter },
        text('title', {}, `after probe #${p.number}: ${p.failureCount} failure(s) in a row`),
      ),
    );
    const before = counted[i - 1]?.failureCount ?? 0;
    const after = counted[i + 1]?.failureCount;
    if (p.failureCount === before) return;
    // The counts that tell the story: reaching the threshold, a streak's peak, the reset.
    const important =
      p.failureCount === threshold || p.failureCount === 0 || after === undefined || after < p.failureCount;
    labels.push({ x: cx + 4, y: cy - 5, count: p.failureCount, important });
  });
  const placed: Array<[number, number]> = [];
  for (const pass of [true, false]) {
    for (const label of labels) {
      if (label.important !== pass) continue;
      const w = String(label.count).length * CHAR + 6;
      if (label.x + w > l.width - 2 || placed.some(([a, b]) => label.x < b && a < label.x + w)) continue;
      placed.push([label.x, label.x + w]);
      parts.push(
        text(
          'text',
          { class: 'counter-label', x: label.x, y: label.y, 'font-size': 10, fill: SVG_COLORS.counter },
          String(label.count),
        ),
      );
    }
  }
  return element('g', { class: 'counter' }, ...parts);
}

function signalsMarkup(t: Timeline, l: Layout, reasons: Map<TimelineEvent, string>): string {
  const { top } = l.signals;
  const rowY = (value: boolean) => (value ? top + 18 : top + 42);
  const parts: string[] = [
    text(
      'text',
      {
        class: 'signal-row-label',
        x: LEFT - 8,
        y: rowY(true) + 4,
        'text-anchor': 'end',
        'font-size': 10,
        fill: SVG_COLORS.success,
      },
      'true',
    ),
    text(
      'text',
      {
        class: 'signal-row-label',
        x: LEFT - 8,
        y: rowY(false) + 4,
        'text-anchor': 'end',
        'font-size': 10,
        fill: SVG_COLORS.failure,
      },
      'false',
    ),
  ];
  const marks: string[] = [];
  for (const e of t.emissions) {
    const colour = e.value ? SVG_COLORS.success : SVG_COLORS.failure;
    const y = rowY(e.value);
    const x = l.x(e.at);
    const until = e.deliveredAt ?? t.durationMs;
    if (until > e.at) {
      parts.push(
        element(
          'line',
          {
            class: e.deliveredAt === undefined ? 'delivery delivery-unread' : 'delivery',
            x1: x,
            x2: l.x(until),
            y1: y,
            y2: y,
            stroke: colour,
            'stroke-width': 1.5,
            'stroke-dasharray': '4 3',
            'stroke-opacity': 0.8,
          },
          text(
            'title',
            {},
            e.deliveredAt === undefined
              ? `${e.value} sent at ${e.at}, unread at the end`
              : `${e.value} sent at ${e.at}, read at ${e.deliveredAt}`,
          ),
        ),
      );
      if (e.deliveredAt !== undefined) {
        marks.push(
          element('circle', {
            class: `delivered delivered-${e.value}`,
            cx: l.x(e.deliveredAt),
            cy: y,
            r: 3.5,
            fill: '#ffffff',
            stroke: colour,
            'stroke-width': 1.5,
          }),
        );
      }
    }
    const reason = reasonOf(t, reasons, (ev) => ev.kind === 'signal' && ev.emission === e);
    const points = e.value
      ? `${r(x)},${r(y - 6)} ${r(x - 6)},${r(y + 5)} ${r(x + 6)},${r(y + 5)}`
      : `${r(x)},${r(y + 6)} ${r(x - 6)},${r(y - 5)} ${r(x + 6)},${r(y - 5)}`;
    marks.push(
      element(
        'polygon',
        { class: `signal signal-${e.value}`, 'data-at': e.at, points, fill: colour },
        text('title', {}, `${e.value} at ${e.at}${reason ? ` · ${reason}` : ''}`),
      ),
    );
  }
  return element('g', { class: 'signals' }, ...parts, ...marks);
}

/** The time axis under the lanes, with labels (seconds for long runs). */
export function axisMarkup(durationMs: number, l: Layout): string {
  const step = axisStep(durationMs, l);
  const seconds = durationMs >= 10_000 && step % 1000 === 0;
  const y = l.axisY;
  const parts: string[] = [
    element('line', {
      class: 'axis-line',
      x1: LEFT,
      x2: LEFT + l.plotWidth,
      y1: y,
      y2: y,
      stroke: SVG_COLORS.muted,
      'stroke-width': 1,
    }),
  ];
  for (let ms = 0; ms <= durationMs; ms += step) {
    const x = l.x(ms);
    parts.push(
      element('line', { x1: x, x2: x, y1: y, y2: y + 5, stroke: SVG_COLORS.muted, 'stroke-width': 1 }),
      text(
        'text',
        { class: 'axis-label', x, y: y + 17, 'text-anchor': 'middle', fill: SVG_COLORS.muted },
        formatTime(ms, seconds),
      ),
    );
  }
  parts.push(
    text(
      'text',
      { class: 'axis-unit', x: LEFT - 18, y: y + 17, 'text-anchor': 'end', fill: SVG_COLORS.muted },
      seconds ? 'time' : 'time (ms)',
    ),
  );
  return element('g', { class: 'axis' }, ...parts);
}

interface LegendItem {
  readonly label: string;
  readonly swatch: (x: number, y: number) => string;
  /** Whether the picture has this mark (the legend lists only what is drawn). */
  readonly shown: boolean;
}

function legendItems(timelines: readonly Timeline[]): LegendItem[] {
  const any = (f: (t: Timeline) => boolean) => timelines.some(f);
  const has = (cls: ProbeClass) => any((t) => t.probes.some((p) => p.class === cls));
  const late = any((t) => t.emissions.some((e) => e.deliveredAt !== e.at));
  const box =
    (fill: string, extra: Record<string, string | number> = {}) =>
    (x: number, y: number) =>
      element('rect', { x, y: y - 9, width: 14, height: 10, rx: 2, fill, ...extra });
  const items: LegendItem[] = [
    { label: 'success', swatch: box(SVG_COLORS.success), shown: has('success') },
    { label: 'bad status', swatch: box(SVG_COLORS.failure), shown: has('failure') },
    { label: 'timeout', swatch: box(SVG_COLORS.timeout), shown: has('timeout') },
    { label: 'no response', swatch: box(SVG_COLORS.error), shown: has('error') },
    {
      label: 'in flight at the end',
      swatch: box(SVG_COLORS.inflight, { stroke: SVG_COLORS.unknown, 'stroke-dasharray': '3 2' }),
      shown: has('inflight'),
    },
    { label: 'outcome not reported', swatch: box(SVG_COLORS.unknown), shown: has('unknown') },
    {
      label: 'tick',
      swatch: (x, y) =>
        element('line', {
          x1: x + 7,
          x2: x + 7,
          y1: y - 10,
          y2: y + 2,
          stroke: SVG_COLORS.tick,
          'stroke-width': 1.5,
        }),
      shown: any((t) => (t.ticks?.delivered.length ?? 0) > 0),
    },
    {
      label: 'dropped tick',
      swatch: (x, y) =>
        element('path', {
          d: `M${x + 3} ${y - 8}L${x + 11} ${y}M${x + 3} ${y}L${x + 11} ${y - 8}`,
          stroke: SVG_COLORS.dropped,
          'stroke-width': 2,
          'stroke-linecap': 'round',
        }),
      shown: any((t) => (t.ticks?.dropped.length ?? 0) > 0),
    },
    {
      label: 'emit true',
      swatch: (x, y) =>
        element('polygon', {
          points: `${x + 7},${y - 10} ${x + 1},${y + 1} ${x + 13},${y + 1}`,
          fill: SVG_COLORS.success,
        }),
      shown: any((t) => t.emissions.some((e) => e.value)),
    },
    {
      label: 'emit false',
      swatch: (x, y) =>
        element('polygon', {
          points: `${x + 7},${y + 1} ${x + 1},${y - 10} ${x + 13},${y - 10}`,
          fill: SVG_COLORS.failure,
        }),
      shown: any((t) => t.emissions.some((e) => !e.value)),
    },
    {
      label: 'read later',
      swatch: (x, y) =>
        element('line', {
          x1: x,
          x2: x + 10,
          y1: y - 4,
          y2: y - 4,
          stroke: SVG_COLORS.muted,
          'stroke-width': 1.5,
          'stroke-dasharray': '3 2',
        }) +
        element('circle', {
          cx: x + 12,
          cy: y - 4,
          r: 3,
          fill: '#ffffff',
          stroke: SVG_COLORS.muted,
          'stroke-width': 1.5,
        }),
      shown: late,
    },
    { label: 'initial delay', swatch: box(SVG_COLORS.delay), shown: any((t) => (t.delayEnd ?? 0) > 0) },
    {
      label: 'blocked (unread signal)',
      swatch: box(SVG_COLORS.blocked),
      shown: any((t) => t.blocked.length > 0),
    },
    {
      label: 'failure threshold',
      swatch: (x, y) =>
        element('line', {
          x1: x,
          x2: x + 14,
          y1: y - 4,
          y2: y - 4,
          stroke: SVG_COLORS.threshold,
          'stroke-dasharray': '4 3',
        }),
      shown: any((t) => t.options.known && t.options.failureThreshold > 0),
    },
    {
      label: '×2 requests in one probe (redirect or retry)',
      swatch: (x, y) => text('text', { x, y, 'font-size': 10, fill: SVG_COLORS.muted }, '×2'),
      shown: any((t) => t.probes.some((p) => (p.requests ?? 1) > 1)),
    },
  ];
  return items.filter((item) => item.shown);
}

/** The legend under the axis: only the marks the timelines show. */
export function legendMarkup(timelines: readonly Timeline[], l: Layout): { markup: string; bottom: number } {
  const items: string[] = [];
  const rowHeight = 20;
  let x = LEFT;
  let y = l.legendTop;
  for (const item of legendItems(timelines)) {
    const w = 14 + 6 + item.label.length * CHAR + 18;
    if (x + w > l.width - RIGHT + 18 && x > LEFT) {
      x = LEFT;
      y += rowHeight;
    }
    items.push(
      element(
        'g',
        { class: 'legend-item' },
        item.swatch(x, y),
        text('text', { x: x + 20, y, fill: SVG_COLORS.text }, item.label),
      ),
    );
    x += w;
  }
  const markup = element(
    'g',
    { class: 'legend' },
    text(
      'text',
      { class: 'legend-title', x: 12, y: l.legendTop, 'font-size': 12, 'font-weight': 600 },
      'legend',
    ),
    ...items,
  );
  return { markup, bottom: y + 6 };
}
