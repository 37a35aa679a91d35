import { ProbekitError } from '../../errors.js';
import { assertNever } from '../engine/kinds.js';
import type { EndpointDefinition, Item, Step } from './model.js';

function stepPasses(step: Step | undefined): boolean {
  return step?.kind === 'pass';
}

function itemPasses(item: Item): boolean {
  switch (item.kind) {
    case 'repeat':
    case 'forever':
      return itemPasses(item.item);
    case 'group':
      return item.items.some(itemPasses);
    case 'choice':
      return item.options.some((option) => stepPasses(option.step));
    case 'status':
    case 'slow-headers':
    case 'slow-body':
    case 'hang':
    case 'reset':
    case 'close':
    case 'malformed':
    case 'refuse':
    case 'pass':
      return stepPasses(item);
    default:
      return assertNever(item, 'item');
  }
}

/**
 * Whether a definition has a `pass` step anywhere (script, choice, window or flap).
 *
 * @example
 * usesPass(parseScript('503, pass...')); // true
 */
export function usesPass(definition: EndpointDefinition): boolean {
  return definition.routes.some(
    (route) =>
      route.script.some(itemPasses) ||
      (route.windows ?? []).some((window) => stepPasses(window.step)) ||
      stepPasses(route.flap?.step),
  );
}

/**
 * Refuses a script with `pass` for a backend that has no upstream (in-process, msw, the mock
 * server): `pass` is decided at load time, not on the first request that reaches it.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT`.
 * @example
 * refusePassWithoutUpstream(parseScript('pass...')); // throws
 */
export function refusePassWithoutUpstream(definition: EndpointDefinition): void {
  if (!usesPass(definition)) return;
  throw new ProbekitError(
    'ERR_PROBEKIT_INVALID_SCRIPT',
    'Failed to load the endpoint script: it has a "pass" step, and this endpoint has no upstream to pass to. Use "pass" with startFaultProxy(upstream, script) or `probekit proxy <upstream-url> "<script>"`; a mock answers with a status instead (200).',
  );
}
