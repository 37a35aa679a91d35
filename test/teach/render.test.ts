import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import type { Trace } from '../../src/scenario/types.js';
import {
  renderAsciiTimeline,
  renderSvgTimeline,
  renderTable,
  renderTimeline,
} from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

describe('renderTimeline picks the renderer by format', () => {
  it('gives the table, the text timeline or the SVG for the same trace', async () => {
    const trace = await recordTrace(EXAMPLE);
    expect(renderTimeline(trace, { format: 'table' })).toBe(renderTable(trace));
    expect(renderTimeline(trace, { format: 'ascii', width: 100, charset: 'ascii' })).toBe(
      renderAsciiTimeline(trace, { width: 100, charset: 'ascii' }),
    );
    expect(renderTimeline(trace, { format: 'svg', width: 800 })).toBe(
      renderSvgTimeline(trace, { width: 800 }),
    );
  });

  it('is a pure function of the trace: same input, same output, input untouched', async () => {
    const trace = await recordTrace(EXAMPLE);
    const before = structuredClone(trace);
    for (const format of ['table', 'ascii', 'svg'] as const) {
      expect(renderTimeline(trace, { format })).toBe(renderTimeline(structuredClone(before), { format }));
    }
    expect(trace).toEqual(before);
  });
});

describe('renderTimeline rejects what it cannot draw with a clear error', () => {
  const trace: Trace = { durationMs: 100, probes: [], signals: [] };
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as ProbekitError;
    }
    throw new Error('expected a throw');
  };

  it('names an unknown format and the ones it knows', () => {
    const error = failure(() => renderTimeline(trace, { format: 'png' as 'svg' }));
    expect(error).toBeInstanceOf(ProbekitError);
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toBe(
      'Failed to render the timeline: the format "png" is unknown. Use one of table, ascii, svg.',
    );
  });

  it('says what is wrong with something that is not a trace', () => {
    expect(
      failure(() => renderTimeline({ probes: [] } as unknown as Trace, { format: 'svg' })).message,
    ).toContain('the trace is not a trace (it has no "signals" array)');
    expect(
      failure(() => renderTimeline({ ...trace, durationMs: -1 }, { format: 'ascii' })).message,
    ).toContain('its "durationMs" -1 is not a number of ms');
    expect(failure(() => renderTimeline(null as unknown as Trace, { format: 'table' })).code).toBe(
      'ERR_PROBEKIT_INVALID_OPTION',
    );
  });

  it('refuses a width that is not a positive number', () => {
    expect(failure(() => renderTimeline(trace, { format: 'ascii', width: 0 })).message).toContain(
      'the width 0 is not a positive number',
    );
  });
});
