import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ProbekitError } from '../errors.js';
import { isRuleId } from './rules.js';
import type { Scenario } from './types.js';

/** Where the scenario JSON Schema ships (resolves from both src/ and dist/). */
export const SCENARIO_SCHEMA_URL = new URL('../../schema/scenario.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_URL, 'utf8')) as object;
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return compiled;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Checks `value` against the scenario schema and the rule catalogue; returns the problems
 * (empty when valid).
 *
 * @example
 * const problems = scenarioProblems(JSON.parse(text));
 */
export function scenarioProblems(value: unknown): string[] {
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
