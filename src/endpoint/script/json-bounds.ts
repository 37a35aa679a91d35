import { LIMITS } from './model.js';
import { invalidDefinition } from './semantics.js';

function kindOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return undefined;
    case 'object':
    case 'undefined':
      // An optional property left undefined: the schema says whether it may be there.
      return undefined;
    case 'bigint':
      return 'a bigint';
    default:
      return `a ${typeof value}`;
  }
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * What is wrong with a would-be JSON value's shape, before any schema sees it: where, why, and
 * a hint for the author. `undefined` when it is within bounds.
 */
export interface JsonBoundsProblem {
  /** A JSON pointer ("" for the root), cut to 200 characters. */
  readonly pointer: string;
  readonly reason: string;
  readonly hint?: string;
}

/**
 * Finds the first way `input` is not plain JSON of a reasonable shape: more than
 * {@link LIMITS.maxJsonDepth} deep, more than {@link LIMITS.maxJsonValues} values, or holding
 * something JSON cannot (functions, symbols, bigints). Shared by every loader that hands parsed
 * JSON to ajv (endpoint definitions, checker scenarios, healthz cases): ajv and the code after
 * it recurse once per level, so 5,000 levels would overflow the stack; this walk keeps its own
 * stack, so nothing here can.
 *
 * @example
 * jsonBoundsProblem({ a: [[[[]]]] }); // undefined
 * jsonBoundsProblem(() => 1)?.reason; // 'is a function, not an object'
 */
export function jsonBoundsProblem(input: unknown): JsonBoundsProblem | undefined {
  if (input === null || typeof input !== 'object') {
    return {
      pointer: '',
      reason: `is ${input === null ? 'null' : `a ${typeof input}`}, not an object`,
    };
  }
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [
    { value: input, pointer: '', depth: 1 },
  ];
  let values = 0;
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop() as (typeof stack)[number];
    if (++values > LIMITS.maxJsonValues) {
      return {
        pointer: '',
        reason: `holds more than ${LIMITS.maxJsonValues} JSON values`,
        hint: 'Use repeats ({ "kind": "repeat", "times": 1000, ... }) instead of copies',
      };
    }
    const bad = kindOf(value);
    if (bad !== undefined)
      return { pointer: pointer.slice(0, 200), reason: `is ${bad}, which JSON cannot hold` };
    if (value === null || typeof value !== 'object') continue;
    if (depth > LIMITS.maxJsonDepth) {
      return {
        pointer: pointer.slice(0, 200),
        reason: `nests more than ${LIMITS.maxJsonDepth} levels deep`,
        hint: `Items nest at most ${LIMITS.maxDepth} deep: flatten the script`,
      };
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], pointer: `${pointer}/${i}`, depth: depth + 1 });
      }
    } else {
      for (const [key, child] of Object.entries(value)) {
        stack.push({ value: child, pointer: `${pointer}/${pointerToken(key)}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Checks that a would-be JSON definition is plain JSON of a reasonable shape before the schema
 * sees it (see {@link jsonBoundsProblem}).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` naming the JSON pointer and the limit.
 * @example
 * checkJsonBounds(JSON.parse(text)); // then validate against the schema
 */
export function checkJsonBounds(input: unknown): void {
  const problem = jsonBoundsProblem(input);
  if (problem === undefined) return;
  throw invalidDefinition(
    problem.pointer,
    problem.reason,
    problem.pointer === '' && problem.reason.endsWith('not an object')
      ? 'Pass the DSL as a string ("200*2, 503...") or a definition object ({ "routes": [...] })'
      : problem.hint,
  );
}
