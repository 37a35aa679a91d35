import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printScript } from '../../src/endpoint/script/dsl/index.js';
import { ProbekitError } from '../../src/errors.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario, Trace } from '../../src/scenario/types.js';
import { parseScenario } from '../../src/scenario/validate.js';
import { definitionArbitrary } from '../endpoint/arbitraries.js';

/**
 * Every input either is a scenario or is refused by a ProbekitError with a stable code and a
 * "Failed to …" message; anything else (TypeError, RangeError, a foreign error) fails the property.
 */
function expectProbekitRefusal(error: unknown): void {
  if (!(error instanceof ProbekitError)) throw error;
  expect(error.code).toMatch(/^ERR_PROBEKIT_[A-Z_]+$/);
  expect(error.message).toMatch(/^Failed to /);
  expect(error.message.length).toBeLessThan(4000);
}

/** Parses, then simulates what parsed; returns the trace, or undefined when refused. */
async function parseAndSimulate(value: unknown): Promise<Trace | undefined> {
  let scenario: Scenario;
  try {
    scenario = parseScenario(value, 'fuzzed.json');
  } catch (error) {
    expectProbekitRefusal(error);
    return undefined;
  }
  try {
    return await simulate(scenario);
  } catch (error) {
    expectProbekitRefusal(error);
    return undefined;
  }
}

const shipped = loadScenarios().map(({ scenario }) => scenario);

// Durations stay short (at most 3 s at a 5 ms interval or more: 600 ticks) unless they are
// edge values a valid scenario cannot hold, so no run is long; the property test's own timeout
// is the hang bound.
const edgeNumber = fc.constantFrom(-1, 0, 0.5, 1e-3, 2 ** 31, 3e9, Number.NaN, Number.POSITIVE_INFINITY, -0);
const shortMs = fc.integer({ min: 0, max: 3000 });
const options = fc.record(
  {
    initialDelayMs: fc.oneof(shortMs, fc.constant(2_147_483_647), edgeNumber),
    intervalMs: fc.oneof(fc.integer({ min: 5, max: 1000 }), edgeNumber),
    requestTimeoutMs: fc.oneof(shortMs, fc.constant(2_147_483_647), edgeNumber),
    failureThreshold: fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constantFrom(1e9, 1.5, 2 ** 53)),
    successStatusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom(0, 99, 600, 200.5)),
  },
  { requiredKeys: [] },
);
const script = fc.oneof(
  definitionArbitrary.map((definition) => printScript(definition)),
  fc.constantFrom(...shipped.map((scenario) => scenario.script)),
  fc
    .array(
      fc.constantFrom(
        '200',
        '503',
        '*3',
        ', ',
        '...',
        'hang',
        'refuse 50ms',
        'delay 30ms',
        '(',
        ')',
        '@',
        '|',
      ),
      {
        maxLength: 8,
      },
    )
    .map((tokens) => tokens.join(' ')),
);
const scenarioArbitrary = fc.record(
  {
    id: fc.oneof(fc.constant('fuzzed'), fc.string({ maxLength: 6 })),
    description: fc.constantFrom('fuzzed', ''),
    rules: fc.constantFrom(['count.one-false-per-streak'], [], ['no.such-rule']),
    level: fc.constantFrom('core', 'timing', 'backpressure', 'other'),
    options,
    script,
    seed: fc.oneof(fc.integer(), fc.constant(1.5)),
    readDelayMs: fc.oneof(shortMs, edgeNumber),
    durationMs: fc.oneof(fc.integer({ min: 1, max: 3000 }), edgeNumber),
    idleTimeoutMs: fc.oneof(fc.integer({ min: 1, max: 3000 }), edgeNumber),
  },
  { requiredKeys: ['id', 'description', 'rules', 'level', 'options', 'script', 'durationMs'] },
);

/** Scenarios the schema accepts, with short runs: what the determinism property needs. */
const validScenarioArbitrary = fc.record(
  {
    id: fc.constant('fuzzed'),
    description: fc.constant('fuzzed'),
    rules: fc.constant(['count.one-false-per-streak']),
    level: fc.constant('core'),
    options: fc.record(
      {
        initialDelayMs: shortMs,
        intervalMs: fc.integer({ min: 5, max: 1000 }),
        requestTimeoutMs: shortMs,
        failureThreshold: fc.integer({ min: 1, max: 10 }),
        successStatusCode: fc.constantFrom(200, 204),
      },
      { requiredKeys: [] },
    ),
    script: fc.oneof(
      definitionArbitrary.map((definition) => printScript(definition)),
      fc.constantFrom(...shipped.map((scenario) => scenario.script)),
    ),
    seed: fc.integer(),
    readDelayMs: shortMs,
    durationMs: fc.integer({ min: 1, max: 3000 }),
  },
  { requiredKeys: ['id', 'description', 'rules', 'level', 'options', 'script', 'durationMs'] },
);

/** A shipped scenario with one property replaced by any JSON value, or deleted. */
const mutatedFixture = fc
  .tuple(
    fc.constantFrom(...shipped),
    fc.constantFrom(
      'id',
      'rules',
      'level',
      'options',
      'script',
      'seed',
      'readDelayMs',
      'durationMs',
      'expected',
      'options.intervalMs',
      'options.failureThreshold',
      'options.requestTimeoutMs',
    ),
    fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined }),
  )
  .map(([scenario, key, value]) => {
    const copy = structuredClone(scenario) as unknown as Record<string, unknown>;
    const [outer, inner] = key.split('.') as [string, string | undefined];
    const target = inner ? (copy[outer] as Record<string, unknown>) : copy;
    const name = inner ?? outer;
    if (value === undefined) delete target[name];
    else target[name] = value;
    return copy;
  });

describe('the scenario schema and simulate() take any input', () => {
  it('parse and simulate any value at all, or refuse it with a ProbekitError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 3 }), async (value) => {
        await parseAndSimulate(value);
      }),
      { numRuns: 300 },
    );
  });

  it('parse and simulate random scenario objects (edge numbers, random scripts), or refuse them with a ProbekitError', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (value) => {
        await parseAndSimulate(value);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('parse and simulate shipped fixtures with one property replaced or deleted, or refuse them with a ProbekitError', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedFixture, async (value) => {
        await parseAndSimulate(value);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('simulate() refuses code-built scenarios of any shape with a ProbekitError (it is called without parseScenario)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(scenarioArbitrary, fc.anything({ maxDepth: 2 }), mutatedFixture),
        async (value) => {
          try {
            await simulate(value as Scenario);
          } catch (error) {
            expectProbekitRefusal(error);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('a valid scenario simulates deterministically', () => {
  it('gives the same trace twice for the same random valid scenario', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(validScenarioArbitrary, async (value) => {
        const first = await parseAndSimulate(value);
        if (first === undefined) return;
        ran++;
        expect(await simulate(value as unknown as Scenario)).toEqual(first);
      }),
      { numRuns: 200 },
    );
    // The arbitrary must reach the simulation, not only the refusals.
    expect(ran).toBeGreaterThan(100);
  }, 60_000);
});
