import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/scenario/types.js';
import { renderSvgTimeline, SVG_COLORS } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';
import { xmlProblems } from './xml-well-formed.js';

type Attrs = Record<string, string>;

/** Every element whose class list has `cls`, with its attributes. */
function withClass(svg: string, cls: string): Array<{ tag: string; attrs: Attrs }> {
  const found: Array<{ tag: string; attrs: Attrs }> = [];
  for (const match of svg.matchAll(/<([a-z]+)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>/g)) {
    const attrs: Attrs = {};
    for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g))
      attrs[key] = value;
    if ((attrs.class ?? '').split(' ').includes(cls)) found.push({ tag: match[1] ?? '', attrs });
  }
  return found;
}

const num = (value: string | undefined) => Number(value);

describe('the SVG timeline is a clean standalone picture', () => {
  it('is well-formed XML with one svg root, a title, a description and a size', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="\d+" viewBox="0 0 960 \d+"/,
    );
    expect(svg).toContain('<title id="timeline-title">Health check timeline</title>');
    expect(svg).toMatch(/<desc id="timeline-desc">8 probes over 1050 ms; signals: true@115, false@350/);
  });

  it('loads nothing from outside: no links, images, scripts, or external fonts', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    expect(svg).not.toMatch(/href=|<script|<image|url\(|@import|<foreignObject/);
    expect(svg.match(/https?:\/\/[^"]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('escapes text that comes from the trace', () => {
    const svg = renderSvgTimeline({ source: 'exec: ./a <b> & "c"', durationMs: 10, probes: [], signals: [] });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('exec: ./a &lt;b&gt; &amp; &quot;c&quot;');
  });

  it('follows the width asked for, and draws an empty trace', () => {
    const svg = renderSvgTimeline({ durationMs: 0, probes: [], signals: [] }, { width: 600, title: 'Empty' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg [^>]*width="600"/);
    expect(withClass(svg, 'probe')).toEqual([]);
    expect(svg).toContain('>Empty</title>');
  });
});

describe('the SVG timeline draws every part of the run', () => {
  it('draws one bar per probe, from its start to its end, coloured by outcome', async () => {
    const trace = await recordTrace(EXAMPLE);
    const svg = renderSvgTimeline(trace);
    const bars = withClass(svg, 'probe');
    expect(bars).toHaveLength(trace.probes.length);
    expect(bars.map((b) => b.attrs.class)).toEqual([
      'probe probe-success',
      'probe probe-failure',
      'probe probe-timeout',
      'probe probe-failure',
      'probe probe-success',
      'probe probe-success',
      'probe probe-success',
      'probe probe-success',
    ]);
    for (const bar of bars) {
      const kind = bar.attrs.class?.split('-')[1] as 'success' | 'failure' | 'timeout';
      expect(bar.attrs.fill).toBe(SVG_COLORS[kind]);
    }
    // The timeout ran 300–350 ms: a bar five times as long as a 10 ms probe.
    const timeout = bars[2]!.attrs;
    const short = bars[1]!.attrs;
    expect(timeout['data-start']).toBe('300');
    expect(timeout['data-end']).toBe('350');
    expect(num(timeout.width) / (num(short.width) + 1)).toBeCloseTo(5, 0);
  });

  it('marks delivered and dropped ticks differently, at their due times', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    const dropped = withClass(svg, 'tick-dropped');
    expect(dropped.map((d) => d.attrs['data-at'])).toEqual(['500', '600']);
    expect(dropped.every((d) => d.tag === 'path' && d.attrs.stroke === SVG_COLORS.dropped)).toBe(true);
    const delivered = withClass(svg, 'tick').filter((t) => t.attrs.class === 'tick');
    expect(delivered.map((d) => d.attrs['data-at'])).toEqual([
      '100',
      '200',
      '300',
      '400',
      '700',
      '800',
      '900',
      '1000',
    ]);
    expect(delivered.every((d) => d.tag === 'line')).toBe(true);
  });

  it('shades the initial delay and the blocked period over their exact spans', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    const axis = withClass(svg, 'axis-label').length;
    expect(axis).toBeGreaterThan(5);
    const [delay] = withClass(svg, 'band-delay');
    const [blocked] = withClass(svg, 'band-blocked');
    const plot = 960 - 96 - 28;
    const x = (ms: number) => 96 + (ms / 1050) * plot;
    expect(num(delay?.attrs.x)).toBeCloseTo(x(0), 0);
    expect(num(delay?.attrs.width)).toBeCloseTo(x(30) - x(0), 0);
    expect(num(blocked?.attrs.x)).toBeCloseTo(x(350), 0);
    expect(num(blocked?.attrs.width)).toBeCloseTo(x(600) - x(350), 0);
    expect(svg).toContain('>initial delay</text>');
    expect(svg).toContain('>blocked</text>');
  });

  it('draws the failure counter as steps up to the threshold and beyond', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    const [steps] = withClass(svg, 'counter-steps');
    // Flat at 0, then one step per counted probe; the path has a vertical move per probe.
    expect(steps?.attrs.d?.match(/V/g)).toHaveLength(8);
    const points = withClass(svg, 'counter-point');
    expect(points).toHaveLength(8);
    // Points at or past the threshold (counts 2 and 3) are red.
    expect(points.filter((p) => p.attrs.fill === SVG_COLORS.threshold)).toHaveLength(2);
    expect(withClass(svg, 'threshold')).toHaveLength(1);
    expect(svg).toContain('>threshold 2: emit false</text>');
  });

  it('marks emitted signals as true/false, with a dashed line to when a late consumer read them', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    expect(withClass(svg, 'signal-true').map((s) => s.attrs['data-at'])).toEqual([
      '115',
      '715',
      '815',
      '915',
      '1015',
    ]);
    expect(withClass(svg, 'signal-false').map((s) => s.attrs['data-at'])).toEqual(['350']);
    const late = withClass(svg, 'delivery');
    expect(late).toHaveLength(2);
    expect(withClass(svg, 'delivered')).toHaveLength(2);
    expect(svg).toContain('<title>false sent at 350, read at 600</title>');
  });

  it('has a legend naming the marks it uses', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    for (const label of [
      'success',
      'bad status',
      'timeout',
      'dropped tick',
      'emit false',
      'read later',
      'blocked (unread signal)',
    ]) {
      expect(legend).toContain(`>${label}</text>`);
    }
    expect(legend).not.toContain('>no response</text>');
  });

  it('explains each probe in a tooltip with the rule it applied', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    expect(svg).toContain(
      '<title>probe #3 · 300–350 ms · timeout · timeout (50 ms) → failure 2 of 2 → emit false, once per streak</title>',
    );
  });
});

describe('the SVG timeline draws traces from other implementations', () => {
  it('draws probes without outcomes as grey marks and still shows the signals', () => {
    const external: Trace = {
      durationMs: 400,
      probes: [
        { index: 0, start: 100 },
        { index: 1, start: 200 },
      ],
      signals: [{ at: 200, value: true }],
    };
    const svg = renderSvgTimeline(external);
    expect(xmlProblems(svg)).toEqual([]);
    expect(withClass(svg, 'probe-unknown')).toHaveLength(2);
    expect(withClass(svg, 'signal-true')).toHaveLength(1);
    expect(svg).toContain('failure counts not reported');
  });
});
