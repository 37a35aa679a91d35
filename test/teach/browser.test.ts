import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSvgTimeline } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

const CHROMIUM = '/usr/bin/chromium';
const SCRIPT = fileURLToPath(new URL('../../scripts/check-svg-in-browser.mjs', import.meta.url));
const NO_CHROMIUM = `no Chromium at ${CHROMIUM} (apt-get install chromium to run the browser check)`;
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'probekit-browser-test-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function checkInBrowser(svg: string, name: string) {
  const file = join(work, name);
  writeFileSync(file, svg);
  try {
    const { stdout } = await run(process.execPath, [SCRIPT, file, '--json'], { timeout: 150_000 });
    return { exitCode: 0, result: JSON.parse(stdout) };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { exitCode: e.code, result: JSON.parse(e.stdout ?? '{}') };
  }
}

describe('the SVG timeline renders in a real browser', () => {
  it('loads as an image of its size, with every main element in place, inside the picture, painted', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), NO_CHROMIUM);
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    const { exitCode, result } = await checkInBrowser(svg, 'example.svg');
    expect(result.failures).toEqual([]);
    expect(exitCode).toBe(0);
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    expect(result.screenshot).toMatchObject({ width: 960, height });
    expect(result.report.img).toEqual({ complete: true, naturalWidth: 960, naturalHeight: height });
    expect(result.report.counts).toMatchObject({
      probes: 8,
      ticks: 8,
      droppedTicks: 2,
      signals: 6,
      bands: 2,
    });
    expect(result.report.outside).toEqual([]);
    // Success, failure and timeout bars are all really painted.
    expect(Object.values(result.screenshot.colours).every((n) => (n as number) > 50)).toBe(true);
  }, 180_000);

  it('fails the check for an SVG that is not well-formed', async (ctx) => {
    ctx.skip(!existsSync(CHROMIUM), NO_CHROMIUM);
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE)).replace('</svg>', '');
    const { exitCode, result } = await checkInBrowser(svg, 'broken.svg');
    expect(exitCode).toBe(1);
    expect(result.failures).toContain(
      'the SVG does not load as an image (not well-formed, or needs something external)',
    );
  }, 180_000);
});
