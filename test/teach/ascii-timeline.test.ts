import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/scenario/types.js';
import { renderAsciiTimeline } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

const LABEL = 9;

/** The cells of one lane (after its 9-column label), as code points. */
function lane(text: string, name: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(name.padEnd(LABEL)));
  if (line === undefined) throw new Error(`no lane ${name} in:\n${text}`);
  return [...line].slice(LABEL);
}

/** The column of time `ms` at `msPerColumn`. */
const at = (ms: number, msPerColumn = 20) => Math.floor(ms / msPerColumn);

const widest = (text: string) =>
  Math.max(
    ...text
      .trimEnd()
      .split('\n')
      .map((l) => [...l].length),
  );

describe('the text timeline fits the terminal', () => {
  it('keeps every line within 80 columns, or the width asked for', async () => {
    const trace = await recordTrace(EXAMPLE);
    expect(widest(renderAsciiTimeline(trace))).toBeLessThanOrEqual(80);
    expect(widest(renderAsciiTimeline(trace, { width: 60 }))).toBeLessThanOrEqual(60);
    expect(widest(renderAsciiTimeline(trace, { width: 120 }))).toBeLessThanOrEqual(120);
  });

  it('scales a long run to fit and says the scale', async () => {
    const long = await recordTrace({
      options: { intervalMs: 100, initialDelayMs: 0, requestTimeoutMs: 50 },
      items: ['200', '503', '503'],
      until: 100_000,
    });
    const text = renderAsciiTimeline(long);
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toContain('scale: 1 column = 2000 ms · 0–100000 ms');
    expect(renderAsciiTimeline(await recordTrace(EXAMPLE))).toContain('scale: 1 column = 20 ms · 0–1050 ms');
  });

  it('labels the time axis at the scale it states', async () => {
    const text = renderAsciiTimeline(await recordTrace(EXAMPLE));
    const labels = text.split('\n').find((l) => l.startsWith('ms '));
    expect(labels?.slice(LABEL).split(/\s+/)).toEqual(['0', '200', '400', '600', '800', '1000']);
    expect(labels?.indexOf('600')).toBe(LABEL + at(600));
  });
});

describe('the text timeline shows the loop, ticks, probes, counter and signals in their columns', () => {
  it('draws a real run with a late consumer: delay, blocked period, dropped ticks, outcomes, reads', async () => {
    const text = renderAsciiTimeline(await recordTrace(EXAMPLE));
    const loop = lane(text, 'loop');
    expect(loop.slice(0, 2)).toEqual(['░', '░']); // initial delay 0–30 ms
    expect(loop[2]).toBe(' ');
    expect(loop.slice(at(350), at(600)).every((c) => c === '▓')).toBe(true); // blocked 350–600
    expect(loop[at(600)] ?? ' ').toBe(' ');

    const ticks = lane(text, 'ticks');
    expect(ticks[at(500)]).toBe('×');
    expect(ticks[at(600)]).toBe('×');
    expect(ticks[at(400)]).toBe('│');

    const probes = lane(text, 'probes');
    expect(probes[at(100)]).toBe('●');
    expect(probes[at(200)]).toBe('✕');
    expect(probes[at(300)]).toBe('T'); // the probe that timed out, running 300–350
    expect(probes.slice(at(300) + 1, at(350) + 1)).toEqual(['─', '─']);
    expect(probes[at(600)]).toBe('✕');

    const count = lane(text, 'count');
    expect([count[at(210)], count[at(350)], count[at(610)], count[at(715)]]).toEqual(['1', '2', '3', '0']);

    const signals = lane(text, 'signals');
    expect(signals[at(115)]).toBe('▲');
    expect(signals[at(350)]).toBe('▼');
    expect(signals[at(600)]).toBe('»'); // both late values read at 600
    expect(signals[at(400)]).toBe('·'); // unread meanwhile
    expect(signals[at(715)]).toBe('▲');
    expect(text).toContain('signals: true@115→read 600, false@350→read 600, true@715');
  });

  it('lists in the legend only the marks the picture uses', async () => {
    const quiet = renderAsciiTimeline(
      await recordTrace({ options: { intervalMs: 100, initialDelayMs: 0 }, items: [], until: 500 }),
    );
    expect(quiet).toMatch(/legend:.*● success/);
    expect(quiet).not.toContain('dropped tick');
    expect(quiet).not.toContain('blocked');
    const busy = renderAsciiTimeline(await recordTrace(EXAMPLE));
    for (const mark of ['░ initial delay', '▓ blocked', '× dropped tick', 'T timeout', '» read']) {
      expect(busy).toContain(mark);
    }
  });

  it('draws a trace that reports only probe starts and signals', () => {
    const external: Trace = {
      durationMs: 300,
      probes: [
        { index: 0, start: 100 },
        { index: 1, start: 200 },
      ],
      signals: [{ at: 200, value: false }],
    };
    const text = renderAsciiTimeline(external, { width: 40 });
    const msPerColumn = 10;
    expect(text).toContain(`1 column = ${msPerColumn} ms`);
    expect(lane(text, 'probes')[at(100, msPerColumn)]).toBe('◆');
    expect(lane(text, 'signals')[at(200, msPerColumn)]).toBe('▼');
    expect(text).not.toMatch(/^ticks +\S/m);
  });

  it('draws an empty trace without failing', () => {
    const text = renderAsciiTimeline({ durationMs: 0, probes: [], signals: [] });
    expect(text).toContain('scale: 1 column = 1 ms · 0–0 ms');
    expect(text).toContain('signals: none');
  });
});

describe('the text timeline is plain unless asked otherwise', () => {
  it('uses colour only with color: true, and the same text underneath', async () => {
    const trace = await recordTrace(EXAMPLE);
    const plain = renderAsciiTimeline(trace);
    expect(plain).not.toContain('\u001b[');
    const coloured = renderAsciiTimeline(trace, { color: true });
    expect(coloured).toContain('\u001b[32m'); // success in green
    expect(coloured).toContain('\u001b[31m'); // failure in red
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it('uses only 7-bit characters with charset ascii', async () => {
    const text = renderAsciiTimeline(await recordTrace(EXAMPLE), { charset: 'ascii' });
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(lane(text, 'ticks')[at(500)]).toBe('x');
    expect(lane(text, 'signals')[at(350)]).toBe('v');
  });
});
