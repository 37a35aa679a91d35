import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ProbekitError } from '../../errors.js';
import { readJsonFolder } from '../../scenario/json-folder.js';
import { jsonShapeProblems } from '../../scenario/validate.js';
import { isServerRuleId } from './rules.js';
import {
  isFlip,
  type ServerCase,
  type ServerConfiguration,
  type ServerLevel,
  type ServerProfile,
  type ServerStep,
} from './types.js';

/**
 * The healthz cases that ship with probekit (resolves from both src/ and dist/).
 *
 * @example
 * loadServerCases(HEALTHZ_FIXTURES_DIR).length; // every shipped case
 */
export const HEALTHZ_FIXTURES_DIR = fileURLToPath(new URL('../../../fixtures/healthz/', import.meta.url));

/**
 * Where the healthz case JSON Schema ships (resolves from both src/ and dist/).
 *
 * @example
 * JSON.parse(readFileSync(HEALTHZ_CASE_SCHEMA_URL, 'utf8')).title; // 'probekit healthz conformance cases'
 */
export const HEALTHZ_CASE_SCHEMA_URL = new URL('../../../schema/healthz-case.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(HEALTHZ_CASE_SCHEMA_URL, 'utf8')) as object;
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return compiled;
}

function describeError(error: ErrorObject): string {
  return `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`;
}

/** What the schema cannot say: rule ids exist, and the step shapes each `start` allows. */
function caseProblems(serverCase: ServerCase, at: string): string[] {
  const problems: string[] = [];
  for (const rule of serverCase.rules) {
    if (!isServerRuleId(rule)) problems.push(`${at}/rules unknown rule ${JSON.stringify(rule)}`);
  }
  const start = serverCase.start ?? 'not-ready';
  const steps: readonly ServerStep[] = serverCase.steps;
  if (start !== 'not-ready' && steps.some(isFlip)) {
    problems.push(
      `${at}/steps has a "do" step, which a "${start}" case cannot have (it must not depend on flipping readiness)`,
    );
  }
  if (!steps.some((step) => !isFlip(step))) problems.push(`${at}/steps has no request`);
  else if (isFlip(steps[steps.length - 1] as ServerStep)) {
    problems.push(`${at}/steps ends with a "do" step that nothing checks`);
  }
  return problems;
}

/**
 * Checks one parsed fixture file against the schema and the rules the schema cannot express;
 * returns the problems (empty when valid).
 *
 * @example
 * serverCaseFileProblems(JSON.parse(readFileSync('fixtures/healthz/sidecar-readiness.json', 'utf8'))); // []
 */
export function serverCaseFileProblems(value: unknown): string[] {
  // Depth and size first: ajv recurses once per level (see jsonShapeProblems).
  const shape = jsonShapeProblems(value);
  if (shape.length) return shape;
  const validate = validator();
  if (!validate(value)) return (validate.errors ?? []).map(describeError);
  const { cases } = value as { cases: ServerCase[] };
  return cases.flatMap((serverCase, index) => caseProblems(serverCase, `/cases/${index}`));
}

/**
 * A case with the file it came from.
 *
 * @example
 * for (const { file, serverCase } of loadServerCases()) console.log(file, serverCase.id);
 */
export interface ServerCaseFile {
  readonly file: string;
  readonly serverCase: ServerCase;
}

/**
 * Reads and validates every `*.json` file of cases in `dir` (sorted by file name; cases in file
 * order), rejecting duplicate ids. Synchronous, so test files can register one test per case.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCENARIO` naming the file and every problem.
 * @example
 * const sidecar = loadServerCases().filter(({ serverCase }) => serverCase.profile === 'sidecar');
 */
export function loadServerCases(dir: string = HEALTHZ_FIXTURES_DIR): ServerCaseFile[] {
  const { files, claimId } = readJsonFolder(dir, 'healthz cases');
  return files.flatMap(({ file, value }) => {
    const problems = serverCaseFileProblems(value);
    if (problems.length) {
      throw new ProbekitError(
        'ERR_PROBEKIT_INVALID_SCENARIO',
        `Failed to read ${file}: ${problems.join('; ')}. See schema/healthz-case.schema.json.`,
      );
    }
    return (value as { cases: ServerCase[] }).cases.map((serverCase) => {
      claimId(serverCase.id, file);
      return { file, serverCase };
    });
  });
}

/**
 * Which cases to take.
 *
 * @example
 * const selection: ServerCaseSelection = { profile: 'control-plane', levels: ['strict'] };
 */
export interface ServerCaseSelection {
  readonly profile: ServerProfile;
  /** Only these levels (default: all). */
  readonly levels?: readonly ServerLevel[];
  /** Only these ids (default: all). */
  readonly only?: readonly string[];
  /** A folder of case files (default: the fixtures shipped with probekit). */
  readonly fixturesDir?: string;
  /**
   * How the server under test was started (default: without options). Only the cases written
   * for exactly this configuration are taken: a server with an API token refuses requests the
   * other cases send without one.
   */
  readonly server?: ServerConfiguration;
}

function sameConfiguration(a: ServerConfiguration | undefined, b: ServerConfiguration | undefined): boolean {
  return a?.apiToken === b?.apiToken;
}

/**
 * The cases of one profile, after the level, id and server-configuration filters, in file order.
 *
 * @example
 * serverCases({ profile: 'sidecar', levels: ['core'] }).map((c) => c.id);
 * serverCases({ profile: 'sidecar', server: { apiToken: 'probekit-conformance-token' } });
 */
export function serverCases(selection: ServerCaseSelection): ServerCase[] {
  const { profile, levels, only } = selection;
  return loadServerCases(selection.fixturesDir)
    .map(({ serverCase }) => serverCase)
    .filter(
      (c) =>
        c.profile === profile &&
        (!levels?.length || levels.includes(c.level)) &&
        (!only?.length || only.includes(c.id)) &&
        sameConfiguration(c.server, selection.server),
    );
}
