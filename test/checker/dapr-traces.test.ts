import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Option,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withSuccessStatusCode,
} from '../../src/checker/index.js';
import { virtualRun } from '../support/virtual-run.js';

// Traces recorded from Dapr v1.0's real Go code (see fixtures/dapr-traces/README.md).
const dir = fileURLToPath(new URL('../../fixtures/dapr-traces/', import.meta.url));
const traces = readdirSync(dir)
  .filter((name) => /^S.*\.json$/.test(name))
  .map((name) => JSON.parse(readFileSync(dir + name, 'utf8')) as DaprTrace);

interface DaprTrace {
  scenario: string;
  parameters: Record<string, { value: number; explicit: boolean }>;
  script: string[];
  afterScript: string;
  consumerStartDelayMs: number;
  durationMs: number;
  summary: { sequence: Array<{ ev: string; v?: boolean; tMedianMs: number; tMaxMs: number }> };
}

const OPTION: Record<string, (value: number) => Option> = {
  initialDelayMs: withInitialDelay,
  intervalMs: withInterval,
  requestTimeoutMs: withRequestTimeout,
  failureThreshold: withFailureThreshold,
  successStatusCode: withSuccessStatusCode,
};

// Real runs land 0.3–3.5 ms after the nominal time.
const TOLERANCE_MS = 5;

describe('replaying the traces recorded from Dapr v1.0', () => {
  it('has traces to replay', () => {
    expect(traces.length).toBeGreaterThanOrEqual(7);
  });

  it.each(traces.map((t) => [t.scenario, t] as const))(
    '%s: same requests and signals at the same times',
    async (_, trace) => {
      const options = Object.entries(trace.parameters)
        .filter(([, p]) => p.explicit)
        .map(([name, p]) => (OPTION[name] as (value: number) => Option)(p.value));
      const run = await virtualRun(trace.script, options, {
        until: trace.durationMs,
        readAt: trace.consumerStartDelayMs,
        after: trace.afterScript,
      });
      const expectedRequests = trace.summary.sequence.filter((e) => e.ev === 'req').map((e) => e.tMedianMs);
      const expectedSignals = trace.summary.sequence.filter((e) => e.ev === 'emit');
      expect(run.requests).toHaveLength(expectedRequests.length);
      run.requests.forEach((at, i) => {
        expect(Math.abs(at - (expectedRequests[i] as number))).toBeLessThanOrEqual(TOLERANCE_MS);
      });
      expect(run.signals.map((s) => s.value)).toEqual(expectedSignals.map((e) => e.v));
      run.signals.forEach((signal, i) => {
        expect(Math.abs(signal.at - (expectedSignals[i]?.tMedianMs as number))).toBeLessThanOrEqual(
          TOLERANCE_MS,
        );
      });
    },
  );
});
