import { ProbekitError } from '../../../errors.js';
import type { Trace } from '../../../scenario/types.js';
import { renderTimeline } from '../../../teach/render.js';
import { anchorId, escapeHtml as esc } from './escape.js';
import {
  CELL_STATUSES,
  type CellStatus,
  type MatrixReport,
  type ReportCase,
  type ReportCell,
} from './model.js';
import { REPORT_CSS } from './styles.js';

/** Width the timelines are drawn at; the page scales them down to fit two side by side. */
const SVG_WIDTH = 600;

/**
 * No script, no style or image from anywhere but the page itself: even a report built from
 * hostile strings (a case id, an implementation's stderr) cannot make the browser fetch anything.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const GLYPH: Record<CellStatus, string> = { pass: '✓', fail: '✗', flaky: '≈', skip: '–' };

const caseAnchor = (c: ReportCase) => anchorId('case', c.id);
const cellAnchor = (c: ReportCase, columnId: string) => anchorId('cell', c.id, columnId);

/**
 * Renders a conformance report as one static HTML page: the case × column matrix on top (a
 * sticky header, a totals row per column, every cell a link to its verdict), then one section
 * per case with its description, rules and, for every column, the verdict, the first divergence,
 * the diff lines, and the expected and actual timelines side by side (inline SVG from
 * `renderTimeline`). Self-contained: inline CSS, no script, a Content-Security-Policy that
 * forbids every fetch, so it reads the same offline, from a CI artefact or an attachment. Every
 * text is escaped. A pure function: the same model gives the same page.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` when two cases or two columns share an
 * id, a cell names a column the report does not have, a status is unknown, or a trace is not a
 * trace.
 * @example
 * writeFileSync('report.html', renderHtmlReport({
 *   title: 'Checker conformance', implementation: 'exec: ./my-checker',
 *   columns: [{ id: 'dapr-1.0', label: 'dapr-1.0' }],
 *   cases: [{ id: 'hang-times-out', description: 'A hang is a timeout', level: 'core', rules: [],
 *     cells: { 'dapr-1.0': { status: 'pass' } } }],
 * }));
 */
export function renderHtmlReport(model: MatrixReport): string {
  checkModel(model);
  const svg = svgEmbedder();
  const title = `${model.title} — ${model.implementation}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="generator" content="probekit">',
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    headerHtml(model),
    '<main>',
    matrixHtml(model),
    ...model.cases.map((c) => caseHtml(model, c, svg)),
    '</main>',
    '<footer>Made by probekit. A static page: no script, nothing fetched when it is viewed.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function fail(reason: string, hint: string): never {
  throw new ProbekitError('ERR_PROBEKIT_INVALID_OPTION', `Failed to render the report: ${reason}. ${hint}.`);
}

function checkModel(model: MatrixReport): void {
  const columns = new Set<string>();
  for (const column of model.columns) {
    if (columns.has(column.id))
      fail(`two columns are called ${JSON.stringify(column.id)}`, 'Give every column its own id');
    columns.add(column.id);
  }
  const cases = new Set<string>();
  for (const c of model.cases) {
    if (cases.has(c.id)) fail(`two cases are called ${JSON.stringify(c.id)}`, 'Give every case its own id');
    cases.add(c.id);
    for (const [columnId, cell] of Object.entries(c.cells)) {
      // A cell left undefined (a spread of optional results) is "not run", as a missing one.
      if (cell === undefined) continue;
      if (!columns.has(columnId)) {
        fail(
          `case ${JSON.stringify(c.id)} has a cell for the column ${JSON.stringify(columnId)}, which the report does not list`,
          `Add it to columns (${[...columns].map((id) => JSON.stringify(id)).join(', ') || 'none yet'})`,
        );
      }
      if (!CELL_STATUSES.includes(cell.status)) {
        fail(
          `case ${JSON.stringify(c.id)} has the status ${JSON.stringify(cell.status)} in column ${JSON.stringify(columnId)}`,
          `Use one of ${CELL_STATUSES.join(', ')}`,
        );
      }
    }
  }
}

function headerHtml(model: MatrixReport): string {
  const rows: Array<[string, string]> = [['Implementation', model.implementation]];
  if (model.generatedAt) rows.push(['Generated', model.generatedAt]);
  if (model.summary) rows.push(['Run', model.summary]);
  rows.push([
    'Judged',
    `${model.cases.length} case${model.cases.length === 1 ? '' : 's'} against ${model.columns.length} expectation${model.columns.length === 1 ? '' : 's'}: ${model.columns.map((c) => c.label).join(', ') || 'none'}`,
  ]);
  return [
    '<header>',
    `<h1>${esc(model.title)}</h1>`,
    `<dl class="meta">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function statusText(cell: ReportCell): string {
  return cell.runs && cell.status !== 'skip'
    ? `${cell.status} ${cell.runs.passed}/${cell.runs.total}`
    : cell.status;
}

function cellTooltip(c: ReportCase, label: string, cell: ReportCell): string {
  const why = cell.headline ?? cell.reason?.split('\n', 1)[0];
  return `${c.id} against ${label}: ${statusText(cell)}${why ? ` — ${why}` : ''}`;
}

function matrixHtml(model: MatrixReport): string {
  const head = [
    '<tr><th scope="col">Case</th><th scope="col">Level</th>',
    ...model.columns.map(
      (col) => `<th scope="col"${col.note ? ` title="${esc(col.note)}"` : ''}>${esc(col.label)}</th>`,
    ),
    '</tr>',
  ].join('');
  const rows = model.cases.map((c) =>
    [
      `<tr><th scope="row"><a href="#${caseAnchor(c)}"><code>${esc(c.id)}</code></a></th>`,
      `<td class="level">${esc(c.level)}</td>`,
      ...model.columns.map((col) => {
        const cell = c.cells[col.id];
        if (!cell) return '<td class="cell not-run"><span class="none" title="not run">—</span></td>';
        return `<td class="cell ${cell.status}"><a href="#${cellAnchor(c, col.id)}" title="${esc(cellTooltip(c, col.label, cell))}">${GLYPH[cell.status]} ${esc(statusText(cell))}</a></td>`;
      }),
      '</tr>',
    ].join(''),
  );
  const totals = [
    '<tr><th scope="row">Totals</th><td></td>',
    ...model.columns.map((col) => {
      const counts = columnTotals(model, col.id);
      const parts = CELL_STATUSES.filter((s) => counts[s] > 0 || s === 'pass' || s === 'fail').map(
        (s) => `<span class="n-${s}">${GLYPH[s]} ${counts[s]}<span class="sr"> ${s}</span></span>`,
      );
      if (counts.notRun)
        parts.push(`<span class="n-not-run">— ${counts.notRun}<span class="sr"> not run</span></span>`);
      return `<td class="totals" data-column="${esc(col.id)}">${parts.join('')}</td>`;
    }),
    '</tr>',
  ].join('');
  const notes = model.columns.filter((c) => c.note);
  return [
    '<section id="matrix" aria-labelledby="matrix-title">',
    '<h2 id="matrix-title">Cases × expectations</h2>',
    `<p class="legend">${CELL_STATUSES.map((s) => `<span class="badge ${s}">${GLYPH[s]} ${s}</span>`).join(' ')} <span>a cell links to its verdict; flaky shows passed/total runs</span></p>`,
    '<div class="matrix-box">',
    '<table class="matrix">',
    `<thead>${head}</thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    `<tfoot>${totals}</tfoot>`,
    '</table>',
    '</div>',
    notes.length
      ? `<dl class="columns">${notes.map((c) => `<dt>${esc(c.label)}</dt><dd>${esc(c.note ?? '')}</dd>`).join('')}</dl>`
      : '',
    '</section>',
  ].join('\n');
}

/**
 * The count of each status in one column, and of the cases it has no cell for.
 *
 * @example
 * columnTotals(model, 'dapr-1.0'); // { pass: 49, fail: 1, flaky: 1, skip: 0, notRun: 0 }
 */
export function columnTotals(model: MatrixReport, columnId: string): Record<CellStatus | 'notRun', number> {
  const counts = { pass: 0, fail: 0, flaky: 0, skip: 0, notRun: 0 };
  for (const c of model.cases) {
    const cell = c.cells[columnId];
    if (cell) counts[cell.status]++;
    else counts.notRun++;
  }
  return counts;
}

function caseHtml(model: MatrixReport, c: ReportCase, svg: SvgEmbedder): string {
  const verdicts = model.columns.map((col) => {
    const cell = c.cells[col.id];
    const id = cellAnchor(c, col.id);
    if (!cell) {
      return `<div class="verdict v-not-run" id="${id}"><h3><span class="badge not-run">— not run</span> against ${esc(col.label)}</h3></div>`;
    }
    const runs = cell.runs
      ? ` <span class="runs">(${cell.runs.passed} of ${cell.runs.total} run${cell.runs.total === 1 ? '' : 's'} passed)</span>`
      : '';
    const parts = [
      `<div class="verdict v-${cell.status}" id="${id}">`,
      `<h3><span class="badge ${cell.status}">${GLYPH[cell.status]} ${cell.status}</span> against ${esc(col.label)}${runs}</h3>`,
      cell.headline ? `<p class="headline">${esc(cell.headline)}</p>` : '',
      cell.diffs?.length
        ? `<ul class="diffs">${cell.diffs.map((d) => `<li><code>${esc(d)}</code></li>`).join('')}</ul>`
        : '',
      reasonHtml(cell),
      timelinesHtml(c, col.label, col.id, cell, svg),
      '</div>',
    ];
    return parts.filter(Boolean).join('\n');
  });
  const rules = c.rules.length
    ? `<p class="rules">Rules: ${c.rules.map((r) => `<code>${esc(r)}</code>`).join(', ')}</p>`
    : '';
  return [
    `<section class="case" id="${caseAnchor(c)}">`,
    `<h2><code>${esc(c.id)}</code> <span class="badge skip">${esc(c.level)}</span></h2>`,
    `<p class="description">${esc(c.description)}</p>`,
    rules,
    ...verdicts,
    '<p><a href="#matrix">↑ back to the matrix</a></p>',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The runner's own message. Under a list of diffs it repeats them at length (with the events
 * around the first divergence and the rules at stake), so it is folded away; an error's or a
 * skip's message is all there is, so it shows.
 */
function reasonHtml(cell: ReportCell): string {
  if (!cell.reason) return '';
  const pre = `<pre class="reason">${esc(cell.reason)}</pre>`;
  return cell.diffs?.length
    ? `<details><summary>The runner's full explanation</summary>${pre}</details>`
    : pre;
}

/**
 * The two timelines side by side. A passing cell's pair is folded away (a `<details>`, no
 * script): they match, and a report of 51 cases × 8 columns stays quick to open.
 */
function timelinesHtml(c: ReportCase, label: string, columnId: string, cell: ReportCell, svg: SvgEmbedder) {
  if (!cell.expected && !cell.actual) return '';
  // The picture's own heading names it; a figure without a trace says so in words.
  const figure = (caption: string, trace: Trace | undefined, which: 'expected' | 'actual') =>
    `<figure class="${which}" aria-label="${esc(caption)}">${
      trace
        ? svg(
            trace,
            caption,
            `the ${which} trace of case ${JSON.stringify(c.id)} in column ${JSON.stringify(columnId)}`,
          )
        : `<figcaption>${esc(caption)}</figcaption><p class="none">no ${which} trace</p>`
    }</figure>`;
  const pair = `<div class="timelines">${figure(`Expected (${label})`, cell.expected, 'expected')}${figure('Actual', cell.actual, 'actual')}</div>`;
  return cell.status === 'pass'
    ? `<details><summary>Expected and actual timelines</summary>${pair}</details>`
    : pair;
}

type SvgEmbedder = (trace: Trace, title: string, what: string) => string;

/**
 * Draws traces as inline SVG. Each picture's ids get a prefix of their own: the SVG renderer
 * names its title and description the same in every picture, and one page holds hundreds.
 */
function svgEmbedder(): SvgEmbedder {
  let n = 0;
  // One run compared with several profiles shares its actual trace across columns: draw each
  // (trace, title) once (drawing is most of the time a page takes).
  const drawn = new Map<Trace, Map<string, string>>();
  return (trace, title, what) => {
    const byTitle = drawn.get(trace) ?? new Map<string, string>();
    drawn.set(trace, byTitle);
    let markup = byTitle.get(title);
    if (markup === undefined) {
      try {
        markup = renderTimeline(trace, { format: 'svg', width: SVG_WIDTH, title });
      } catch (error) {
        fail(`${what} cannot be drawn (${(error as Error).message})`, 'Pass a Trace from a run or a fixture');
      }
      byTitle.set(title, markup);
    }
    const prefix = `t${++n}-`;
    return markup
      .replace(/^<\?xml[^>]*\?>\s*/, '')
      .replace(/\sid="([^"]*)"/g, (_m, id: string) => ` id="${prefix}${id}"`)
      .replace(
        /\saria-(labelledby|describedby)="([^"]*)"/g,
        (_m, attr: string, ids: string) =>
          ` aria-${attr}="${ids
            .split(/\s+/)
            .filter(Boolean)
            .map((id) => `${prefix}${id}`)
            .join(' ')}"`,
      )
      .replace(/url\(#([^)]*)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
      .replace(/href="#([^"]*)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
  };
}
