import { describe, expect, it } from 'vitest';
import { ProbekitError } from '../../src/errors.js';
import {
  type FleetEndpointSummary,
  MAX_FLEET_ENDPOINT_TICKS,
  MAX_FLEET_ENDPOINTS,
  MAX_FLEET_TICKS,
  planFleet,
  simulateFleet,
  worstEndpoints,
} from '../../src/scenario/fleet.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario, ScenarioOptions, Trace } from '../../src/scenario/types.js';

const fast: ScenarioOptions = {
  intervalMs: 100,
  initialDelayMs: 0,
  requestTimeoutMs: 50,
  failureThreshold: 2,
};

/**
 * The summary of one trace, folded differently from the library: by pairing each false signal
 * with the first true after it in the stream (a true may come in the same ms: a stale tick
 * starts the next probe at once).
 */
function expectedOf(trace: Trace) {
  const signals = trace.signals;
  const falses = signals.filter((s) => !s.value);
  const unhealthyMs = signals.reduce((total, signal, i) => {
    if (signal.value) return total;
    const healed = signals.slice(i + 1).find((s) => s.value);
    return total + ((healed?.at ?? trace.durationMs) - signal.at);
  }, 0);
  return {
    probes: trace.probes.length,
    // A probe still in flight at the end has no outcome yet: not a failure.
    failedProbes: trace.probes.filter((p) => p.success === false).length,
    trueSignals: signals.length - falses.length,
    falseSignals: falses.length,
    flaps: signals.filter((s, i) => !s.value && signals[i - 1]?.value === true).length,
    unhealthyMs,
    firstFalseAt: falses[0]?.at ?? null,
    healthyAtEnd: signals.at(-1)?.value ?? null,
  };
}

const scenario = (script: string, seed: number, options: ScenarioOptions, durationMs: number): Scenario => ({
  id: 'x',
  description: 'x',
  rules: [],
  level: 'core',
  options,
  script,
  seed,
  durationMs,
});

describe('simulateFleet summarises each endpoint as its signals say', () => {
  it('counts probes, signals, flaps and time unhealthy of a deterministic script, worked by hand', async () => {
    // Probes every 100 ms from 100: 200×3 (true 100, 200, 300), 503×4 (false at 500, the 2nd),
    // 200×2 (true 800, 900), 503×2 (false at 1100), then 200 (true 1200 … 1500).
    const summary = await simulateFleet({
      script: '200*3, 503*4, 200*2, 503*2, 200...',
      options: fast,
      durationMs: 1500,
    });
    expect(summary.endpoints).toEqual([
      {
        index: 0,
        seed: 0,
        script: '200*3, 503*4, 200*2, 503*2, 200...',
        probes: 15,
        failedProbes: 6,
        trueSignals: 9,
        falseSignals: 2,
        flaps: 2,
        unhealthyMs: 300 + 100,
        firstFalseAt: 500,
        healthyAtEnd: true,
      },
    ]);
  });

  it('counts time unhealthy up to the end of the run when no true follows the last false', async () => {
    const summary = await simulateFleet({ script: '200, 503...', options: fast, durationMs: 1000 });
    // true at 100, false at 300 (the 2nd failure), unhealthy from 300 to 1000.
    expect(summary.endpoints[0]).toMatchObject({ flaps: 1, unhealthyMs: 700, healthyAtEnd: false });
  });

  it('does not count a first signal false as a flap, but counts its time unhealthy', async () => {
    const summary = await simulateFleet({ script: '503*3, 200...', options: fast, durationMs: 600 });
    // false at 200, true at 400.
    expect(summary.endpoints[0]).toMatchObject({
      trueSignals: 3,
      falseSignals: 1,
      flaps: 0,
      unhealthyMs: 200,
      firstFalseAt: 200,
    });
  });

  it('counts a false answered by a true in the same ms as a flap of 0 ms unhealthy', async () => {
    // Probe 2 (at 200) hangs to its timeout at 450: false (threshold 1). The tick of 300 waited,
    // so probe 3 starts at once, at 450, and its 200 emits true in the same ms.
    const options = { intervalMs: 100, initialDelayMs: 0, requestTimeoutMs: 250, failureThreshold: 1 };
    const summary = await simulateFleet({ script: '200, hang, 200...', options, durationMs: 600 });
    expect(summary.endpoints[0]).toMatchObject({
      probes: 5,
      failedProbes: 1,
      falseSignals: 1,
      flaps: 1,
      unhealthyMs: 0,
      firstFalseAt: 450,
    });
  });

  it('does not count a probe still in flight at the end as failed', async () => {
    const options = { intervalMs: 100, initialDelayMs: 0, requestTimeoutMs: 250, failureThreshold: 1 };
    const summary = await simulateFleet({ script: '200, hang...', options, durationMs: 300 });
    expect(summary.endpoints[0]).toMatchObject({ probes: 2, failedProbes: 0, falseSignals: 0 });
  });

  it.each([
    { name: 'threshold 1, timeouts within the interval', options: { ...fast, failureThreshold: 1 } },
    {
      name: 'threshold 2, timeouts and slow answers past the interval (dropped ticks)',
      options: { intervalMs: 100, initialDelayMs: 30, requestTimeoutMs: 250, failureThreshold: 2 },
    },
  ])('gives each endpoint the numbers its own simulate() trace gives ($name)', async ({ options }) => {
    const script = '(200@7 | 503@2 | hang@1 | delay 180ms then 200@1)...';
    const summary = await simulateFleet({ script, endpoints: 6, options, durationMs: 20_000, seed: 40 });
    for (const endpoint of summary.endpoints) {
      const trace = await simulate(scenario(script, 40 + endpoint.index, options, 20_000));
      expect({ ...endpoint, index: 0, seed: 0, script: '' }).toEqual({
        index: 0,
        seed: 0,
        script: '',
        ...expectedOf(trace),
      });
      expect(endpoint.seed).toBe(40 + endpoint.index);
    }
    // The scenario has something to count.
    expect(summary.totals.flaps).toBeGreaterThan(6);
  });

  it('plays one script per endpoint from scripts, each with seed + its index', async () => {
    const scripts = ['200...', '503...', '200*2, 503*2, 200...'];
    const summary = await simulateFleet({ scripts, options: fast, durationMs: 1000, seed: 9 });
    expect(summary.endpoints.map((e) => [e.script, e.seed, e.falseSignals])).toEqual([
      ['200...', 9, 0],
      ['503...', 10, 1],
      ['200*2, 503*2, 200...', 11, 1],
    ]);
  });
});

describe('simulateFleet adds the fleet up', () => {
  it('gives totals and nearest-rank percentiles of the endpoints it lists', async () => {
    const summary = await simulateFleet({
      script: '(200@4 | 503@1)...',
      endpoints: 50,
      options: fast,
      durationMs: 10_000,
    });
    const { endpoints, totals, distribution } = summary;
    const sum = (key: keyof FleetEndpointSummary) => endpoints.reduce((n, e) => n + Number(e[key]), 0);
    expect(totals).toEqual({
      endpoints: 50,
      probes: sum('probes'),
      failedProbes: sum('failedProbes'),
      trueSignals: sum('trueSignals'),
      falseSignals: sum('falseSignals'),
      flaps: sum('flaps'),
      unhealthyMs: sum('unhealthyMs'),
      everUnhealthy: endpoints.filter((e) => e.falseSignals > 0).length,
      unhealthyAtEnd: endpoints.filter((e) => e.healthyAtEnd === false).length,
    });
    const sorted = endpoints.map((e) => e.unhealthyMs).sort((a, b) => a - b);
    // Nearest rank over 50 values: p50 is the 25th, p90 the 45th, p99 the 50th.
    expect(distribution.unhealthyMs).toEqual({
      min: sorted[0],
      p50: sorted[24],
      p90: sorted[44],
      p99: sorted[49],
      max: sorted[49],
    });
    expect(summary.options).toEqual({ ...fast, successStatusCode: 200 });
  });

  it('lists the worst endpoints longest unhealthy first, ties by flaps then index', async () => {
    const summary = await simulateFleet({
      scripts: ['200...', '200, 503*2, 200...', '503...', '200, 503*2, 200, 503*2, 200...'],
      options: fast,
      durationMs: 1000,
    });
    expect(worstEndpoints(summary, 3).map((e) => [e.index, e.unhealthyMs, e.flaps])).toEqual([
      [2, 800, 0],
      [3, 200, 2],
      [1, 100, 1],
    ]);
  });
});

describe('simulateFleet seeds each endpoint', () => {
  const spec = {
    script: '(200@3 | 503@1 | hang@1)...',
    endpoints: 20,
    options: { ...fast, failureThreshold: 1 },
    durationMs: 5000,
    seed: 123,
  };

  it('makes endpoints that play a random script differ', async () => {
    const summary = await simulateFleet(spec);
    const shapes = new Set(summary.endpoints.map((e) => `${e.failedProbes}/${e.flaps}/${e.firstFalseAt}`));
    expect(shapes.size).toBeGreaterThan(5);
  });

  it('replays the same summary for the same seed, and another for another seed', async () => {
    const first = await simulateFleet(spec);
    expect(await simulateFleet(spec)).toEqual(first);
    expect((await simulateFleet({ ...spec, seed: 124 })).endpoints[0]).toEqual({
      ...first.endpoints[1],
      index: 0,
    });
  });

  it('wraps seeds past 4294967295 to 0', () => {
    expect(planFleet({ script: '200', endpoints: 3, durationMs: 1000, seed: 0xffff_fffe }).seeds).toEqual([
      0xffff_fffe, 0xffff_ffff, 0,
    ]);
  });
});

describe('simulateFleet refuses a run it cannot or should not make, before running it', () => {
  const refusal = (spec: Parameters<typeof planFleet>[0]) => {
    try {
      planFleet(spec);
    } catch (error) {
      return error as ProbekitError;
    }
    throw new Error('planFleet accepted the spec');
  };

  it('refuses endpoints outside 1…MAX_FLEET_ENDPOINTS', () => {
    for (const endpoints of [0, MAX_FLEET_ENDPOINTS + 1, 1.5]) {
      const error = refusal({ script: '200', endpoints, durationMs: 1000 });
      expect(error).toBeInstanceOf(ProbekitError);
      expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
      expect(error.message).toContain(`endpoints ${endpoints}`);
    }
  });

  it('refuses more ticks per endpoint than MAX_FLEET_ENDPOINT_TICKS, naming the count', () => {
    const error = refusal({
      script: '200',
      options: { intervalMs: 1 },
      durationMs: MAX_FLEET_ENDPOINT_TICKS + 1,
    });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toContain(`${MAX_FLEET_ENDPOINT_TICKS + 1} ticks per endpoint`);
  });

  it('refuses more ticks in all than MAX_FLEET_TICKS, though each endpoint is within bounds', () => {
    const error = refusal({
      script: '200',
      endpoints: 101,
      options: { intervalMs: 1 },
      durationMs: MAX_FLEET_TICKS / 100,
    });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toContain(`101 endpoints × ${MAX_FLEET_TICKS / 100} ticks`);
  });

  it('accepts a fleet run longer than simulate() allows one scenario (1000 endpoints × 1 h at 1 s)', () => {
    const plan = planFleet({
      script: '200...',
      endpoints: 1000,
      options: { intervalMs: 1000 },
      durationMs: 3_600_000,
    });
    expect(plan.totalTicks).toBe(3_600_000);
  });

  it('names the endpoint whose script does not parse, with the parser code', () => {
    const error = refusal({ scripts: ['200...', '200...', '200, 5o3'], durationMs: 1000 });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    expect(error.message).toContain('(the script of endpoint 2: "200, 5o3")');
  });

  it('refuses times that are not whole milliseconds, naming the value', () => {
    const error = refusal({ script: '200', options: { intervalMs: 2.5 }, durationMs: 1000 });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toContain('intervalMs 2.5');
  });

  it('refuses a spec without durationMs, naming it', () => {
    const error = refusal({ script: '200' } as never);
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
    expect(error.message).toContain('durationMs undefined is not a whole number of ms');
  });

  it('refuses options the scenario schema does not know, naming the endpoint but not blaming its script', () => {
    const error = refusal({ script: '200', options: { intervalMS: 100 } as never, durationMs: 1000 });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_SCENARIO');
    expect(error.message).toMatch(/^Failed to run endpoint 0 of the fleet: \/options/);
    expect(error.message).not.toContain('the script of');
  });

  it('refuses a bad checker option in the checker words', () => {
    const error = refusal({ script: '200', options: { intervalMs: 0 }, durationMs: 1000 });
    expect(error.code).toBe('ERR_PROBEKIT_INVALID_OPTION');
  });
});

describe('simulateFleet runs a plan as it was checked', () => {
  it('runs a plan from planFleet, frozen, to the summary the spec gives', async () => {
    const spec = { script: '(200@4 | 503@1)...', endpoints: 5, options: fast, durationMs: 3000, seed: 3 };
    const plan = planFleet(spec);
    expect(Object.isFrozen(plan) && Object.isFrozen(plan.scripts) && Object.isFrozen(plan.options)).toBe(
      true,
    );
    expect(await simulateFleet(plan)).toEqual(await simulateFleet(spec));
  });

  it('checks a plan-shaped object that planFleet did not make as a spec, and refuses its bad script', async () => {
    const forged = { ...planFleet({ script: '200', durationMs: 1000 }), scripts: ['200, 5o3'] };
    await expect(simulateFleet(forged as never)).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_SCRIPT',
    });
  });
});

describe('simulateFleet stops when its signal aborts', () => {
  it('leaves no listener on the signal once each endpoint is done (regression: one abort promise for the run kept every trace alive, 750 MB at 1000 × 1 h)', async () => {
    const controller = new AbortController();
    let listening = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    Object.assign(controller.signal, {
      addEventListener: (...args: Parameters<typeof add>) => {
        listening++;
        add(...args);
      },
      removeEventListener: (...args: Parameters<typeof remove>) => {
        listening--;
        remove(...args);
      },
    });
    const seen: number[] = [];
    await simulateFleet(
      { script: '200...', endpoints: 5, options: fast, durationMs: 1000 },
      { signal: controller.signal, onEndpoint: () => seen.push(listening) },
    );
    expect(seen).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects with the reason after the endpoint in progress, running no further endpoint', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    const run = simulateFleet(
      { script: '200...', endpoints: 50, options: fast, durationMs: 10_000 },
      {
        signal: controller.signal,
        onEndpoint: (n) => {
          done.push(n);
          if (n === 2) controller.abort(new Error('stop'));
        },
      },
    );
    await expect(run).rejects.toThrow('stop');
    expect(done).toEqual([1, 2]);
  });
});

// Not a time assertion: a bound so that a busy CI machine does not fail a run that ends.
const BIG_RUN_TIMEOUT_MS = 300_000;

describe('simulateFleet at the size it is for', () => {
  it(
    'runs 1000 endpoints for 1 h at 1 s (3.6 M probes) to the end',
    async () => {
      const summary = await simulateFleet({
        script: '(200@99 | 503@1)...',
        endpoints: 1000,
        options: { intervalMs: 1000, initialDelayMs: 0 },
        durationMs: 3_600_000,
      });
      expect(summary.totals.probes).toBe(3_600_000);
      expect(summary.endpoints).toHaveLength(1000);
      expect(summary.totals.everUnhealthy).toBeGreaterThan(0);
    },
    BIG_RUN_TIMEOUT_MS,
  );
});
