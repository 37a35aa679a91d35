import { profileNamed } from '../checker/profiles/catalogue.js';
import { ProbekitError } from '../errors.js';
import type { Trace } from '../scenario/types.js';
import { renderAsciiTimeline } from './ascii-timeline.js';
import { renderSvgTimeline } from './svg-timeline.js';
import { renderTable } from './table.js';

/** The pictures a trace can be rendered as. */
export type TimelineFormat = 'table' | 'ascii' | 'svg';

/** Options of {@link renderTimeline}. */
export interface RenderTimelineOptions {
  format: TimelineFormat;
  /** ANSI colours for `table` and `ascii` (default false; ignored by `svg`). */
  color?: boolean;
  /** Columns for `table` and `ascii` (default 80), pixels for `svg` (default 960). */
  width?: number;
  /** Glyphs for `ascii`: `unicode` (default) or 7-bit `ascii`. */
  charset?: 'unicode' | 'ascii';
  /** The SVG's heading. */
  title?: string;
  /**
   * The Dapr profile that produced the trace (`dapr-1.1`, …; see `PROFILE_NAMES`): its name and
   * versions head the picture, its defaults fill the options the trace leaves out, and the
   * reasons follow its rules. Absent: the reference, `dapr-1.0`, unnamed.
   */
  profile?: string;
}

const FORMATS: readonly TimelineFormat[] = ['table', 'ascii', 'svg'];

/**
 * Renders a trace — from `simulate()`, a real run, or an external implementation — as a table
 * (one row per event with the rule that explains it), a text timeline that fits 80 columns, or a
 * standalone SVG picture. A pure function of the trace: the same trace gives the same output.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for an unknown format or a trace that is
 * not a trace.
 * @example
 * console.log(renderTimeline(trace, { format: 'ascii' }));
 * writeFileSync('timeline.svg', renderTimeline(trace, { format: 'svg' }));
 */
export function renderTimeline(trace: Trace, options: RenderTimelineOptions): string {
  const format = options?.format;
  if (!FORMATS.includes(format)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render the timeline: the format ${JSON.stringify(format)} is unknown. Use one of ${FORMATS.join(', ')}.`,
    );
  }
  assertTrace(trace);
  if (options.width !== undefined && !(Number.isFinite(options.width) && options.width > 0)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render the timeline: the width ${String(options.width)} is not a positive number. Pass columns (e.g. 80) or, for svg, pixels (e.g. 960).`,
    );
  }
  const { color, width, charset, title, profile } = options;
  if (profile !== undefined) profileNamed(profile);
  switch (format) {
    case 'table':
      return renderTable(trace, { color, width, profile });
    case 'ascii':
      return renderAsciiTimeline(trace, { color, width, charset, profile });
    case 'svg':
      return renderSvgTimeline(trace, { width, title, profile });
  }
}

/** Checks a format name and a width, as {@link renderTimeline} and the lanes renderer take them. */
export function assertRenderOptions(
  options: { format: unknown; width?: number | undefined },
  what: string,
): void {
  const format = options?.format;
  if (!FORMATS.includes(format as TimelineFormat)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render ${what}: the format ${JSON.stringify(format)} is unknown. Use one of ${FORMATS.join(', ')}.`,
    );
  }
  if (options.width !== undefined && !(Number.isFinite(options.width) && options.width > 0)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render ${what}: the width ${String(options.width)} is not a positive number. Pass columns (e.g. 80) or, for svg, pixels (e.g. 960).`,
    );
  }
}

/**
 * Throws unless `trace` has the shape of a Trace (probes, signals, durationMs).
 *
 * @example
 * assertTrace(JSON.parse(text)); // throws ERR_PROBEKIT_INVALID_OPTION naming what is missing
 */
export function assertTrace(trace: unknown): asserts trace is Trace {
  const t = trace as Partial<Trace> | null;
  const problem =
    t === null || typeof t !== 'object'
      ? 'it is not an object'
      : !Array.isArray(t.probes)
        ? 'it has no "probes" array'
        : !Array.isArray(t.signals)
          ? 'it has no "signals" array'
          : typeof t.durationMs !== 'number' || !Number.isFinite(t.durationMs) || t.durationMs < 0
            ? `its "durationMs" ${JSON.stringify(t.durationMs)} is not a number of ms`
            : t.probes.some((p) => !p || typeof p.start !== 'number')
              ? 'a probe has no numeric "start"'
              : t.signals.some((s) => !s || typeof s.at !== 'number' || typeof s.value !== 'boolean')
                ? 'a signal lacks a numeric "at" or a boolean "value"'
                : undefined;
  if (problem) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to render the timeline: the trace is not a trace (${problem}). Pass a Trace from simulate(), TraceRecorder or a --trace file.`,
    );
  }
}
