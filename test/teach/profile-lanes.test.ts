import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario, Trace } from '../../src/scenario/types.js';
import { renderProfileLanes, renderTimeline } from '../../src/teach/index.js';
import { xmlProblems } from './xml-well-formed.js';

type Attrs = Record<string, string>;

/** Every element whose class list has `cls`, with its attributes, in document order. */
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

/** The markup of the n-th lane group (1-based). */
function lane(svg: string, n: number): string {
  const start = svg.indexOf(`data-lane="${n}"`);
  const next = svg.indexOf(`data-lane="${n + 1}"`);
  return svg.slice(start, next === -1 ? svg.indexOf('class="axis"') : next);
}

function scenario(
  script: string,
  options: Scenario['options'],
  durationMs: number,
  readDelayMs = 0,
): Scenario {
  return {
    id: 'lanes',
    description: script,
    rules: [],
    level: 'core',
    options,
    script,
    durationMs,
    readDelayMs,
  };
}

async function lanesOf(s: Scenario, profiles: string[]): Promise<Array<{ profile: string; trace: Trace }>> {
  const lanes = [];
  for (const profile of profiles) lanes.push({ profile, trace: await simulate(s, { profile }) });
  return lanes;
}

const STREAKS = scenario(
  '200, 503*4, 200...',
  { intervalMs: 100, initialDelayMs: 30, requestTimeoutMs: 50 },
  800,
);
/** Hanging probes longer than the interval: v1.10.5 starts one every tick, so they overlap. */
const OVERLAP = scenario(
  'hang*3, 503*3, 200...',
  { intervalMs: 100, initialDelayMs: 30, requestTimeoutMs: 250, failureThreshold: 0 },
  1000,
);
const REDIRECT = scenario('302 [location="/ok"], 200...', { intervalMs: 100, initialDelayMs: 30 }, 400);

describe('renderProfileLanes draws one lane per profile on one time axis', () => {
  it('svg: stacks a lane per profile, in order, labelled with its name and versions, over one axis', async () => {
    const lanes = await lanesOf(STREAKS, ['dapr-1.0', 'dapr-1.1', 'dapr-1.13']);
    const svg = renderProfileLanes(lanes, { format: 'svg' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(withClass(svg, 'lane').map((g) => g.attrs['data-profile'])).toEqual([
      'dapr-1.0',
      'dapr-1.1',
      'dapr-1.13',
    ]);
    expect(withClass(svg, 'axis')).toHaveLength(1);
    expect(withClass(svg, 'legend')).toHaveLength(1);
    expect(lane(svg, 2)).toContain('v1.1.0–v1.8.7');
    expect(lane(svg, 3)).toContain('v1.13.0–v1.14.5');
    // One x scale: the probe at 200 ms sits at the same x in every lane.
    const at200 = [1, 2, 3].map((n) =>
      withClass(lane(svg, n), 'probe').find((p) => p.attrs['data-start'] === '200'),
    );
    expect(at200.every((p) => p !== undefined)).toBe(true);
    expect(new Set(at200.map((p) => p?.attrs.x)).size).toBe(1);
    // v1.1 repeats false at 400 and 500, v1.0 does not.
    const falses = (n: number) =>
      withClass(lane(svg, n), 'signal-false').map((s) => Number(s.attrs['data-at']));
    expect(falses(1)).toEqual([300]);
    expect(falses(2)).toEqual([300, 400, 500]);
    expect(falses(3)).toEqual([200]);
  });

  it('svg: puts overlapping probes on rows of their own, so none hides another', async () => {
    const lanes = await lanesOf(OVERLAP, ['dapr-1.9', 'dapr-1.10.5']);
    const svg = renderProfileLanes(lanes, { format: 'svg' });
    expect(xmlProblems(svg)).toEqual([]);
    const sequential = withClass(lane(svg, 1), 'probe');
    expect(sequential.every((p) => p.attrs['data-row'] === undefined)).toBe(true);
    const overlapping = withClass(lane(svg, 2), 'probe').slice(0, 3);
    expect(overlapping.map((p) => p.attrs['data-start'])).toEqual(['100', '200', '300']);
    expect(overlapping.map((p) => p.attrs['data-row'])).toEqual([undefined, '1', '2']);
    expect(new Set(overlapping.map((p) => p.attrs.y)).size).toBe(3);
  });

  it('svg: draws a negative failure count below zero, inside its lane', async () => {
    const lanes = await lanesOf(OVERLAP, ['dapr-1.10.5']);
    const svg = renderProfileLanes(lanes, { format: 'svg' });
    const scale = withClass(svg, 'counter-scale');
    expect(scale.length).toBe(3);
    expect(svg).toMatch(/class="counter-scale"[^>]*>-1</);
    const points = withClass(svg, 'counter-point').map((p) => Number(p.attrs.cy));
    const ys = scale.map((s) => Number(s.attrs.y) - 3.5);
    // Every point lies between the bottom (-1) and the top of the scale.
    expect(Math.max(...points)).toBeLessThanOrEqual(Math.max(...ys) + 0.1);
    expect(Math.min(...points)).toBeGreaterThanOrEqual(Math.min(...ys) - 0.1);
    expect(new Set(points).size).toBe(2);
  });

  it('ascii: stacks the lanes under one time ruler, within 80 columns', async () => {
    const lanes = await lanesOf(STREAKS, ['dapr-1.0', 'dapr-1.1', 'dapr-1.13']);
    const text = renderProfileLanes(lanes, { format: 'ascii' });
    const lines = text.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const headers = lines.filter((l) => l.startsWith('── dapr-'));
    expect(headers.map((l) => l.split(' ')[1])).toEqual(['dapr-1.0', 'dapr-1.1', 'dapr-1.13']);
    // The ruler comes once above the lanes (and once more under a stack of three).
    expect(lines.filter((l) => l.startsWith('ms ')).length).toBe(2);
    const probes = lines.filter((l) => /^probes {2}/.test(l));
    expect(probes).toHaveLength(3);
    // The same instant is the same column (20 ms each, after 9 of labels): a failed probe at 200 ms.
    for (const row of probes) expect([...row][9 + 200 / 20]).toBe('✕');
    expect(text).toContain('true@100, false@300, false@400, false@500, true@600');
  });

  it('ascii: draws overlapping probes on extra rows and a negative count as -', async () => {
    const lanes = await lanesOf(OVERLAP, ['dapr-1.10.5']);
    const text = renderProfileLanes(lanes, { format: 'ascii' });
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.startsWith('probes'));
    expect(lines[first + 1]).toMatch(/^ {9,}T─/);
    expect(lines[first + 2]).toMatch(/^ {9,}T─/);
    expect(lines.find((l) => l.startsWith('count'))).toContain('-');
    expect(text).toMatch(/probes\s+overlap \(3 at once\)/);
    expect(text).toContain('- negative count');
  });

  it('table: the signals of each profile first, then a section per profile explained by its rules', async () => {
    const lanes = await lanesOf(STREAKS, ['dapr-1.0', 'dapr-1.1']);
    const text = renderProfileLanes(lanes, { format: 'table', width: 100 });
    expect(text).toMatch(/^dapr-1\.0 +true@100, false@300, true@600, true@700, true@800$/m);
    expect(text).toMatch(/^dapr-1\.1 +true@100, false@300, false@400, false@500, true@600/m);
    expect(text).toMatch(/^dapr-1\.0 \(v0\.11\.3–v1\.0\.1\) · interval 100 ms/m);
    expect(text).toMatch(/^dapr-1\.1 \(v1\.1\.0–v1\.8\.7\) · interval 100 ms/m);
    const v11 = text.slice(text.indexOf('dapr-1.1 (v1.1.0'));
    expect(v11).toMatch(/#4 → 503 +1 +503 ≠ 200 → failure, count 1 → emit false; at 2 or more/);
    expect(text.slice(0, text.indexOf('dapr-1.1 (v1.1.0'))).toMatch(/#4 → 503 .*false only at 2/);
  });

  it('says when a probe took more than one request, and why', async () => {
    const lanes = await lanesOf(REDIRECT, ['dapr-0.6', 'dapr-1.0']);
    const table = renderProfileLanes(lanes, { format: 'table', width: 120 });
    expect(table).toContain('200 = 200 (2 requests: redirect followed) → success');
    expect(renderProfileLanes(lanes, { format: 'ascii' })).toContain(
      'probe #1 at 100: 2 requests: redirect followed',
    );
    const svg = renderProfileLanes(lanes, { format: 'svg' });
    expect(withClass(lane(svg, 1), 'probe')[0]?.attrs['data-requests']).toBe('2');
    expect(lane(svg, 1)).toContain('>200 ×2</text>');
    expect(withClass(lane(svg, 2), 'probe')[0]?.attrs['data-requests']).toBeUndefined();
  });

  it('draws a trace without an initial delay (v1.13 probes at once) and one with', async () => {
    const lanes = await lanesOf(STREAKS, ['dapr-1.0', 'dapr-1.13']);
    const svg = renderProfileLanes(lanes, { format: 'svg' });
    expect(withClass(lane(svg, 1), 'band-delay')).toHaveLength(1);
    expect(withClass(lane(svg, 2), 'band-delay')).toHaveLength(0);
    // v1.13 ignores --initial-delay, and its header does not claim one.
    expect(lane(svg, 2)).not.toContain('delay 30 ms');
    expect(withClass(lane(svg, 2), 'probe')[0]?.attrs['data-start']).toBe('0');
  });

  it('escapes a lane label that names no profile, and explains it by the reference rules', async () => {
    const [reference] = await lanesOf(STREAKS, ['dapr-1.0']);
    const lanes = [{ profile: 'mine <b> & "c"', trace: reference?.trace as Trace }];
    const svg = renderProfileLanes(lanes, { format: 'svg', title: 'a < b' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('mine &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('<title id="lanes-title">a &lt; b</title>');
    expect(renderProfileLanes(lanes, { format: 'table', width: 120 })).toContain(
      'emit false, once per streak',
    );
  });

  it('refuses no lanes, an unknown format and a trace that is not one, with a code', () => {
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const none = attempt(() => renderProfileLanes([], { format: 'svg' }));
    expect(none).toBeInstanceOf(ProbekitError);
    expect((none as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((none as Error).message).toMatch(/^Failed to render the profile lanes: got no lanes\./);
    const format = attempt(() =>
      renderProfileLanes([{ profile: 'dapr-1.0', trace: { durationMs: 1, probes: [], signals: [] } }], {
        format: 'png' as 'svg',
      }),
    );
    expect((format as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((format as Error).message).toContain('"png"');
    const notTrace = attempt(() =>
      renderProfileLanes([{ profile: 'dapr-1.0', trace: { durationMs: 1 } as Trace }], { format: 'table' }),
    );
    expect((notTrace as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect((notTrace as Error).message).toContain('no "probes" array');
  });
});

describe('a single timeline under a profile', () => {
  it('explains a repeated false by v1.1 rules, not as "nothing" the reference would say', async () => {
    const trace = await simulate(STREAKS, { profile: 'dapr-1.1' });
    const table = renderTimeline(trace, { format: 'table', profile: 'dapr-1.1', width: 120 });
    expect(table).toMatch(/#4 → 503 +1 +503 ≠ 200 → failure, count 1 → emit false; at 2 or more/);
    expect(table).not.toContain('false only at');
    expect(renderTimeline(trace, { format: 'ascii', profile: 'dapr-1.1' })).toMatch(
      /^dapr-1\.1 \(v1\.1\.0–v1\.8\.7\) · interval 100 ms/,
    );
  });

  it('uses the profile defaults for options the trace leaves out', async () => {
    const trace = await simulate(scenario('200...', {}, 9000), { profile: 'dapr-1.13' });
    const svg = renderTimeline(trace, { format: 'svg', profile: 'dapr-1.13' });
    expect(svg).toContain('dapr-1.13 (v1.13.0–v1.14.5) · interval 3000 ms · threshold 2 · timeout 2000 ms');
    expect(withClass(svg, 'probe').map((p) => p.attrs['data-start'])).toEqual(['0', '3000', '6000', '9000']);
  });
});

describe('signals are tied to the probe that sent them', () => {
  // Regression: v1.13's true at 8500 ms was explained on the timed-out probe that ended at the
  // same instant, not on the success right after it.
  it('ties a true to the success, not to the failure that ended at the same instant', async () => {
    const trace = await simulate(scenario('200, 503*3, hang, 200...', {}, 12_000), { profile: 'dapr-1.13' });
    const table = renderTimeline(trace, { format: 'table', profile: 'dapr-1.13', width: 200 });
    expect(table).toMatch(
      /^ *8500 +#5 → timeout +0 +timeout \(2000 ms\) → failure, count 0; unhealthy: nothing reported/m,
    );
    expect(table).not.toMatch(/#5 → timeout .*emit true/);
    expect(table).toMatch(/^ *8500 +#6 → 200 +\d+ +200 = 200 → success → emit true \(now healthy\)/m);
  });
});

describe('a threshold of 0 under v1.13', () => {
  it('explains the false a success sends, without calling it a true', async () => {
    const trace = await simulate(scenario('200...', { intervalMs: 100, failureThreshold: 0 }, 150), {
      profile: 'dapr-1.13',
    });
    const table = renderTimeline(trace, { format: 'table', profile: 'dapr-1.13', width: 200 });
    expect(table).toMatch(/^ *100 +#2 → 200 +0 +200 = 200 → success, count 0 → emit false; threshold 0/m);
    expect(table).toMatch(/^ *100 +#3 → 200 +0 +200 = 200 → success → emit true \(now healthy\)/m);
  });
});

describe('the single-timeline renderers take any profile trace, named or not', () => {
  it('draw overlapping probes, a negative count and a probe of two requests without a profile', async () => {
    const overlap = await simulate(OVERLAP, { profile: 'dapr-1.10.5' });
    const svg = renderTimeline(overlap, { format: 'svg' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(
      withClass(svg, 'probe')
        .map((p) => p.attrs['data-row'] ?? '0')
        .slice(0, 3),
    ).toEqual(['0', '1', '2']);
    expect(svg).toMatch(/class="counter-scale"[^>]*>-1</);
    const ascii = renderTimeline(overlap, { format: 'ascii' });
    expect(ascii.split('\n').find((l) => l.startsWith('count'))).toContain('-');
    const redirect = await simulate(REDIRECT, { profile: 'dapr-1.10.5' });
    // Without the profile the client is unknown: either cause is named.
    expect(renderTimeline(redirect, { format: 'table', width: 160 })).toContain(
      '(2 requests: a redirect followed or the GET sent again)',
    );
  });
});
