import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/scenario/types.js';
import { renderTable, tableRows } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

const fast = { intervalMs: 100, initialDelayMs: 30, requestTimeoutMs: 50, failureThreshold: 2 };

describe('the explain table has one row per event of the run', () => {
  it('lists every tick, dropped tick, probe start, outcome, signal, block and read of a real run', async () => {
    const trace = await recordTrace(EXAMPLE);
    const rows = tableRows(trace);
    const count = (what: RegExp) => rows.filter((r) => what.test(r.what)).length;
    expect(count(/^tick$/)).toBe(trace.ticks?.delivered.length);
    expect(count(/^dropped tick$/)).toBe(trace.ticks?.dropped.length);
    expect(count(/^probe #\d+$/)).toBe(trace.probes.length);
    expect(count(/^#\d+ → /)).toBe(trace.probes.filter((p) => p.end !== undefined).length);
    expect(count(/^blocked$/)).toBe(1);
    expect(count(/^unblocked$/)).toBe(1);
    // Two values were read late (at 600); the others were read the instant they were sent.
    expect(count(/^delivered$/)).toBe(2);
    expect(count(/^signal$/)).toBe(trace.signals.length);
    expect(rows[0]?.what).toBe('start');
    expect(rows.at(-1)?.what).toBe('end');
  });

  it('keeps time order, and at one instant puts ticks first, then reads, the unblock, and the probe', async () => {
    const rows = tableRows(await recordTrace(EXAMPLE));
    const times = rows.map((r) => r.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(rows.filter((r) => r.at === 600).map((r) => `${r.what} ${r.signal}`.trim())).toEqual([
      'dropped tick',
      'delivered true',
      'unblocked',
      'delivered false',
      'probe #4',
    ]);
  });
});

describe('each row gives the rule that explains it', () => {
  it('says "503 ≠ 200 → failure 2 of 2 → emit false, once per streak" on the probe that emits false', async () => {
    const rows = tableRows(
      await recordTrace({ options: fast, items: ['200', '503', '503', '503'], until: 450 }),
    );
    const outcome = rows.find((r) => r.what === '#3 → 503');
    expect(outcome?.counter).toBe('2');
    expect(outcome?.reason).toBe('503 ≠ 200 → failure 2 of 2 → emit false, once per streak');
    const next = rows[rows.indexOf(outcome!) + 1];
    expect(next).toMatchObject({
      what: 'signal',
      signal: 'false',
      reason: 'emit false; the consumer reads it at once',
    });
    expect(rows.find((r) => r.what === '#2 → 503')?.reason).toBe(
      '503 ≠ 200 → failure 1 of 2 → no signal yet',
    );
    expect(rows.find((r) => r.what === '#4 → 503')?.reason).toBe(
      '503 ≠ 200 → failure 3 → nothing (false only at 2)',
    );
    expect(rows.find((r) => r.what === '#1 → 200')?.reason).toBe('200 = 200 → success → emit true, count 0');
  });

  it('explains the blocked send, the ticks that wait or drop meanwhile, and the late reads', async () => {
    const rows = tableRows(await recordTrace(EXAMPLE));
    const reason = (at: number, what: string) => rows.find((r) => r.at === at && r.what === what)?.reason;
    expect(reason(350, '#3 → timeout')).toBe(
      'timeout (50 ms) → failure 2 of 2 → emit false, once per streak',
    );
    expect(reason(350, 'signal')).toBe('emit false; buffer holds true → loop blocks');
    expect(reason(350, 'blocked')).toBe('no probes until the consumer reads');
    expect(reason(400, 'tick')).toBe('waits (blocked since 350) → probe #4 at 600');
    expect(reason(500, 'dropped tick')).toBe('dropped: tick 400 already waiting');
    expect(reason(600, 'delivered')).toBe('consumer reads true from 115 (485 ms late)');
    expect(reason(600, 'probe #4')).toBe('stale tick 400 taken at once → GET');
  });

  it('shows the initial delay holding a tick and dropping the next (interval 100, delay 250)', async () => {
    const rows = tableRows(
      await recordTrace({ options: { intervalMs: 100, initialDelayMs: 250 }, items: [], until: 320 }),
    );
    expect(rows.map((r) => [r.at, r.what, r.reason])).toEqual(
      expect.arrayContaining([
        [100, 'tick', 'waits (delay until 250) → probe #1 at 250'],
        [200, 'dropped tick', 'dropped: tick 100 already waiting'],
        [250, 'delay ends', 'initial delay ends; tick 100 waiting → probe at once'],
        [250, 'probe #1', 'stale tick 100 taken at once → GET'],
        [300, 'tick', 'loop is waiting → probe #2 at once'],
      ]),
    );
  });

  it("points out that Dapr's default 1 s delay has no effect behind the 5 s ticker", async () => {
    const rows = tableRows(await recordTrace({ options: {}, items: [], until: 5000 }));
    expect(rows.find((r) => r.what === 'delay ends')).toMatchObject({
      at: 1000,
      reason: 'initial delay ends before tick 5000: no effect',
    });
    expect(rows[0]?.reason).toBe('ticker every 5000 ms; initial delay 1000 ms');
  });

  it('says a threshold of 0 never emits false', async () => {
    const rows = tableRows(
      await recordTrace({ options: { ...fast, failureThreshold: 0 }, items: [], after: '503', until: 250 }),
    );
    expect(rows.find((r) => r.what === '#2 → 503')?.reason).toBe(
      '503 ≠ 200 → failure 2; threshold 0 never emits false',
    );
    expect(rows.some((r) => r.signal !== '')).toBe(false);
  });

  it('names failures without a response: a timeout, a closed connection', async () => {
    const rows = tableRows(await recordTrace({ options: fast, items: ['hang', 'close'], until: 250 }));
    expect(rows.find((r) => r.what === '#1 → timeout')).toMatchObject({ at: 150, counter: '1' });
    expect(rows.find((r) => r.what === '#2 → closed')?.reason).toBe(
      'closed without a response → failure 2 of 2 → emit false, once per streak',
    );
  });
});

describe('the table works on traces with only what an external implementation reports', () => {
  const external: Trace = {
    source: 'exec: ./my-checker',
    durationMs: 400,
    probes: [
      { index: 0, start: 100 },
      { index: 1, start: 200 },
      { index: 2, start: 300 },
    ],
    signals: [
      { at: 100, value: true },
      { at: 300, value: false },
    ],
  };

  it('shows probe starts and received signals, with no counter it cannot know', () => {
    const rows = tableRows(external);
    expect(rows.map((r) => [r.at, r.what, r.signal])).toEqual([
      [0, 'start', ''],
      [100, 'probe #1', ''],
      [100, 'signal', 'true'],
      [200, 'probe #2', ''],
      [300, 'probe #3', ''],
      [300, 'signal', 'false'],
      [400, 'end', ''],
    ]);
    expect(rows.every((r) => r.counter === '')).toBe(true);
    expect(rows[2]?.reason).toBe('the consumer received true');
  });

  it('does not invent failure counts for an implementation that reports outcomes but no counters', () => {
    const rows = tableRows({
      durationMs: 300,
      probes: [
        { index: 0, start: 100, end: 100, outcome: '503' },
        { index: 1, start: 200, end: 200, outcome: '503' },
      ],
      signals: [{ at: 200, value: false }],
    });
    expect(rows.find((r) => r.what === '#2 → 503')).toMatchObject({
      counter: '',
      reason: '503 ≠ 200 → failure',
    });
  });

  it('renders an empty trace as a start and an end', () => {
    const rows = tableRows({ durationMs: 0, probes: [], signals: [] });
    expect(rows.map((r) => r.what)).toEqual(['start', 'end']);
  });
});

describe('the table fits the terminal and colours only on request', () => {
  it('keeps every line within 80 columns by default, and within a narrower width when asked', async () => {
    const trace = await recordTrace(EXAMPLE);
    for (const width of [80, 60]) {
      const lines = renderTable(trace, { width }).trimEnd().split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(width);
    }
    // Wrapped reasons continue on indented lines, not lost.
    const unwrapped = renderTable(trace, { width: 60 }).replace(/\n {20,}/g, ' ');
    expect(unwrapped).toContain('failure 2 of 2 → emit false, once per streak');
  });

  it('writes no escape codes unless color is true', async () => {
    const trace = await recordTrace(EXAMPLE);
    expect(renderTable(trace)).not.toContain('\u001b[');
    const coloured = renderTable(trace, { color: true });
    expect(coloured).toContain('\u001b[31m');
    expect(stripVTControlCharacters(coloured)).toBe(renderTable(trace));
  });
});
