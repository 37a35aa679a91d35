/**
 * The conformance report people read: a static HTML page with the case × expectations matrix
 * and, per case, the verdicts, the diffs and the expected and actual timelines side by side.
 * The model is plain data; `reportFromResults` builds it from runner results, `renderHtmlReport`
 * draws it, `writeHtmlReport` puts it on disk atomically.
 */
export { anchorId, escapeHtml } from './escape.js';
export {
  cellFromResult,
  type ReportFromResultsOptions,
  type ResultColumn,
  reportFromResults,
} from './from-results.js';
export {
  CELL_STATUSES,
  type CellStatus,
  type MatrixReport,
  type ReportCase,
  type ReportCell,
  type ReportColumn,
} from './model.js';
export { columnTotals, renderHtmlReport } from './render.js';
export { writeHtmlReport } from './write.js';
