import { isProfileName } from '../checker/profiles/catalogue.js';
import { ProbekitError } from '../errors.js';
import type { Trace } from '../scenario/types.js';
import {
  asciiLanes,
  asciiScale,
  axis,
  glyphsFor,
  LABEL,
  legend,
  summary,
  toAscii,
} from './ascii-timeline.js';
import { assertRenderOptions, assertTrace, type TimelineFormat } from './render.js';
import { optionsSummary } from './scale.js';
import {
  axisMarkup,
  CHAR,
  describe,
  FONT,
  layout,
  legendMarkup,
  SVG_COLORS,
  svgLanes,
} from './svg-timeline.js';
import { renderTable } from './table.js';
import { paint, truncate, wrap, wrapAt } from './text.js';
import { buildTimeline, type Timeline } from './timeline-model.js';
import { element, text } from './xml.js';

/** One lane: a trace and the profile that produced it. */
export interface ProfileLane {
  /**
   * A profile name (`dapr-1.1`, …; see `PROFILE_NAMES`): its versions label the lane, its
   * defaults and rules explain it. Any other text is a plain label (your own implementation's
   * trace, say), explained by the reference's rules.
   */
  readonly profile: string;
  readonly trace: Trace;
}

/** Options of {@link renderProfileLanes}. */
export interface ProfileLanesOptions {
  format: TimelineFormat;
  /** ANSI colours for `table` and `ascii` (default false; ignored by `svg`). */
  color?: boolean;
  /** Columns for `table` and `ascii` (default 80), pixels for `svg` (default 960). */
  width?: number;
  /** Glyphs for `ascii`: `unicode` (default) or 7-bit `ascii`. */
  charset?: 'unicode' | 'ascii';
  /** The heading (default: "How the profiles differ"). */
  title?: string;
}

const DEFAULT_TITLE = 'How the profiles differ';

/**
 * Renders several runs of the same scenario — one per Dapr profile, from
 * `simulate(scenario, { profile })` — as lanes on one time axis, so the differences between
 * Dapr versions line up: `table` (a section per profile, after a line per profile with its
 * signals), `ascii` (lanes stacked under one time ruler) or `svg` (lanes stacked, each labelled
 * with the profile's name and versions, one shared axis and legend). A pure function of its
 * input; overlapping probes (v1.10.5), negative failure counts, probes that took several
 * requests and traces without an initial delay are drawn as they are.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for no lanes, an unknown format, a bad
 * width, or a trace that is not a trace.
 * @example
 * const lanes = [];
 * for (const profile of ['dapr-1.0', 'dapr-1.1', 'dapr-1.13']) {
 *   lanes.push({ profile, trace: await simulate(scenario, { profile }) });
 * }
 * writeFileSync('lanes.svg', renderProfileLanes(lanes, { format: 'svg' }));
 * console.log(renderProfileLanes(lanes, { format: 'ascii' }));
 */
export function renderProfileLanes(lanes: readonly ProfileLane[], options: ProfileLanesOptions): string {
  assertRenderOptions(options, 'the profile lanes');
  if (!Array.isArray(lanes) || lanes.length === 0) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render the profile lanes: got ${Array.isArray(lanes) ? 'no lanes' : JSON.stringify(typeof lanes)}. Pass an array of { profile, trace }, one per profile.`,
    );
  }
  lanes.forEach((lane, i) => {
    if (typeof lane?.profile !== 'string' || lane.profile === '') {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_OPTION',
        `Failed to render the profile lanes: lane ${i + 1} has no profile name. Name it, e.g. { profile: 'dapr-1.1', trace }.`,
      );
    }
    assertTrace(lane.trace);
  });
  const timelines = lanes.map((lane) =>
    buildTimeline(lane.trace, isProfileName(lane.profile) ? { profile: lane.profile } : {}),
  );
  const named = lanes.map((lane, i) => ({
    label: lane.profile,
    timeline: timelines[i] as Timeline,
    trace: lane.trace,
  }));
  switch (options.format) {
    case 'table':
      return tableLanes(named, options);
    case 'ascii':
      return asciiProfileLanes(named, options);
    case 'svg':
      return svgProfileLanes(named, options);
  }
}

interface NamedTimeline {
  readonly label: string;
  readonly timeline: Timeline;
  readonly trace: Trace;
}

/** `dapr-1.1 (v1.1.0–v1.8.7)`, or the label itself when it names no profile. */
function heading(lane: NamedTimeline): string {
  const profile = lane.timeline.profile;
  return profile ? `${profile.name} (${profile.versions})` : lane.label;
}

function signalsLine(t: Timeline): string {
  const shown = t.emissions.map((e) => `${e.value}@${e.at}`);
  return shown.length ? shown.join(', ') : 'none';
}

function tableLanes(lanes: readonly NamedTimeline[], options: ProfileLanesOptions): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const color = options.color ?? false;
  const out: string[] = [paint(truncate(options.title ?? DEFAULT_TITLE, width), 'bold', color), ''];
  // First the differences at a glance: what each profile signalled.
  const labelWidth = Math.min(24, Math.max(...lanes.map((l) => l.label.length)));
  for (const lane of lanes) {
    const head = `${truncate(lane.label, labelWidth).padEnd(labelWidth)}  `;
    const lines = wrapAt(signalsLine(lane.timeline), ', ', width - head.length);
    lines.forEach((line, i) => {
      out.push(`${i === 0 ? head : ' '.repeat(head.length)}${line}`);
    });
  }
  for (const lane of lanes) {
    out.push('');
    const title = [heading(lane), optionsSummary(lane.timeline.options)].join(' · ');
    for (const line of wrapAt(title, ' · ', width)) out.push(paint(line, 'bold', color));
    if (lane.timeline.profile) out.push(...wrap(lane.timeline.profile.summary, width));
    out.push(renderTable(lane.trace, { width, color, profile: lane.timeline.profile?.name }).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

function asciiProfileLanes(lanes: readonly NamedTimeline[], options: ProfileLanesOptions): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const color = options.color ?? false;
  const g = glyphsFor(options.charset);
  const plain = (s: string) => (options.charset === 'ascii' ? toAscii(s) : s);
  const durationMs = Math.max(...lanes.map((l) => l.timeline.durationMs));
  const { msPerColumn, used } = asciiScale(durationMs, width - LABEL);
  const ruler = axis(used, msPerColumn, g, width - LABEL);
  const out: string[] = [];
  out.push(paint(truncate(plain(options.title ?? DEFAULT_TITLE), width), 'bold', color));
  out.push(truncate(`scale: 1 column = ${msPerColumn} ms${g.sep}0${g.range}${durationMs} ms`, width));
  out.push('');
  out.push(...ruler);
  for (const lane of lanes) {
    const title = plain([heading(lane), optionsSummary(lane.timeline.options, g.sep)].join(g.sep));
    const [first = '', ...rest] = wrapAt(title, g.sep, width - 3);
    out.push(paint(truncate(`${g.axis}${g.axis} ${first} `.padEnd(width, g.axis), width), 'bold', color));
    for (const line of rest) out.push(paint(`   ${line}`, 'bold', color));
    out.push(...asciiLanes(lane.timeline, used, msPerColumn, g, color));
  }
  // The ruler again under a tall stack, so the bottom lanes can be read without scrolling up.
  if (lanes.length > 2) out.push(...ruler.slice().reverse());
  out.push('');
  for (const lane of lanes) {
    out.push(paint(truncate(plain(heading(lane)), width), 'bold', color));
    out.push(...summary(lane.timeline, g, width).map(plain));
  }
  out.push(
    ...legend(
      lanes.map((l) => l.timeline),
      g,
      width,
    ),
  );
  return `${out.join('\n')}\n`;
}

/** Room for a lane's heading above its band strip. */
const LANE_HEADING = 22;
/** Space between two lanes. */
const LANE_GAP = 14;

function svgProfileLanes(lanes: readonly NamedTimeline[], options: ProfileLanesOptions): string {
  const width = Math.max(480, Math.round(options.width ?? 960));
  const title = options.title ?? DEFAULT_TITLE;
  const durationMs = Math.max(...lanes.map((l) => l.timeline.durationMs));
  const parts: string[] = [];
  let top = 44;
  let last = layout(width, durationMs, top + LANE_HEADING);
  lanes.forEach((lane, i) => {
    const t = lane.timeline;
    const name = t.profile ? t.profile.name : lane.label;
    const detail = [t.profile?.versions, optionsSummary(t.options)].filter(Boolean).join(' · ');
    const room = Math.floor((width - 12 - 8) / CHAR);
    const l = layout(width, durationMs, top + LANE_HEADING, t.probeRows);
    const headingY = top + 16;
    const nameText = truncate(name, Math.max(8, Math.floor(room / 2)));
    parts.push(
      element(
        'g',
        { class: 'lane', 'data-profile': name, 'data-lane': i + 1 },
        i === 0
          ? ''
          : element('line', {
              class: 'lane-separator',
              x1: 12,
              x2: width - 12,
              y1: top - LANE_GAP / 2,
              y2: top - LANE_GAP / 2,
              stroke: SVG_COLORS.grid,
              'stroke-width': 1,
            }),
        text(
          'text',
          { class: 'lane-name', x: 12, y: headingY, 'font-size': 14, 'font-weight': 700 },
          nameText,
        ),
        text(
          'text',
          {
            class: 'lane-detail',
            x: 12 + (nameText.length + 2) * CHAR * 1.25,
            y: headingY,
            'font-size': 12,
            fill: SVG_COLORS.muted,
          },
          truncate(detail, Math.max(0, room - nameText.length * 1.25 - 2)),
        ),
        svgLanes(t, l),
      ),
    );
    last = l;
    top = l.bandBottom + LANE_GAP;
  });
  // The shared axis (and the legend) go under the last lane, as if that lane's own.
  const axisLayout = last;
  const timelines = lanes.map((l) => l.timeline);
  const legend = legendMarkup(timelines, axisLayout);
  const height = Math.round(legend.bottom + 16);
  const description = lanes.map((l) => `${l.label}: ${describe(l.timeline)}`).join(' ');
  return `${element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': 'lanes-title lanes-desc',
      'font-family': FONT,
      'font-size': 11,
      fill: SVG_COLORS.text,
    },
    text('title', { id: 'lanes-title' }, title),
    text('desc', { id: 'lanes-desc' }, description),
    element('rect', { class: 'background', x: 0, y: 0, width, height, fill: '#ffffff' }),
    text(
      'text',
      { class: 'title', x: 12, y: 28, 'font-size': 18, 'font-weight': 600 },
      truncate(title, Math.floor((width - 20) / 11)),
    ),
    ...parts,
    axisMarkup(durationMs, axisLayout),
    legend.markup,
  )}\n`;
}
