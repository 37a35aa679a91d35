import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { DEFAULTS } from '../checker/options.js';
import { jsonBoundsProblem } from '../endpoint/script/json-bounds.js';
import { ProbekitError } from '../errors.js';
import { isRuleId } from './rules.js';
import type { Scenario } from './types.js';

/**
 * The longest run `simulate()` accepts, in ticks of the checker's interval (as `probekit
 * explain` allows): about a few seconds of CPU. Longer runs would look like a hang.
 *
 * @example
 * scenario.durationMs / scenario.options.intervalMs <= MAX_SIMULATED_TICKS;
 */
export const MAX_SIMULATED_TICKS = 100_000;

/** Where the scenario JSON Schema ships (resolves from both src/ and dist/). */
export const SCENARIO_SCHEMA_URL = new URL('../../schema/scenario.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;
let compiledRunnable: ValidateFunction | undefined;

/** The properties `simulate()` reads; the rest (id, rules, level, expected) is a fixture's. */
const RUNNABLE = ['options', 'script', 'seed', 'readDelayMs', 'durationMs', 'idleTimeoutMs'] as const;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_URL, 'utf8')) as object;
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return compiled;
}

/** The shipped schema cut to what a run needs, so a scenario built in code (no rules) runs. */
function runnableValidator(): ValidateFunction {
  if (!compiledRunnable) {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_URL, 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const properties = Object.fromEntries(RUNNABLE.map((name) => [name, schema.properties[name]]));
    compiledRunnable = new Ajv({ allErrors: true, strict: false }).compile({
      type: 'object',
      required: ['options', 'script', 'durationMs'],
      properties,
    });
  }
  return compiledRunnable;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * The shape bound every parsed scenario, trace or case file passes before ajv sees it (ajv,
 * and the code that later prints or compares the value, recurse once per level: a 5,000-deep
 * `expected` passed the schema, then overflowed the stack in `fixtures check`).
 *
 * @example
 * jsonShapeProblems(JSON.parse(text)); // [] for any fixture that ships
 */
export function jsonShapeProblems(value: unknown): string[] {
  const problem = jsonBoundsProblem(value);
  if (problem === undefined) return [];
  // The hint speaks of endpoint scripts; a scenario's pointer and reason say enough.
  return [`${problem.pointer || '(root)'} ${problem.reason}`];
}

/**
 * Checks `value` against the scenario schema and the rule catalogue; returns the problems
 * (empty when valid).
 *
 * @example
 * const problems = scenarioProblems(JSON.parse(text));
 */
export function scenarioProblems(value: unknown): string[] {
  const shape = jsonShapeProblems(value);
  if (shape.length) return shape;
  const validate = validator();
  if (!validate(value)) return (validate.errors ?? []).map(describeError);
  const scenario = value as Scenario;
  return scenario.rules
    .filter((rule) => !isRuleId(rule))
    .map((rule) => `/rules unknown rule ${JSON.stringify(rule)}`);
}

/**
 * Returns `value` as a Scenario, or throws `ERR_PROBEKIT_INVALID_SCENARIO` listing every problem.
 *
 * @example
 * const scenario = parseScenario(JSON.parse(readFileSync('fixtures/checker/streaks.json', 'utf8')), 'streaks.json');
 */
export function parseScenario(value: unknown, origin = 'scenario'): Scenario {
  const problems = scenarioProblems(value);
  if (problems.length) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to read ${origin}: ${problems.join('; ')}. See schema/scenario.schema.json.`,
    );
  }
  return value as Scenario;
}

/**
 * Checks what a run reads — `options`, `script`, `seed`, `readDelayMs`, `durationMs`,
 * `idleTimeoutMs` — against the shipped schema, and that the run is at most `maxTicks` of the
 * ticker long. `simulate()` calls it, so a scenario built in code (or read from anywhere) gets a
 * `ProbekitError` rather than a TypeError or an endless simulation; the metadata a fixture
 * needs (id, rules, level) is {@link parseScenario}'s business.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCENARIO` listing every problem.
 * @example
 * assertRunnable({ options: { intervalMs: 100 }, script: '200', durationMs: 1000 }, 'simulate()');
 */
export function assertRunnable(value: unknown, origin: string, maxTicks = MAX_SIMULATED_TICKS): void {
  const fail = (problems: string[], hint: string): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCENARIO',
      `Failed to run ${origin}: ${problems.join('; ')}. ${hint}.`,
    );
  };
  const shape = jsonShapeProblems(value);
  if (shape.length) fail(shape, 'Pass a scenario object (schema/scenario.schema.json)');
  const validate = runnableValidator();
  if (!validate(value)) {
    fail((validate.errors ?? []).map(describeError), 'See schema/scenario.schema.json');
  }
  const { options, durationMs } = value as Pick<Scenario, 'options' | 'durationMs'>;
  const intervalMs = options.intervalMs ?? DEFAULTS.interval;
  if (durationMs / intervalMs > maxTicks) {
    fail(
      [`/durationMs ${durationMs} at an interval of ${intervalMs} ms is over ${maxTicks} ticks`],
      'Shorten durationMs or lengthen options.intervalMs',
    );
  }
}
