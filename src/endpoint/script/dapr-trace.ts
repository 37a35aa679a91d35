import { describeValue, ProbekitError } from '../../errors.js';
import { ANY_PATH, type EndpointDefinition, type Item, type Step } from './model.js';
import { validateDefinition } from './schema.js';

function daprItem(text: string, position: string): Step {
  const fail = (): never => {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCRIPT',
      `Failed to read the Dapr trace script: ${position} ${describeValue(text)} is not a trace item. Items are a status like "200", "hang", "close", "reset", or "delay:N:CODE".`,
    );
  };
  if (typeof text !== 'string') return fail();
  if (text === 'hang' || text === 'close' || text === 'reset') return { kind: text };
  const delayed = /^delay:(\d+):(\d{3})$/.exec(text);
  const [delay, code] = delayed ? [Number(delayed[1]), delayed[2] as string] : [undefined, text];
  if (!/^\d{3}$/.test(code)) return fail();
  const status = Number(code);
  // The recording endpoint sent a Location with every 3xx (fixtures/dapr-traces/README.md).
  const headers = status >= 300 && status < 400 ? { location: '/target' } : undefined;
  return {
    kind: 'status',
    status,
    ...(headers ? { headers } : {}),
    ...(delay === undefined ? {} : { delay }),
  } as Step;
}

/**
 * Converts a Dapr trace's script (fixtures/dapr-traces: items `"200"`, `"503"`, `"hang"`,
 * `"close"`, `"delay:N:CODE"`, then `afterScript` for every later request) into a definition
 * for every path.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` naming the item that is not valid.
 * @example
 * const trace = JSON.parse(readFileSync('fixtures/dapr-traces/S3_streaks.json', 'utf8'));
 * const { transport } = flakyEndpoint(scriptFromDaprTrace(trace.script, trace.afterScript), { clock });
 */
export function scriptFromDaprTrace(items: readonly string[], afterScript?: string): EndpointDefinition {
  if (!Array.isArray(items)) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_SCRIPT',
      `Failed to read the Dapr trace script: ${describeValue(items)} is not an array. Pass the trace's "script" array.`,
    );
  }
  const script: Item[] = items.map((item, i) => daprItem(item, `item #${i}`));
  if (afterScript !== undefined) script.push({ kind: 'forever', item: daprItem(afterScript, 'afterScript') });
  if (script.length === 0) script.push({ kind: 'forever', item: { kind: 'status', status: 200 } });
  return validateDefinition({ routes: [{ path: ANY_PATH, script }] });
}
