import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/scenario/types.js';
import { buildTimeline } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

describe('the timeline model ties the trace together', () => {
  it('ties each probe to the tick it took, in order, stale ticks included', async () => {
    const t = buildTimeline(
      await recordTrace({
        options: { intervalMs: 100, initialDelayMs: 250, requestTimeoutMs: 150 },
        items: ['hang', 'hang'],
        until: 700,
      }),
    );
    expect(t.probes.map((p) => [p.start, p.tick, p.class])).toEqual([
      [250, 100, 'timeout'],
      [400, 300, 'timeout'],
      [550, 500, 'success'],
      [600, 600, 'success'],
      [700, 700, 'success'],
    ]);
  });

  it('ties each emitted signal to its probe, its read, and the block it caused', async () => {
    const t = buildTimeline(await recordTrace(EXAMPLE));
    expect(t.emissions.slice(0, 3)).toEqual([
      expect.objectContaining({ at: 115, value: true, probe: 1, deliveredAt: 600, blocked: undefined }),
      expect.objectContaining({
        at: 350,
        value: false,
        probe: 3,
        deliveredAt: 600,
        blocked: { from: 350, to: 600 },
      }),
      expect.objectContaining({ at: 715, value: true, probe: 5, deliveredAt: 715 }),
    ]);
    expect(t.emissions.every((e) => e.source === 'counter')).toBe(true);
  });

  it('keeps a signal the consumer never read, as sent but unread', async () => {
    const t = buildTimeline(
      await recordTrace({
        options: { intervalMs: 100, initialDelayMs: 0 },
        items: [],
        readAt: 10_000,
        until: 250,
      }),
    );
    expect(t.emissions.map((e) => [e.at, e.deliveredAt])).toEqual([
      [100, undefined],
      [200, undefined],
    ]);
    expect(t.blocked).toEqual([{ from: 200, to: undefined }]);
    expect(t.events.at(-1)).toMatchObject({ kind: 'end', blocked: true });
  });

  it('trusts the received signals over the reference rule when they disagree (another implementation)', () => {
    // Like Dapr 1.1: false is re-sent on every failing probe past the threshold.
    const trace: Trace = {
      durationMs: 400,
      probes: [
        { index: 0, start: 100, end: 100, outcome: '503', success: false, failureCount: 1 },
        { index: 1, start: 200, end: 200, outcome: '503', success: false, failureCount: 2 },
        { index: 2, start: 300, end: 300, outcome: '503', success: false, failureCount: 3 },
      ],
      signals: [
        { at: 200, value: false },
        { at: 300, value: false },
      ],
      options: { failureThreshold: 2 },
    };
    const t = buildTimeline(trace);
    expect(t.emissions.map((e) => [e.at, e.value, e.probe, e.source])).toEqual([
      [200, false, 2, 'signals'],
      [300, false, 3, 'signals'],
    ]);
  });
});
