import { describe, expect, it } from 'vitest';
import { findCoincidences } from '../../src/scenario/coincidences.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario, ScenarioOptions } from '../../src/scenario/types.js';

const FAST: ScenarioOptions = { initialDelayMs: 30, intervalMs: 100, requestTimeoutMs: 50 };

function scenario(script: string, more: Partial<Scenario> = {}): Scenario {
  return {
    id: 'under-test',
    description: 'x',
    rules: ['probe.timeout'],
    level: 'core',
    options: FAST,
    script,
    durationMs: 650,
    ...more,
  };
}

async function coincidences(s: Scenario) {
  return findCoincidences(s, await simulate(s));
}

describe('a read that unblocks the loop on a tick', () => {
  it('is flagged when an older tick waits (Go drops or keeps the new one)', async () => {
    const found = await coincidences(
      scenario('200, 503*2, 200...', { readDelayMs: 1000, durationMs: 1150, level: 'backpressure' }),
    );
    expect(found).toEqual([expect.objectContaining({ kind: 'read-on-tick', at: 1000, probe: 3 })]);
    expect(found[0]?.what).toMatch(/read at 1000 ms .* tick due at 1000 ms .* tick 400 still waiting/);
    expect(found[0]?.fix).toMatch(/readDelayMs .*1050/);
  });

  it('is not flagged 50 ms off the tick', async () => {
    const found = await coincidences(
      scenario('200, 503*2, 200...', { readDelayMs: 1050, durationMs: 1150, level: 'backpressure' }),
    );
    expect(found).toEqual([]);
  });
});

describe('an answer or a timeout that frees the loop on a tick', () => {
  it('is flagged when an older tick waits and the loop would probe again before the next tick', async () => {
    // 100→250 (tick 200 waits), 250→400 (tick 300 waits) and tick 400 is due as it ends.
    const s = scenario('delay 150ms then 200*2, 200...', {
      options: { initialDelayMs: 0, intervalMs: 100, requestTimeoutMs: 200 },
    });
    const found = await coincidences(s);
    expect(found).toEqual([expect.objectContaining({ kind: 'answer-on-tick', at: 400, probe: 2 })]);
    expect(found[0]?.what).toMatch(/probe #1 ends at 400 ms .* tick 300 still waiting/);
  });

  it('names a timeout that ends on a tick (the old defaults-threshold-and-timeout: 2 s timeout on 500 ms ticks)', async () => {
    const found = await coincidences(
      scenario('503*2, 200, hang, 200...', {
        options: { initialDelayMs: 0, intervalMs: 500 },
        durationMs: 4750,
      }),
    );
    expect(found).toEqual([expect.objectContaining({ kind: 'timeout-on-tick', at: 4000 })]);
    expect(found[0]?.what).toMatch(/times out at 4000 ms .* tick 2500 still waiting.* instead of 4500 ms/);
  });

  it('is not flagged when no older tick waits (either order probes at the tick)', async () => {
    const s = scenario('delay 100ms then 200...', {
      options: { initialDelayMs: 0, intervalMs: 100, requestTimeoutMs: 150 },
      durationMs: 550,
    });
    const trace = await simulate(s);
    expect(trace.probes.slice(0, 2).map((p) => [p.start, p.end])).toEqual([
      [100, 200],
      [200, 300],
    ]);
    expect(findCoincidences(s, trace)).toEqual([]);
  });

  it('is not flagged when its only effect is which tick is dropped (no outsider sees it)', async () => {
    // Hanging probes of 150 ms on 100 ms ticks: 250→400 ends on tick 400 while tick 300 waits,
    // but the probe at 400 outlasts the next tick either way, so every probe starts at the same time.
    const s = scenario('hang...', {
      options: { initialDelayMs: 0, intervalMs: 100, requestTimeoutMs: 150 },
      durationMs: 700,
    });
    const trace = await simulate(s);
    expect(trace.probes.map((p) => p.start)).toEqual([100, 250, 400, 550, 700]);
    expect(findCoincidences(s, trace)).toEqual([]);
  });

  it('is not flagged for the end of the initial delay on a tick (a rule: the tick comes first)', async () => {
    const found = await coincidences(
      scenario('200...', { options: { ...FAST, initialDelayMs: 200 }, durationMs: 350, level: 'timing' }),
    );
    expect(found).toEqual([]);
  });
});

describe('an answer due at the very instant of the request timeout', () => {
  it('is flagged for every such request, naming the request, the answer and the timeout', async () => {
    const found = await coincidences(scenario('delay 50ms then 200*2, 200...', { durationMs: 450 }));
    expect(found.map((c) => [c.kind, c.at, c.probe])).toEqual([
      ['answer-at-timeout', 150, 0],
      ['answer-at-timeout', 250, 1],
    ]);
    expect(found[0]?.what).toMatch(
      /due at 150 ms \(50 ms after its request at 100 ms\).* 50 ms request timeout/,
    );
  });

  it('is flagged for a fault or a dribbled answer that completes at the timeout too', async () => {
    const found = await coincidences(scenario('delay 50ms then reset, slow-body 200 over 50ms, 200...'));
    expect(found.map((c) => [c.kind, c.at])).toEqual([
      ['answer-at-timeout', 150],
      ['answer-at-timeout', 250],
    ]);
  });

  it('is not flagged 1 ms either side, nor for a hang', async () => {
    expect(await coincidences(scenario('delay 49ms then 200, delay 51ms then 200, hang, 200...'))).toEqual(
      [],
    );
  });
});

describe('a request on an edge of the endpoint behaviour', () => {
  it('is flagged at both edges of a down window that starts and ends on a probe', async () => {
    const found = await coincidences(scenario('200..., down from 300ms until 500ms'));
    expect(found.map((c) => [c.kind, c.at])).toEqual([
      ['request-on-edge', 300],
      ['request-on-edge', 500],
    ]);
  });

  it('is flagged when a refusal ends exactly as a probe connects', async () => {
    const found = await coincidences(scenario('refuse 200ms, 200...', { durationMs: 450 }));
    expect(found.map((c) => [c.kind, c.at])).toEqual([['request-on-edge', 200]]);
  });

  it('is flagged when a flap turns down on a probe', async () => {
    const found = await coincidences(scenario('200..., up 300ms, down 250ms'));
    expect(found.map((c) => [c.kind, c.at])).toEqual([['request-on-edge', 300]]);
  });

  it('is not flagged for edges between probes (connection-refused: refuse 250ms)', async () => {
    expect(await coincidences(scenario('refuse 250ms, 200...', { durationMs: 450 }))).toEqual([]);
  });

  it('is flagged for an endpoint-wide refusal on another route, and not for the 404 of a missing route', async () => {
    const found = await coincidences(scenario('/elsewhere: 200..., down from 300ms until 500ms as refuse'));
    expect(found.map((c) => [c.kind, c.at])).toEqual([
      ['request-on-edge', 300],
      ['request-on-edge', 500],
    ]);
    expect(await coincidences(scenario('/elsewhere: 200...'))).toEqual([]);
  });

  it('is not flagged when the window answers as the script would', async () => {
    expect(await coincidences(scenario('503..., down from 300ms until 500ms'))).toEqual([]);
  });
});
