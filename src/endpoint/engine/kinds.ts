import { ProbekitError } from '../../errors.js';

/**
 * The end of an exhaustive `switch` over a closed set of kinds (a step's `kind`, a decision's
 * `action`): a new kind makes every switch that forgets it fail to compile, here, instead of
 * falling silently into a `default`. At run time it is reached only by data that skipped
 * validation.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` naming the value.
 * @example
 * switch (step.kind) {
 *   case 'hang': return …;
 *   // … every other kind …
 *   default: return assertNever(step, 'step');
 * }
 */
export function assertNever(value: never, what: string): never {
  const kind =
    (value as { kind?: unknown; action?: unknown } | null)?.kind ?? (value as { action?: unknown })?.action;
  throw new ProbekitError(
    'ERR_PROBEKIT_INVALID_SCRIPT',
    `Failed to play the endpoint script: the ${what} kind ${JSON.stringify(kind ?? value)} is not one probekit knows. Validate the definition first (validateDefinition).`,
  );
}
