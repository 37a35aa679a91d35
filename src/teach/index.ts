export { type AsciiTimelineOptions, renderAsciiTimeline } from './ascii-timeline.js';
export { busyText, explainEvent } from './explain-reasons.js';
export { type ProfileLane, type ProfileLanesOptions, renderProfileLanes } from './profile-lanes.js';
export { type RenderTimelineOptions, renderTimeline, type TimelineFormat } from './render.js';
export { renderSvgTimeline, SVG_COLORS, type SvgTimelineOptions } from './svg-timeline.js';
export { renderTable, type TableOptions, type TableRow, tableRows } from './table.js';
export {
  buildTimeline,
  type EmissionView,
  type LoopBusy,
  type ProbeClass,
  type ProbeView,
  type Timeline,
  type TimelineEvent,
} from './timeline-model.js';
