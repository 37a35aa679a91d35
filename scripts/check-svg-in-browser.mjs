#!/usr/bin/env node
// Checks an SVG timeline in a real browser (headless Chromium):
//   1. loads it as an <img> (a standalone SVG that is not well-formed XML, or that needs
//      anything external, fails here) and inline, then reads the DOM back with --dump-dom:
//      natural size, counts of the main elements, nothing drawn outside the picture, no
//      overlapping axis or legend labels;
//   2. takes a screenshot of the SVG file and checks the PNG: its size (from the IHDR header)
//      and that every probe colour the SVG uses is really painted.
// Usage: node scripts/check-svg-in-browser.mjs <file.svg> [--chromium <path>] [--json]
// Exit codes: 0 all checks passed, 1 a check failed, 2 usage error or no Chromium.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_TIMEOUT_MS = 60_000;

function usage(message) {
  process.stderr.write(
    `check-svg-in-browser: ${message}\nUsage: node scripts/check-svg-in-browser.mjs <file.svg> [--chromium <path>] [--json]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { file: undefined, chromium: DEFAULT_CHROMIUM, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--chromium') options.chromium = argv[++i] ?? usage('--chromium needs a path');
    else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else if (options.file === undefined) options.file = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (options.file === undefined) usage('no SVG file given');
  return options;
}

/** Runs Chromium headless with a throwaway profile and no network chatter. */
function chromium(binary, profile, args) {
  const result = spawnSync(
    binary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error) throw new Error(`Chromium failed to run: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`Chromium exited with ${result.status}: ${result.stderr.slice(-500)}`);
  return result.stdout;
}

// Runs in the page: measures the inline SVG and the <img> once everything has loaded.
const PROBE_PAGE_SCRIPT = `
window.addEventListener('load', () => {
  const report = { errors: [] };
  try {
    const svg = document.querySelector('#inline svg');
    const img = document.getElementById('img');
    report.img = { complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight };
    const box = svg.getBoundingClientRect();
    report.rendered = { width: box.width, height: box.height };
    const count = (selector) => svg.querySelectorAll(selector).length;
    report.counts = {
      probes: count('.probe'),
      ticks: count('.tick:not(.tick-dropped)'),
      droppedTicks: count('.tick-dropped'),
      signals: count('.signal'),
      bands: count('.band'),
      counterSteps: count('.counter-steps'),
      axisLabels: count('.axis-label'),
      legendItems: count('.legend-item'),
    };
    report.title = svg.querySelector('title') ? svg.querySelector('title').textContent : null;
    report.external = [...svg.querySelectorAll('*')]
      .filter((el) => ['script', 'image', 'foreignObject', 'use', 'a'].includes(el.localName) || el.hasAttribute('href') || el.hasAttribute('xlink:href'))
      .map((el) => el.localName);
    const vb = svg.viewBox.baseVal;
    report.outside = [];
    for (const el of svg.querySelectorAll('rect, line, path, polygon, circle, text')) {
      const b = el.getBBox();
      if (b.x < vb.x - 1 || b.y < vb.y - 1 || b.x + b.width > vb.x + vb.width + 1 || b.y + b.height > vb.y + vb.height + 1) {
        report.outside.push((el.getAttribute('class') || el.tagName) + ' ' + (el.textContent || '').slice(0, 30));
      }
    }
    const overlapping = (selector) => {
      const boxes = [...svg.querySelectorAll(selector)].map((e) => e.getBBox()).filter((b) => b.width > 0);
      const pairs = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], c = boxes[j];
          if (a.x < c.x + c.width && c.x < a.x + a.width && a.y < c.y + c.height && c.y < a.y + a.height) pairs.push([i, j]);
        }
      }
      return pairs.length;
    };
    report.overlaps = {
      axisLabels: overlapping('.axis-label'),
      legendItems: overlapping('.legend-item'),
      probeLabels: overlapping('.probe-label'),
      bandLabels: overlapping('.band-label'),
    };
  } catch (error) {
    report.errors.push(String(error && error.stack || error));
  }
  document.getElementById('report').textContent = JSON.stringify(report);
});
`;

function pageFor(svgText) {
  const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svgText).toString('base64')}`;
  // The inline copy drops any XML declaration: it is not allowed inside HTML.
  const inline = svgText.replace(/^<\?xml[^>]*\?>\s*/, '');
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>
<div id="inline">${inline}</div>
<img id="img" alt="" src="${dataUrl}">
<pre id="report">pending</pre>
<script>${PROBE_PAGE_SCRIPT}</script>
</body></html>`;
}

function htmlUnescape(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Decodes an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes) into its pixels. */
function decodePng(buffer) {
  const signature = '89504e470d0a1a0a';
  if (buffer.subarray(0, 8).toString('hex') !== signature) throw new Error('not a PNG (bad signature)');
  let offset = 8;
  let header;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (!header) throw new Error('PNG without an IHDR header');
  const channels = { 2: 3, 6: 4 }[header.colorType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlace !== 0) {
    return { ...header, pixels: undefined };
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  const pixels = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { ...header, channels, pixels };
}

function countColour(png, hex) {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    if (
      Math.abs(png.pixels[i] - r) <= 3 &&
      Math.abs(png.pixels[i + 1] - g) <= 3 &&
      Math.abs(png.pixels[i + 2] - b) <= 3
    )
      n++;
  }
  return n;
}

function check(file, binary) {
  const svgText = readFileSync(file, 'utf8');
  const root = /<svg\b[^>]*>/.exec(svgText)?.[0] ?? '';
  const width = Number(/\swidth="(\d+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="(\d+)"/.exec(root)?.[1]);
  const failures = [];
  if (!(width > 0 && height > 0)) failures.push('the root <svg> has no numeric width and height');
  const sourceProbes = (svgText.match(/class="probe probe-/g) ?? []).length;
  const probeFills = [
    ...new Set(
      [...svgText.matchAll(/class="probe probe-[a-z]+"[^>]*?fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]),
    ),
  ];

  const work = mkdtempSync(join(tmpdir(), 'probekit-svg-'));
  try {
    const page = join(work, 'page.html');
    writeFileSync(page, pageFor(svgText));
    const dom = chromium(binary, join(work, 'profile-dom'), [
      '--virtual-time-budget=5000',
      '--dump-dom',
      pathToFileURL(page).href,
    ]);
    const reportText = /<pre id="report">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
    let report;
    try {
      report = JSON.parse(htmlUnescape(reportText ?? ''));
    } catch {
      throw new Error(`the page did not report (got ${JSON.stringify((reportText ?? dom).slice(0, 200))})`);
    }

    const copy = join(work, 'timeline.svg');
    writeFileSync(copy, svgText);
    const shot = join(work, 'shot.png');
    chromium(binary, join(work, 'profile-shot'), [
      `--screenshot=${shot}`,
      `--window-size=${width},${height}`,
      pathToFileURL(copy).href,
    ]);
    const png = decodePng(readFileSync(shot));
    const colours = Object.fromEntries(
      png.pixels ? probeFills.map((hex) => [hex, countColour(png, hex)]) : [],
    );

    if (report.errors.length) failures.push(`the page script failed: ${report.errors.join('; ')}`);
    if (!report.img?.complete || report.img.naturalWidth === 0)
      failures.push('the SVG does not load as an image (not well-formed, or needs something external)');
    else if (report.img.naturalWidth !== width || report.img.naturalHeight !== height) {
      failures.push(
        `the image is ${report.img.naturalWidth}×${report.img.naturalHeight}, expected ${width}×${height}`,
      );
    }
    if (
      report.rendered &&
      (Math.round(report.rendered.width) !== width || Math.round(report.rendered.height) !== height)
    ) {
      failures.push(
        `the inline SVG renders at ${report.rendered.width}×${report.rendered.height}, expected ${width}×${height}`,
      );
    }
    if (!report.title) failures.push('no <title>');
    if (report.external?.length) failures.push(`not standalone: it has ${report.external.join(', ')}`);
    if (report.counts?.probes !== sourceProbes)
      failures.push(`the browser sees ${report.counts?.probes} probe bars, the file has ${sourceProbes}`);
    for (const key of ['axisLabels', 'legendItems', 'counterSteps']) {
      if (!(report.counts?.[key] > 0)) failures.push(`no ${key} in the picture`);
    }
    if (report.outside?.length) failures.push(`drawn outside the picture: ${report.outside.join(', ')}`);
    for (const [what, n] of Object.entries(report.overlaps ?? {}))
      if (n > 0) failures.push(`${n} overlapping ${what}`);
    if (png.width !== width || png.height !== height)
      failures.push(`the screenshot is ${png.width}×${png.height}, expected ${width}×${height}`);
    for (const [hex, n] of Object.entries(colours))
      if (n < 10) failures.push(`probe colour ${hex} is not painted (${n} pixels)`);

    return {
      file,
      width,
      height,
      ok: failures.length === 0,
      failures,
      report,
      screenshot: { width: png.width, height: png.height, colours },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
if (!existsSync(options.chromium)) {
  process.stderr.write(
    `check-svg-in-browser: no Chromium at ${options.chromium} (apt-get install chromium, or pass --chromium <path>).\n`,
  );
  process.exit(2);
}
let result;
try {
  result = check(resolve(options.file), options.chromium);
} catch (error) {
  result = {
    file: options.file,
    ok: false,
    failures: [error instanceof Error ? error.message : String(error)],
  };
}
if (options.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else if (result.ok) {
  const c = result.report.counts;
  process.stdout.write(
    `ok: ${options.file} renders at ${result.width}×${result.height} with ${c.probes} probe bars, ${c.ticks} ticks, ${c.droppedTicks} dropped, ${c.signals} signals, ${c.bands} shaded periods, ${c.legendItems} legend items\n`,
  );
} else {
  process.stdout.write(`FAILED: ${options.file}\n${result.failures.map((f) => `  - ${f}`).join('\n')}\n`);
}
process.exit(result.ok ? 0 : 1);
