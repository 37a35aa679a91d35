import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCheckerConformance } from '../../src/conformance/checker/suite.js';
import {
  type MatrixReport,
  type ReportCell,
  renderHtmlReport,
} from '../../src/conformance/common/html-report/index.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { referenceAdapter } from '../../src/scenario/reference-adapter.js';
import { memoryIo } from '../support/cli-io.js';
import { CHROMIUM, openPage } from './html-report.chromium.js';

const NO_CHROMIUM = `no Chromium at ${CHROMIUM} (apt-get install chromium to run the browser check)`;
const WIDTH = 1280;
const PROFILES = [
  'dapr-0.6',
  'dapr-1.0',
  'dapr-1.1',
  'dapr-1.9',
  'dapr-1.10.5',
  'dapr-1.13',
  'dapr-apphealth-1.12',
  'dapr-apphealth-1.16',
];
const fixtures = loadScenarios().map((f) => f.scenario);

/**
 * Runs in the page once it has loaded: opens every <details> (so folded pictures are laid out
 * too), then reports the page's width, every element that reaches past the viewport (elements
 * inside a box that scrolls on its own, and the marks inside an SVG, are judged by their box),
 * the case ids of the sections, every in-page link of the matrix and whether its target is in a
 * case section, and where the matrix's header and totals rows sit once its box is scrolled to
 * the end.
 */
const MEASURE = `(() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const viewport = document.documentElement.clientWidth;
  const scrollers = [...document.querySelectorAll('.matrix-box, pre.reason')];
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (scrollers.some((s) => s !== el && s.contains(el))) continue;
    if (el.closest('svg') && el.localName !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > viewport + 0.5) {
      overflowing.push(el.localName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  const links = [...document.querySelectorAll('#matrix a[href^="#"]')].map((a) => {
    const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    return { href: a.getAttribute('href'), inCase: Boolean(target && target.closest('section.case')) };
  });
  const box = document.querySelector('.matrix-box');
  box.scrollTop = box.scrollHeight;
  const boxRect = box.getBoundingClientRect();
  const head = box.querySelector('thead th').getBoundingClientRect();
  const foot = box.querySelector('tfoot th').getBoundingClientRect();
  return {
    viewport,
    pageWidth: document.documentElement.scrollWidth,
    overflowing: overflowing.slice(0, 20),
    caseIds: [...document.querySelectorAll('section.case > h2 > code')].map((c) => c.textContent),
    columns: [...box.querySelectorAll('thead th')].slice(2).map((th) => th.textContent),
    links: links.length,
    brokenLinks: links.filter((l) => !l.inCase).map((l) => l.href).slice(0, 20),
    pictures: document.querySelectorAll('.timelines figure').length,
    matrix: {
      scrolled: box.scrollTop > 0,
      headerGap: Math.round(head.top - boxRect.top),
      footerGap: Math.round(boxRect.bottom - foot.bottom),
    },
  };
})()`;

interface Measured {
  viewport: number;
  pageWidth: number;
  overflowing: string[];
  caseIds: string[];
  columns: string[];
  links: number;
  brokenLinks: string[];
  pictures: number;
  matrix: { scrolled: boolean; headerGap: number; footerGap: number };
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probekit-html-report-browser-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the file in Chromium at 1280 px, measures it, and says what it fetched and logged. */
async function inBrowser(file: string) {
  const url = pathToFileURL(file).href;
  const page = await openPage(url, { width: WIDTH, height: 900 });
  try {
    const measured = await page.evaluate<Measured>(MEASURE);
    return { url, measured, requests: [...page.requests], log: [...page.log] };
  } finally {
    await page.close();
  }
}

/** Every fixture against the eight profiles: real traces, statuses in turn, long diff lines. */
async function eightProfiles(): Promise<MatrixReport> {
  const run = await runCheckerConformance(referenceAdapter);
  const statuses: ReportCell['status'][] = ['pass', 'fail', 'flaky', 'fail', 'skip'];
  const unbroken = `expected-${'x'.repeat(300)}`;
  return {
    title: 'Checker conformance',
    implementation: 'exec: python3 docs/examples/dapr_checker.py --a-long-flag-that-goes-on-and-on',
    generatedAt: '2026-11-30T18:00:00.000Z',
    summary: 'real time, time scale 1, tolerance max(20 ms, 15% of the interval), 5 runs per case',
    columns: PROFILES.map((id) => ({ id, label: id, note: `Dapr's ${id} behaviour` })),
    cases: run.results.map((result, i) => ({
      id: result.id,
      description: result.description,
      level: String(result.level),
      rules: [...result.rules],
      cells: Object.fromEntries(
        PROFILES.map((profile, j) => {
          const status = statuses[(i + j) % statuses.length] as ReportCell['status'];
          const cell: ReportCell =
            status === 'skip'
              ? { status, reason: 'virtual time only: the tick and the read coincide' }
              : {
                  status,
                  ...(status === 'flaky' ? { runs: { passed: 3, total: 5 } } : {}),
                  ...(status === 'pass'
                    ? {}
                    : {
                        headline: `extra signal #1 at 300 ms: expected no signal, actual false (${profile})`,
                        diffs: [
                          `signal value #0 at 200 ms: ${unbroken}`,
                          'probe time #2 at 400 ms: expected 400ms, actual 431ms',
                        ],
                        reason: `First divergence at 200ms\n  ${unbroken}`,
                      }),
                  expected: fixtures.find((f) => f.id === result.id)?.expected,
                  actual: result.actual,
                };
          return [profile, cell];
        }),
      ),
    })),
  };
}

function expectReadable(seen: Awaited<ReturnType<typeof inBrowser>>, columns: string[]) {
  const m = seen.measured;
  expect(m.viewport).toBe(WIDTH);
  expect(m.overflowing).toEqual([]);
  expect(m.pageWidth).toBeLessThanOrEqual(WIDTH);
  expect(m.caseIds).toEqual(fixtures.map((s) => s.id));
  expect(m.columns).toEqual(columns);
  // A link per case (its id) and one per cell, each to an element inside a case's section.
  expect(m.links).toBe(fixtures.length * (1 + columns.length));
  expect(m.brokenLinks).toEqual([]);
  // The header and totals rows stay in the box's view when it is scrolled to the end.
  expect(m.matrix.scrolled).toBe(true);
  expect(Math.abs(m.matrix.headerGap)).toBeLessThanOrEqual(2);
  expect(Math.abs(m.matrix.footerGap)).toBeLessThanOrEqual(2);
  // Nothing left the page: the one request is the file itself, and nothing was refused.
  expect(seen.requests).toEqual([seen.url]);
  expect(seen.log.filter((l) => /Content Security Policy|Refused|Failed to load/i.test(l))).toEqual([]);
}

describe('the HTML conformance report in headless Chromium, at 1280 px', () => {
  it('every case × 8 profiles: fits the width, shows every case, every matrix link lands in its case, fetches nothing', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), NO_CHROMIUM);
    const file = join(dir, 'eight.html');
    const model = await eightProfiles();
    await writeFile(file, renderHtmlReport(model));
    const seen = await inBrowser(file);
    expectReadable(seen, PROFILES);
    // Two pictures (or a "no trace" figure) per cell that is not skipped (one in five is).
    const drawn = model.cases.flatMap((c) => Object.values(c.cells)).filter((c) => c.status !== 'skip');
    expect(drawn.length).toBeGreaterThan(300);
    expect(seen.measured.pictures).toBe(2 * drawn.length);
  }, 180_000);

  it('the page `probekit conformance checker --report` writes (one column) passes the same checks', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), NO_CHROMIUM);
    const file = join(dir, 'report.html');
    const t = memoryIo({ ...process.env });
    // Exit 0 or 1: a fixture being written may fail; the page is what is checked here.
    expect([0, 1]).toContain(await main(['conformance', 'checker', '--report', file], t.io));
    const seen = await inBrowser(file);
    expectReadable(seen, ['dapr-1.0']);
    expect(seen.measured.pictures).toBe(2 * fixtures.length);
  }, 180_000);

  it('catches a page that fetches a stylesheet and is wider than the window (the check can fail)', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), NO_CHROMIUM);
    const good = join(dir, 'good.html');
    const t = memoryIo({ ...process.env });
    expect(await main(['conformance', 'checker', '--only', 'hang-times-out', '--report', good], t.io)).toBe(
      0,
    );
    // Port 9 on 127.0.0.1 (discard): refused at once, and the request is on record all the same.
    const doctored = (await readFile(good, 'utf8'))
      .replace(
        /<meta http-equiv="Content-Security-Policy"[^>]*>/,
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
      )
      .replace('<main>', '<main><div class="wide" style="width: 2000px">wide</div>');
    const bad = join(dir, 'bad.html');
    await writeFile(bad, doctored);
    const seen = await inBrowser(bad);
    expect(seen.requests).toContain('http://127.0.0.1:9/x.css');
    expect(seen.measured.overflowing.some((o) => o.startsWith('div.wide'))).toBe(true);
    expect(seen.measured.pageWidth).toBeGreaterThan(WIDTH);
  }, 180_000);
});
