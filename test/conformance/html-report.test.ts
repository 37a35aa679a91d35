import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCheckerConformance } from '../../src/conformance/checker/suite.js';
import {
  anchorId,
  cellFromResult,
  columnTotals,
  type MatrixReport,
  type ReportCell,
  renderHtmlReport,
  reportFromResults,
} from '../../src/conformance/common/html-report/index.js';
import { aggregateRuns } from '../../src/conformance/common/repeat.js';
import type { CaseResult } from '../../src/conformance/common/report.js';
import { ProbekitError } from '../../src/errors.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { referenceAdapter } from '../../src/scenario/reference-adapter.js';
import type { Trace } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';
import { mutant } from './mutants.js';

const fixtures = loadScenarios().map((f) => f.scenario);
const expectedOf = (id: string) => fixtures.find((s) => s.id === id)?.expected;
const A = 'all-503-single-false';
const B = 'hang-times-out';
const column = { id: 'dapr-1.0', label: 'dapr-1.0' };

/** Every match of a regex's first group, in order. */
const all = (html: string, re: RegExp) => [...html.matchAll(re)].map((m) => m[1] as string);
/** The markup of one case's section. */
const sectionOf = (html: string, caseId: string) => {
  const start = html.indexOf(`<section class="case" id="${anchorId('case', caseId)}">`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
};
const matrixOf = (html: string) =>
  html.slice(html.indexOf('<table class="matrix">'), html.indexOf('</table>'));

/** A report of every fixture, cells cycling through the four statuses. */
function everyFixture(columns: Array<{ id: string; label: string }>): MatrixReport {
  const statuses: ReportCell['status'][] = ['pass', 'fail', 'flaky', 'skip'];
  return {
    title: 'Checker conformance',
    implementation: 'exec: ./my-checker',
    columns,
    cases: fixtures.map((s, i) => ({
      id: s.id,
      description: s.description,
      level: s.level,
      rules: s.rules,
      cells: Object.fromEntries(
        columns.map((c, j) => {
          const status = statuses[(i + j) % 4] as ReportCell['status'];
          return [c.id, { status, ...(status === 'flaky' ? { runs: { passed: 2, total: 5 } } : {}) }];
        }),
      ),
    })),
  };
}

describe('renderHtmlReport: the matrix', () => {
  it('lists every case once in the matrix and gives each its own section, in order', () => {
    const html = renderHtmlReport(everyFixture([column]));
    const rowIds = all(matrixOf(html), /<tr><th scope="row"><a href="#[^"]*"><code>([^<]*)<\/code>/g);
    expect(rowIds).toEqual(fixtures.map((s) => s.id));
    expect(rowIds.length).toBeGreaterThanOrEqual(51);
    const sectionIds = all(html, /<section class="case" id="([^"]*)">/g);
    expect(sectionIds).toEqual(fixtures.map((s) => anchorId('case', s.id)));
  });

  it('shows each cell as its status and links it to that column’s verdict inside the case’s section', () => {
    const columns = ['dapr-0.6', 'dapr-1.0', 'dapr-1.1'].map((id) => ({ id, label: id }));
    const html = renderHtmlReport(everyFixture(columns));
    const links = all(matrixOf(html), /<td class="cell [a-z]+"><a href="#([^"]*)"/g);
    expect(links).toHaveLength(fixtures.length * 3);
    for (const link of links) {
      const [, caseAnchor] = /^cell\.([^.]*)\./.exec(link) ?? [];
      const section = html.slice(html.indexOf(`id="case.${caseAnchor}"`));
      expect(section.slice(0, section.indexOf('</section>'))).toContain(`id="${link}"`);
    }
    const first = fixtures[0]?.id as string;
    expect(matrixOf(html)).toContain(
      `<td class="cell pass"><a href="#${anchorId('cell', first, 'dapr-0.6')}"`,
    );
    expect(sectionOf(html, first)).toMatch(/<span class="badge fail">✗ fail<\/span> against dapr-1\.0/);
    expect(sectionOf(html, fixtures[2]?.id as string)).toContain('(2 of 5 runs passed)');
    expect(matrixOf(html)).toContain('≈ flaky 2/5</a>');
  });

  it('counts each column’s statuses in a totals row at the foot of the matrix', () => {
    const statuses = (text: string) =>
      [...text].map((ch) => (({ p: 'pass', f: 'fail', y: 'flaky', s: 'skip' }) as const)[ch as 'p']);
    const left = statuses('ppppfffyys');
    const right = statuses('pfffffyyy');
    const model: MatrixReport = {
      title: 't',
      implementation: 'i',
      columns: ['dapr-1.0', 'dapr-1.13'].map((id) => ({ id, label: id })),
      cases: left.map((status, i) => ({
        id: `case-${i}`,
        description: '',
        level: 'core',
        rules: [],
        cells: { 'dapr-1.0': { status }, ...(right[i] ? { 'dapr-1.13': { status: right[i] } } : {}) },
      })),
    };
    const html = renderHtmlReport(model);
    expect(columnTotals(model, 'dapr-1.0')).toEqual({ pass: 4, fail: 3, flaky: 2, skip: 1, notRun: 0 });
    expect(columnTotals(model, 'dapr-1.13')).toEqual({ pass: 1, fail: 5, flaky: 3, skip: 0, notRun: 1 });
    const foot = html.slice(html.indexOf('<tfoot>'), html.indexOf('</tfoot>'));
    expect(foot).toContain(
      '<td class="totals" data-column="dapr-1.0"><span class="n-pass">✓ 4<span class="sr"> pass</span></span><span class="n-fail">✗ 3<span class="sr"> fail</span></span><span class="n-flaky">≈ 2<span class="sr"> flaky</span></span><span class="n-skip">– 1<span class="sr"> skip</span></span></td>',
    );
    expect(foot).toContain('<span class="n-not-run">— 1<span class="sr"> not run</span></span>');
  });

  it('shows "not run" for a column that has no cell (or an undefined one) for a case, in the matrix and in the section', () => {
    const html = renderHtmlReport({
      title: 't',
      implementation: 'i',
      columns: [column, { id: 'dapr-1.1', label: 'dapr-1.1' }, { id: 'dapr-1.9', label: 'dapr-1.9' }],
      cases: [
        {
          id: A,
          description: 'd',
          level: 'core',
          rules: [],
          cells: { 'dapr-1.0': { status: 'pass' }, 'dapr-1.9': undefined as unknown as ReportCell },
        },
      ],
    });
    expect(
      matrixOf(html).match(/<td class="cell not-run"><span class="none" title="not run">—<\/span><\/td>/g),
    ).toHaveLength(2);
    for (const id of ['dapr-1.1', 'dapr-1.9']) {
      expect(sectionOf(html, A)).toContain(
        `id="${anchorId('cell', A, id)}"><h3><span class="badge not-run">`,
      );
    }
  });
});

describe('renderHtmlReport: the case sections', () => {
  const failing: ReportCell = {
    status: 'fail',
    headline: 'extra signal #1 at 300 ms: expected no signal, actual false at 300ms',
    diffs: ['extra signal #1 at 300 ms: expected no signal, actual false at 300ms'],
    reason: 'First divergence at 300ms: extra signal #1',
    expected: expectedOf(A) as Trace,
    actual: { ...(expectedOf(A) as Trace), source: 'exec: ./my-checker' },
  };

  it('shows the description, the rules, the headline, the diff lines and both timelines side by side', () => {
    const html = renderHtmlReport({
      title: 't',
      implementation: 'i',
      columns: [column],
      cases: [
        {
          id: A,
          description: 'A never-ending streak',
          level: 'core',
          rules: ['count.one'],
          cells: { [column.id]: failing },
        },
      ],
    });
    const section = sectionOf(html, A);
    expect(section).toContain('<p class="description">A never-ending streak</p>');
    expect(section).toContain('<code>count.one</code>');
    expect(section).toContain(`<p class="headline">${failing.headline}</p>`);
    expect(section).toContain(`<ul class="diffs"><li><code>${failing.diffs?.[0]}</code></li></ul>`);
    const pair =
      /<div class="timelines"><figure class="expected"[^>]*><svg[\s\S]*?<\/svg>\s*<\/figure><figure class="actual"[^>]*><svg[\s\S]*?<\/svg>\s*<\/figure><\/div>/;
    expect(section).toMatch(pair);
    expect(section).toContain('>Expected (dapr-1.0)</text>');
    expect(section).toContain('exec: ./my-checker');
    // Shown at once: the cell failed.
    expect(section).not.toMatch(/<details><summary>Expected and actual timelines/);
  });

  it('folds a passing cell’s timelines into a <details> and leaves out pictures it has no trace for', () => {
    const html = renderHtmlReport({
      title: 't',
      implementation: 'i',
      columns: [column],
      cases: [
        {
          id: A,
          description: 'd',
          level: 'core',
          rules: [],
          cells: { [column.id]: { status: 'pass', expected: failing.expected } },
        },
        {
          id: B,
          description: 'd',
          level: 'core',
          rules: [],
          cells: { [column.id]: { status: 'skip', reason: 'virtual time only' } },
        },
      ],
    });
    expect(sectionOf(html, A)).toMatch(
      /<details><summary>Expected and actual timelines<\/summary><div class="timelines">/,
    );
    expect(sectionOf(html, A)).toContain('<p class="none">no actual trace</p>');
    expect(sectionOf(html, B)).toContain('<pre class="reason">virtual time only</pre>');
    expect(sectionOf(html, B)).not.toContain('<svg');
  });

  it('gives every picture’s ids a prefix of its own, so hundreds of inline SVGs never share an id', () => {
    const model = everyFixture([column, { id: 'x', label: 'x' }]);
    for (const c of model.cases) {
      for (const cell of Object.values(c.cells)) {
        cell.expected = expectedOf(c.id);
        cell.actual = expectedOf(c.id);
      }
    }
    const html = renderHtmlReport(model);
    const ids = all(html, /\sid="([^"]*)"/g);
    expect(new Set(ids).size).toBe(ids.length);
    // Two pictures for each cell (two columns) of a case that has an expected trace.
    const traced = fixtures.filter((f) => f.expected).length;
    expect(traced).toBeGreaterThanOrEqual(51);
    expect((html.match(/<svg /g) ?? []).length).toBe(2 * 2 * traced);
    for (const refs of all(html, /aria-labelledby="([^"]*)"/g)) {
      for (const ref of refs.split(' ')) expect(ids).toContain(ref);
    }
  });
});

describe('renderHtmlReport: safe and self-contained', () => {
  const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;\'';
  const model: MatrixReport = {
    title: evil,
    implementation: `exec: ${evil}`,
    generatedAt: evil,
    summary: evil,
    columns: [{ id: evil, label: evil, note: evil }],
    cases: [
      {
        id: evil,
        description: evil,
        level: evil,
        rules: [evil],
        cells: {
          [evil]: {
            status: 'fail',
            headline: evil,
            diffs: [evil, 'probe outcome #0: expected 200 < 503'],
            reason: evil,
            expected: { ...(expectedOf(A) as Trace), source: evil },
            actual: { ...(expectedOf(A) as Trace), source: evil },
          },
        },
      },
    ],
  };

  it('escapes every text it shows: ids, labels, descriptions, rules, diffs, reasons and trace sources', () => {
    const html = renderHtmlReport(model);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;&#39;',
    );
    expect(html).toContain('expected 200 &lt; 503');
    // In the SVG too (the timeline renderer escapes for XML).
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;&apos;',
    );
  });

  it('makes anchors of letters, digits, "-", "_" and "." only, one-to-one with the case and column ids', () => {
    const anchors = all(renderHtmlReport(model), /\sid="([^"]*)"/g);
    for (const a of anchors) expect(a).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(anchorId('case', 'a<b')).toBe('case.a_3c_b');
    expect(anchorId('case', 'a.b')).not.toBe(anchorId('case', 'a', 'b'));
    expect(anchorId('case', 'a_3c_b')).not.toBe(anchorId('case', 'a<b'));
  });

  it('loads nothing: no script, no external reference, and a Content-Security-Policy that forbids fetching', () => {
    const html = renderHtmlReport(model);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/\ssrc=["']|href=["'](?!#)|@import|url\((?!#)|<link\b|<iframe\b|<object\b/i);
  });

  it('is a pure function of the model: the same model gives the same page', () => {
    expect(renderHtmlReport(model)).toBe(renderHtmlReport(structuredClone(model)));
  });

  it('refuses a model whose anchors would collide or whose cells name an unknown column or status', () => {
    const base = everyFixture([column]);
    const attempts: MatrixReport[] = [
      { ...base, cases: [...base.cases, base.cases[0] as MatrixReport['cases'][number]] },
      { ...base, columns: [column, column] },
      {
        ...base,
        cases: [
          { id: A, description: '', level: 'core', rules: [], cells: { 'dapr-9': { status: 'pass' } } },
        ],
      },
      {
        ...base,
        cases: [
          {
            id: A,
            description: '',
            level: 'core',
            rules: [],
            cells: { [column.id]: { status: 'ok' as 'pass' } },
          },
        ],
      },
      {
        ...base,
        cases: [
          {
            id: A,
            description: '',
            level: 'core',
            rules: [],
            cells: { [column.id]: { status: 'fail', actual: { probes: 'none' } as unknown as Trace } },
          },
        ],
      },
    ];
    const messages = attempts.map((m) => {
      try {
        renderHtmlReport(m);
        return 'rendered';
      } catch (error) {
        expect(error).toBeInstanceOf(ProbekitError);
        expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
        return (error as Error).message;
      }
    });
    expect(messages[0]).toBe(
      `Failed to render the report: two cases are called "${fixtures[0]?.id}". Give every case its own id.`,
    );
    expect(messages[1]).toMatch(/^Failed to render the report: two columns are called "dapr-1.0"/);
    expect(messages[2]).toMatch(
      /has a cell for the column "dapr-9", which the report does not list\. Add it to columns \("dapr-1.0"\)\.$/,
    );
    expect(messages[3]).toMatch(
      /has the status "ok" in column "dapr-1.0"\. Use one of pass, fail, flaky, skip\.$/,
    );
    expect(messages[4]).toMatch(
      /the actual trace of case "all-503-single-false" in column "dapr-1.0" cannot be drawn/,
    );
  });
});

describe('reportFromResults', () => {
  it('turns real runner results into cells: passes, a failure with its first divergence, a flaky case, a skip', async () => {
    const only = [A, B];
    const good = await runCheckerConformance(referenceAdapter, { only });
    const broken = await runCheckerConformance(mutant('threshold >=', { thresholdGte: true }), { only });
    const brokenA = broken.results.find((r) => r.id === A) as CaseResult;
    const goodA = good.results.find((r) => r.id === A) as CaseResult;
    expect(brokenA.status).toBe('fail');
    const flaky = aggregateRuns([brokenA, goodA, goodA]);
    const skipped: CaseResult = {
      ...goodA,
      id: B,
      status: 'skip',
      message: 'virtual time only: a tie',
      actual: undefined,
    };
    const model = reportFromResults({
      implementation: 'mixed',
      columns: [
        { column: { id: 'ref', label: 'reference' }, results: good.results, expected: expectedOf },
        { column: { id: 'gte', label: 'threshold >=' }, results: broken.results, expected: expectedOf },
        { column: { id: 'flaky', label: 'flaky' }, results: [flaky, skipped] },
      ],
    });
    expect(model.title).toBe('Checker conformance');
    expect(model.cases.map((c) => c.id)).toEqual(only);
    const a = model.cases[0]?.cells ?? {};
    expect(a.ref).toMatchObject({ status: 'pass', expected: expectedOf(A), actual: goodA.actual });
    expect(a.gte?.status).toBe('fail');
    expect(a.gte?.headline).toMatch(/^extra signal #1 at \d+ ms: expected no signal, actual false at/);
    expect(a.gte?.diffs?.[0]).toBe(a.gte?.headline);
    expect(a.gte?.reason).toBe(brokenA.message);
    expect(a.flaky).toMatchObject({ status: 'flaky', runs: { passed: 2, total: 3 } });
    expect(a.flaky?.expected).toBeUndefined();
    expect(model.cases[1]?.cells.flaky).toEqual({ status: 'skip', reason: 'virtual time only: a tie' });
    expect(model.cases[1]?.cells.gte?.status).toBe('pass');
    // The page draws it: the renderer takes the model as it comes.
    expect(renderHtmlReport(model)).toContain('≈ flaky 2/3</a>');
  });

  it('says an error is an error, and that an expected failure that passed should come off the list', () => {
    const base: CaseResult = {
      id: B,
      level: 'core',
      description: 'd',
      rules: [],
      status: 'pass',
      diffs: [],
      elapsedMs: 1,
    };
    expect(
      cellFromResult({
        ...base,
        status: 'error',
        message: 'exited with code 3\nits stderr ended with:\n  boom',
      }),
    ).toEqual({
      status: 'fail',
      headline: 'error: exited with code 3',
      reason: 'exited with code 3\nits stderr ended with:\n  boom',
    });
    expect(
      cellFromResult({ ...base, expectedFailure: { reason: 'no ticker yet', file: 'xfail.txt' } }),
    ).toEqual({
      status: 'pass',
      reason:
        'Listed in xfail.txt as an expected failure (no ticker yet), but it passed: remove it from xfail.txt.',
    });
  });
});

describe('probekit conformance checker --report', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'probekit-html-report-'));
  });

  async function conformance(...args: string[]) {
    const t = memoryIo({ ...process.env });
    const code = await main(['conformance', 'checker', ...args], t.io);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  it('writes a page judging every selected case against dapr-1.0, and says where', async () => {
    const file = join(dir, 'report.html');
    const chosen = [A, B, 'connection-refused', 'delay-250-drops-tick-200'];
    const run = await conformance('--only', chosen.join(','), '--report', file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Report written to ${file}`);
    const html = await readFile(file, 'utf8');
    expect(all(html, /<section class="case" id="case\.([^"]*)">/g).sort()).toEqual(
      chosen.map((id) => anchorId(id)).sort(),
    );
    expect(html).toContain(
      '<th scope="col" title="Dapr v1.0&#39;s checker: the expected traces of fixtures/checker/">dapr-1.0</th>',
    );
    expect(html).toContain(`<span class="n-pass">✓ ${chosen.length}<span class="sr"> pass</span></span>`);
    expect(html).toContain('<dt>Implementation</dt><dd>probekit reference (Dapr v1.0)</dd>');
    expect(await readdir(dir)).toEqual(['report.html']);
  });

  it('shows a failing case with its diff and both timelines when a fixture expects something else', async () => {
    const fixturesDir = join(dir, 'fixtures');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(fixturesDir);
    for (const s of fixtures.filter((f) => f.id === A || f.id === B)) {
      const copy = structuredClone(s);
      // The fixture now expects the opposite value of its first signal: the reference fails it.
      if (s.id === A && copy.expected?.signals[0])
        copy.expected.signals[0].value = !copy.expected.signals[0].value;
      await writeFile(join(fixturesDir, `${s.id}.json`), JSON.stringify(copy));
    }
    const file = join(dir, 'report.html');
    const run = await conformance('--fixtures', fixturesDir, '--report', file, '--reporter', 'json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Report written to ${file}`);
    const html = await readFile(file, 'utf8');
    expect(matrixOf(html)).toContain(`<td class="cell fail"><a href="#${anchorId('cell', A, 'dapr-1.0')}"`);
    expect(matrixOf(html)).toContain(`<td class="cell pass"><a href="#${anchorId('cell', B, 'dapr-1.0')}"`);
    const section = sectionOf(html, A);
    expect(section).toMatch(/<p class="headline">signal value #0 at 200 ms: expected true/);
    expect(section).toMatch(
      /<div class="timelines"><figure class="expected"[^>]*><svg[\s\S]*<figure class="actual"[^>]*><svg/,
    );
  });

  it('replaces an existing report in one step, leaving no temporary file beside it', async () => {
    const file = join(dir, 'report.html');
    await writeFile(file, 'old page');
    expect((await conformance('--only', B, '--report', file)).code).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^<!doctype html>/);
    expect(await readdir(dir)).toEqual(['report.html']);
  });

  it('exits 2 before running anything when the report’s folder does not exist or the path is a folder', async () => {
    const missing = join(dir, 'no-such-folder', 'report.html');
    const run = await conformance('--report', missing);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `probekit: Failed to use --report ${JSON.stringify(missing)}: the folder ${JSON.stringify(join(dir, 'no-such-folder'))} does not exist. Create it first.\n`,
    );
    expect(run.stdout).toBe('');
    const folder = await conformance('--report', dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('it is a folder. Name a file inside it.');
  });
});
