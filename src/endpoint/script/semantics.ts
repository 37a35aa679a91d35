import { describeValue, ProbekitError } from '../../errors.js';
import { assertNever } from '../engine/kinds.js';
import { ANY_METHOD, type EndpointDefinition, type Item, LIMITS, type Step } from './model.js';

const HINT = 'See schema/endpoint-script.schema.json, or write the script in the DSL (docs/dsl.md)';

/**
 * An `ERR_PROBEKIT_INVALID_SCRIPT` error for the definition at a JSON pointer.
 *
 * @example
 * throw invalidDefinition('/routes/0/path', 'repeats the path "/a"');
 */
export function invalidDefinition(pointer: string, reason: string, hint = HINT): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_SCRIPT',
    `Failed to read the endpoint definition: ${pointer || 'the definition'} ${reason}. ${hint.replace(/\.$/, '')}.`,
  );
}

const invalid = invalidDefinition;

/**
 * Checks the rules a JSON Schema cannot say (the DSL parser enforces the same ones with
 * columns, then calls this too, so both forms accept exactly the same definitions).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` naming the JSON pointer.
 * @example
 * checkDefinition({ routes: [{ path: '*', script: [{ kind: 'forever', item: { kind: 'hang' } }, { kind: 'hang' }] }] }); // throws
 */
export function checkDefinition(definition: EndpointDefinition): void {
  // A route is keyed by its method and path: `GET /healthz` and `/healthz` (any method) are two.
  const keys = new Set<string>();
  let nodes = 0;
  const walk = (item: Item, pointer: string, depth: number, place: 'top' | 'last' | 'nested') => {
    if (++nodes > LIMITS.maxItems * 10) {
      throw invalid(
        pointer,
        `makes the script larger than ${LIMITS.maxItems * 10} items`,
        'Use repeat instead of copies',
      );
    }
    if (depth > LIMITS.maxDepth) {
      throw invalid(pointer, `nests more than ${LIMITS.maxDepth} deep`, 'Flatten the script');
    }
    switch (item.kind) {
      case 'forever':
        if (place !== 'last') {
          throw invalid(
            pointer,
            'repeats forever but is not the last item of the route script',
            'Only the last top-level item may be "forever": anything after it would never be reached',
          );
        }
        walk(item.item, `${pointer}/item`, depth + 1, 'nested');
        return;
      case 'repeat':
        walk(item.item, `${pointer}/item`, depth + 1, 'nested');
        return;
      case 'group':
        item.items.forEach((child, i) => {
          walk(child, `${pointer}/items/${i}`, depth + 1, 'nested');
        });
        return;
      case 'choice':
        item.options.forEach((option, i) => {
          if (option.step.kind === 'refuse') {
            throw invalid(
              `${pointer}/options/${i}/step`,
              'is refuse, which cannot be a choice: a refused connection is never received, so nothing would pick it',
              'Refuse for a while in the script ({ "kind": "refuse", "for": 2000 }) or in a window',
            );
          }
        });
        return;
      case 'refuse':
        if (item.for === undefined) {
          throw invalid(
            pointer,
            'is a refuse step without "for"',
            'In a script, say how long connections are refused: { "kind": "refuse", "for": 2000 }',
          );
        }
        return;
      case 'status':
      case 'slow-headers':
      case 'slow-body':
      case 'hang':
      case 'reset':
      case 'close':
      case 'malformed':
      case 'pass':
        return;
      default:
        assertNever(item, 'item');
    }
  };
  const overlayStep = (step: Step | undefined, pointer: string) => {
    if (step?.kind === 'refuse' && step.for !== undefined) {
      throw invalid(
        `${pointer}/for`,
        'is not allowed here',
        'A window or a flap already says how long connections are refused',
      );
    }
  };
  definition.routes.forEach((route, r) => {
    const pointer = `/routes/${r}`;
    const method = route.method === ANY_METHOD ? undefined : route.method;
    const key = `${method ?? ANY_METHOD} ${route.path}`;
    if (keys.has(key)) {
      const what =
        method === undefined
          ? `the path ${describeValue(route.path)}`
          : `the route ${method} ${describeValue(route.path)}`;
      throw invalid(
        `${pointer}/path`,
        `repeats ${what}`,
        'Give each method and path one route (a route without a method answers every method)',
      );
    }
    keys.add(key);
    route.script.forEach((item, i) => {
      walk(item, `${pointer}/script/${i}`, 0, i === route.script.length - 1 ? 'last' : 'top');
    });
    const last = route.script.at(-1);
    if (route.script.length === 0 && !route.windows?.length && !route.flap) {
      throw invalid(
        `${pointer}/script`,
        'is empty and the route has no windows or flap',
        'Add at least one step, e.g. { "kind": "status", "status": 200 }',
      );
    }
    if (route.end !== undefined && route.end !== 'last' && (last === undefined || last.kind === 'forever')) {
      throw invalid(
        `${pointer}/end`,
        last === undefined ? 'applies to an empty script' : 'can never apply: the script ends with "forever"',
        'Drop "end", or the "forever"',
      );
    }
    route.windows?.forEach((window, i) => {
      if (window.until !== undefined && window.until <= window.from) {
        throw invalid(
          `${pointer}/windows/${i}/until`,
          `(${window.until}) is not after "from" (${window.from})`,
          'A window ends after it starts',
        );
      }
      overlayStep(window.step, `${pointer}/windows/${i}/step`);
    });
    overlayStep(route.flap?.step, `${pointer}/flap/step`);
  });
}
