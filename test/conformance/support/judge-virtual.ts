import FakeTimers from '@sinonjs/fake-timers';
import { DEFAULTS } from '../../../src/checker/options.js';
import { judgeRun, type Verdict } from '../../../src/conformance/checker/process/verdict.js';
import { flakyEndpoint } from '../../../src/endpoint/flaky-endpoint.js';
import type { CheckerAdapter } from '../../../src/scenario/adapter.js';
import { simulate } from '../../../src/scenario/simulate.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { type Clock, sleep } from '../../../src/time/clock.js';

/**
 * A clock whose timers fire late by a random 0–`maxMs` ms each (seeded): what a busy machine
 * does to a checker's ticks and timeouts. Time itself (`now`) is the base clock's.
 */
export function lateClock(base: Clock, maxMs: number, seed: number): Clock {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: deterministic noise, no Math.random in tests either.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return {
    get now() {
      return base.now;
    },
    setTimeout: (callback: () => void, ms: number) => base.setTimeout(callback, ms + next() * maxMs),
    clearTimeout: (handle: unknown) => base.clearTimeout(handle),
  };
}

/**
 * Plays a scenario in virtual time the way the process runner sees a real one — the endpoint's
 * journal and the values the consumer read, nothing from inside the checker — and judges it with
 * the real-time verdict (`judgeRun`). `checkerClock` lets a test make the checker late.
 */
export async function judgeInVirtualTime(
  scenario: Scenario,
  adapter: CheckerAdapter,
  {
    tolerance = 10,
    checkerClock,
    profile,
  }: {
    tolerance?: number;
    checkerClock?: (clock: Clock) => Clock;
    /** Judge as this Dapr profile, against its expected trace (in-process client). */
    profile?: string;
  } = {},
): Promise<Verdict> {
  const clock = FakeTimers.createClock(0);
  const endpoint = flakyEndpoint(scenario.script, { clock, seed: scenario.seed ?? 0 });
  const run = adapter.start('http://endpoint.probekit.test/healthz', scenario.options, {
    clock: checkerClock ? checkerClock(clock) : clock,
    transport: endpoint.transport,
  });
  const signals: Array<{ at: number; value: boolean }> = [];
  const reading = new AbortController();
  const reader = (async () => {
    if (scenario.readDelayMs) await sleep(clock, scenario.readDelayMs, reading.signal);
    for await (const value of run) signals.push({ at: clock.now, value });
  })().catch(() => {});
  await clock.tickAsync(scenario.durationMs);
  const observation = { origin: 0, entries: endpoint.journal.entries(), signals: [...signals] };
  reading.abort();
  await run.stop();
  await reader;
  const expected =
    profile === undefined
      ? (scenario.expected ?? { durationMs: scenario.durationMs, probes: [], signals: [] })
      : await simulate(scenario, { profile, client: 'in-process' });
  return judgeRun({
    scenario,
    expected,
    ...(profile === undefined ? {} : { profile }),
    observation,
    tolerance,
    requestTimeoutMs: scenario.options.requestTimeoutMs ?? DEFAULTS.requestTimeout,
    probePath: '/healthz',
    source: adapter.name,
  });
}
