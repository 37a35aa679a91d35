/**
 * The page's only stylesheet, inline: the report must read the same from a CI artefact, an
 * e-mail attachment or a laptop offline, so nothing (fonts included) is fetched at view time.
 * The page never scrolls sideways; the matrix scrolls inside its own box, with the header row,
 * the totals row and the case column held in place (sticky) so a cell is never read without
 * its labels.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light;
  --text: #0f172a; --muted: #475569; --line: #e2e8f0; --head: #f8fafc;
  --pass-bg: #dcfce7; --pass: #166534; --fail-bg: #fee2e2; --fail: #991b1b;
  --flaky-bg: #fef3c7; --flaky: #92400e; --skip-bg: #f1f5f9; --skip: #475569;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; padding: 1.25rem; max-width: 78rem; color: var(--text); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif;
  overflow-wrap: break-word;
}
code, pre { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 0.9em; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.25rem; margin: 0 0 0.5rem; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; }
a { color: #1d4ed8; }
.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.15rem 1rem; margin: 0 0 1rem; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0.5rem 0; color: var(--muted); }
.badge { display: inline-block; padding: 0 0.45em; border-radius: 0.3em; font-weight: 600; white-space: nowrap; }
.pass { background: var(--pass-bg); color: var(--pass); }
.fail { background: var(--fail-bg); color: var(--fail); }
.flaky { background: var(--flaky-bg); color: var(--flaky); }
.skip { background: var(--skip-bg); color: var(--skip); }
.not-run { background: #fff; color: var(--muted); }
.matrix-box {
  width: fit-content; max-width: 100%; max-height: min(75vh, 48rem); overflow: auto;
  border: 1px solid var(--line); border-radius: 0.4rem;
}
.matrix { border-collapse: separate; border-spacing: 0; overflow-wrap: normal; }
.matrix th, .matrix td { padding: 0.2rem 0.5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
.matrix thead th {
  position: sticky; top: 0; z-index: 2; background: var(--head); font-size: 0.85rem;
  white-space: nowrap; border-bottom: 2px solid #cbd5e1;
}
.matrix tfoot th, .matrix tfoot td {
  position: sticky; bottom: 0; z-index: 2; background: var(--head); border-top: 2px solid #cbd5e1;
  font-size: 0.8rem; vertical-align: top;
}
.matrix tbody th { position: sticky; left: 0; z-index: 1; background: #fff; font-weight: normal; white-space: nowrap; }
.matrix thead th:first-child, .matrix tfoot th:first-child { left: 0; z-index: 3; }
.matrix .level { color: var(--muted); font-size: 0.8rem; white-space: nowrap; }
.matrix td.cell { padding: 0; text-align: center; }
.matrix td.cell a, .matrix td.cell span.none {
  display: block; padding: 0.2rem 0.5rem; text-decoration: none; color: inherit; white-space: nowrap; font-size: 0.85rem;
}
.matrix td.cell a:hover, .matrix td.cell a:focus { outline: 2px solid #1d4ed8; outline-offset: -2px; }
/* Glyph and count, two to a line; the words are there for screen readers (and the legend). */
.totals > span { display: inline-block; white-space: nowrap; margin-right: 0.5em; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.columns { margin: 0.75rem 0 0; display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.15rem 1rem; }
.columns dt { font-weight: 600; }
.columns dd { margin: 0; color: var(--muted); }
section.case { border-top: 1px solid var(--line); padding: 1.25rem 0 0.5rem; margin-top: 1.25rem; }
section.case h2 code { overflow-wrap: anywhere; }
.case .description { margin: 0 0 0.3rem; }
.case .rules { margin: 0 0 0.8rem; color: var(--muted); font-size: 0.9rem; }
.case .rules code { overflow-wrap: anywhere; }
.verdict { border-left: 4px solid var(--line); padding: 0.25rem 0 0.25rem 0.75rem; margin: 0 0 1rem; }
.verdict.v-pass { border-color: var(--pass); }
.verdict.v-fail { border-color: var(--fail); }
.verdict.v-flaky { border-color: #d97706; }
.verdict.v-skip { border-color: #94a3b8; }
.verdict .runs { color: var(--muted); font-weight: normal; }
.headline { margin: 0 0 0.3rem; font-weight: 600; overflow-wrap: anywhere; }
.diffs { margin: 0 0 0.5rem; padding-left: 1.2rem; }
.diffs li { overflow-wrap: anywhere; }
pre.reason {
  margin: 0 0 0.5rem; padding: 0.5rem; background: var(--head); border: 1px solid var(--line);
  border-radius: 0.3rem; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24rem; overflow: auto;
}
details > summary { cursor: pointer; color: var(--muted); margin: 0 0 0.4rem; }
.timelines { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 0.75rem; }
.timelines figure { margin: 0; min-width: 0; border: 1px solid var(--line); border-radius: 0.3rem; padding: 0.25rem; }
.timelines figcaption { font-size: 0.85rem; font-weight: 600; color: var(--muted); padding: 0 0.25rem; }
.timelines svg { display: block; width: 100%; height: auto; }
.timelines .none { color: var(--muted); font-size: 0.9rem; padding: 0.5rem; margin: 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.85rem; }
`;
