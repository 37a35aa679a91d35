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
 * Checks that a would-be JSON definition is plain JSON of a reasonable shape before the schema
 * sees it: at most {@link LIMITS.maxJsonDepth} deep and {@link LIMITS.maxJsonValues} values,
 * and nothing JSON cannot hold (functions, symbols, bigints, `undefined`). The schema validator
 * recurses once per level, so 5,000 levels would overflow the stack; this walk uses its own
 * stack, so nothing here can.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` naming the JSON pointer and the limit.
 * @example
 * checkJsonBounds(JSON.parse(text)); // then validate against the schema
 */
export function checkJsonBounds(input: unknown): void {
  if (input === null || typeof input !== 'object') {
    throw invalidDefinition(
      '',
      `is ${input === null ? 'null' : `a ${typeof input}`}, not an object`,
      'Pass the DSL as a string ("200*2, 503...") or a definition object ({ "routes": [...] })',
    );
  }
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [
    { value: input, pointer: '', depth: 1 },
  ];
  let values = 0;
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop() as (typeof stack)[number];
    if (++values > LIMITS.maxJsonValues) {
      throw invalidDefinition(
        '',
        `holds more than ${LIMITS.maxJsonValues} JSON values`,
        'Use repeats ({ "kind": "repeat", "times": 1000, ... }) instead of copies',
      );
    }
    const bad = kindOf(value);
    if (bad !== undefined) throw invalidDefinition(pointer, `is ${bad}, which JSON cannot hold`);
    if (value === null || typeof value !== 'object') continue;
    if (depth > LIMITS.maxJsonDepth) {
      throw invalidDefinition(
        pointer.slice(0, 200),
        `nests more than ${LIMITS.maxJsonDepth} levels deep`,
        `Items nest at most ${LIMITS.maxDepth} deep: flatten the script`,
      );
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
}
