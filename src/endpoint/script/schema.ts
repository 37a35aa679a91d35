import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { describeValue, type ProbekitError } from '../../errors.js';
import { parseScript } from './dsl/parser.js';
import { checkJsonBounds } from './json-bounds.js';
import { ANY_METHOD, type EndpointDefinition, type Item, LIMITS, type Route, type Step } from './model.js';
import { checkDefinition, invalidDefinition as invalid } from './semantics.js';

const ms = { type: 'integer', minimum: 0, maximum: LIMITS.maxMs };
const positiveMs = { type: 'integer', minimum: 1, maximum: LIMITS.maxMs };
const kind = (...kinds: string[]) => (kinds.length === 1 ? { const: kinds[0] } : { enum: kinds });

/**
 * The JSON Schema (draft-07) of an endpoint definition. Also shipped as
 * `schema/endpoint-script.schema.json`.
 *
 * @example
 * import Ajv from 'ajv';
 * new Ajv({ discriminator: true }).validate(endpointScriptSchema, { routes: [{ path: '*', script: [] }] });
 */
export const endpointScriptSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:probekit:endpoint-script',
  title: 'probekit endpoint definition',
  description:
    'The behaviour of a flaky mock endpoint: routes by method and path, each a script of steps keyed by request number, with optional time windows and flapping. See docs/dsl.md.',
  type: 'object',
  required: ['routes'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    routes: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.maxRoutes,
      items: { $ref: '#/definitions/route' },
    },
  },
  definitions: {
    ms,
    positiveMs,
    status: { type: 'integer', minimum: 200, maximum: 599 },
    headers: {
      type: 'object',
      maxProperties: LIMITS.maxHeaders,
      propertyNames: {
        pattern: '^[a-z][a-z0-9_-]*$',
        not: { enum: ['content-length', 'transfer-encoding', 'connection'] },
      },
      additionalProperties: { type: 'string', pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
    },
    body: { type: 'string', maxLength: LIMITS.maxBodyChars },
    latency: {
      oneOf: [
        { $ref: '#/definitions/ms' },
        {
          type: 'object',
          required: ['dist', 'min', 'max'],
          additionalProperties: false,
          properties: { dist: { const: 'uniform' }, min: ms, max: ms },
        },
        {
          type: 'object',
          required: ['dist', 'mean', 'sd'],
          additionalProperties: false,
          properties: { dist: { const: 'normal' }, mean: ms, sd: ms },
        },
        {
          type: 'object',
          required: ['dist', 'mean'],
          additionalProperties: false,
          properties: { dist: { const: 'exponential' }, mean: ms },
        },
      ],
    },
    statusStep: {
      type: 'object',
      required: ['kind', 'status'],
      additionalProperties: false,
      properties: {
        kind: kind('status'),
        status: { $ref: '#/definitions/status' },
        headers: { $ref: '#/definitions/headers' },
        body: { $ref: '#/definitions/body' },
        delay: { $ref: '#/definitions/latency' },
      },
    },
    slowStep: {
      type: 'object',
      required: ['kind', 'status', 'over'],
      additionalProperties: false,
      properties: {
        kind: kind('slow-headers', 'slow-body'),
        status: { $ref: '#/definitions/status' },
        headers: { $ref: '#/definitions/headers' },
        body: { $ref: '#/definitions/body' },
        over: positiveMs,
        delay: { $ref: '#/definitions/latency' },
      },
    },
    hangStep: {
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: { kind: kind('hang') },
    },
    faultStep: {
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: { kind: kind('reset', 'close', 'malformed'), delay: { $ref: '#/definitions/latency' } },
    },
    refuseStep: {
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: { kind: kind('refuse'), for: positiveMs },
    },
    passStep: {
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: {
        kind: kind('pass'),
        status: { $ref: '#/definitions/status' },
        over: positiveMs,
        delay: { $ref: '#/definitions/latency' },
      },
    },
    step: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string' } },
      discriminator: { propertyName: 'kind' },
      oneOf: [
        { $ref: '#/definitions/statusStep' },
        { $ref: '#/definitions/slowStep' },
        { $ref: '#/definitions/hangStep' },
        { $ref: '#/definitions/faultStep' },
        { $ref: '#/definitions/refuseStep' },
        { $ref: '#/definitions/passStep' },
      ],
    },
    choice: {
      type: 'object',
      required: ['kind', 'options'],
      additionalProperties: false,
      properties: {
        kind: kind('choice'),
        options: {
          type: 'array',
          minItems: 2,
          maxItems: LIMITS.maxOptions,
          items: {
            type: 'object',
            required: ['step'],
            additionalProperties: false,
            properties: {
              step: { $ref: '#/definitions/step' },
              weight: { type: 'integer', minimum: 1, maximum: LIMITS.maxWeight },
            },
          },
        },
      },
    },
    repeat: {
      type: 'object',
      required: ['kind', 'times', 'item'],
      additionalProperties: false,
      properties: {
        kind: kind('repeat'),
        times: { type: 'integer', minimum: 1, maximum: LIMITS.maxTimes },
        item: { $ref: '#/definitions/item' },
      },
    },
    group: {
      type: 'object',
      required: ['kind', 'items'],
      additionalProperties: false,
      properties: {
        kind: kind('group'),
        items: {
          type: 'array',
          minItems: 1,
          maxItems: LIMITS.maxItems,
          items: { $ref: '#/definitions/item' },
        },
      },
    },
    forever: {
      type: 'object',
      required: ['kind', 'item'],
      additionalProperties: false,
      properties: { kind: kind('forever'), item: { $ref: '#/definitions/item' } },
    },
    item: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string' } },
      discriminator: { propertyName: 'kind' },
      oneOf: [
        { $ref: '#/definitions/statusStep' },
        { $ref: '#/definitions/slowStep' },
        { $ref: '#/definitions/hangStep' },
        { $ref: '#/definitions/faultStep' },
        { $ref: '#/definitions/refuseStep' },
        { $ref: '#/definitions/passStep' },
        { $ref: '#/definitions/choice' },
        { $ref: '#/definitions/repeat' },
        { $ref: '#/definitions/group' },
        { $ref: '#/definitions/forever' },
      ],
    },
    window: {
      type: 'object',
      required: ['from'],
      additionalProperties: false,
      properties: { from: ms, until: positiveMs, step: { $ref: '#/definitions/step' } },
    },
    flap: {
      type: 'object',
      required: ['up', 'down'],
      additionalProperties: false,
      properties: { up: positiveMs, down: positiveMs, step: { $ref: '#/definitions/step' } },
    },
    route: {
      type: 'object',
      required: ['path', 'script'],
      additionalProperties: false,
      properties: {
        method: {
          description:
            'The request method the route answers, upper case (methods are case-sensitive); "*" or left out: any method.',
          type: 'string',
          maxLength: LIMITS.maxMethodChars,
          pattern: '^(\\*|[A-Z][A-Z0-9_-]*)$',
        },
        path: {
          description:
            'A URL path, a glob where * stands for any run of characters ("/" included), or "*" for every path without a route of its own.',
          type: 'string',
          pattern: "^(\\*|/[A-Za-z0-9._~%/+!$&'=@*-]*)$",
        },
        script: { type: 'array', maxItems: LIMITS.maxItems, items: { $ref: '#/definitions/item' } },
        end: { enum: ['last', 'cycle', 'end'] },
        windows: { type: 'array', maxItems: LIMITS.maxWindows, items: { $ref: '#/definitions/window' } },
        flap: { $ref: '#/definitions/flap' },
      },
    },
  },
} as const;

// ajv is CommonJS: under NodeNext its default import is the module object.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass =
  (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);
let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ discriminator: true, allErrors: false, strict: true }).compile(endpointScriptSchema);
  return compiled;
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    current =
      current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function schemaError(root: unknown, error: ErrorObject): ProbekitError {
  const pointer = error.instancePath || '';
  // describeValue gives undefined for what JSON.stringify cannot show (a function).
  const got = describeValue(valueAt(root, pointer)) ?? typeof valueAt(root, pointer);
  const shown = got.length > 60 ? `${got.slice(0, 57)}...` : got;
  if (error.keyword === 'propertyNames' || error.schemaPath.includes('/propertyNames/')) {
    const name = error.propertyName ?? (error.params as { propertyName?: string }).propertyName;
    return invalid(
      pointer,
      `has a header name probekit does not accept: ${describeValue(name)}`,
      'Header names are lower-case (a-z, 0-9, "-", "_"); content-length, transfer-encoding and connection are set by probekit',
    );
  }
  if (error.keyword === 'pattern' && pointer.endsWith('/method')) {
    return invalid(
      pointer,
      `is not a method probekit can route by (got ${shown})`,
      'Methods are case-sensitive and written in upper case (letters, digits, "-", "_"): "GET", "POST"; leave "method" out (or write "*") for any method',
    );
  }
  if (error.keyword === 'pattern' && pointer.endsWith('/path')) {
    return invalid(
      pointer,
      `is not a route path (got ${shown})`,
      'Write a path like "/healthz", a glob like "/v1.0/*", or "*" for every path',
    );
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return invalid(
        pointer,
        `has an unknown property ${describeValue((error.params as { additionalProperty: string }).additionalProperty)}`,
      );
    case 'required':
      return invalid(
        pointer,
        `lacks the property ${describeValue((error.params as { missingProperty: string }).missingProperty)}`,
      );
    case 'discriminator':
      return invalid(
        pointer,
        `has an unknown kind ${describeValue(valueAt(root, `${pointer}/kind`))}`,
        'A step kind is status, slow-headers, slow-body, hang, reset, close, malformed, refuse or pass; items may also be choice, repeat, group or forever',
      );
    default:
      return invalid(pointer, `${error.message ?? 'is not valid'} (got ${shown})`);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Drops what the DSL cannot tell apart from its absence, so a definition prints and parses back equal. */
function normalizeStep(step: Step): Step {
  if ((step.kind === 'status' || step.kind === 'slow-headers' || step.kind === 'slow-body') && step.headers) {
    if (Object.keys(step.headers).length === 0) {
      const { headers: _, ...rest } = step;
      return rest as Step;
    }
  }
  return step;
}

function normalizeItem(item: Item): Item {
  switch (item.kind) {
    case 'choice':
      return { ...item, options: item.options.map((o) => ({ ...o, step: normalizeStep(o.step) })) };
    case 'repeat':
    case 'forever':
      return { ...item, item: normalizeItem(item.item) };
    case 'group':
      return { ...item, items: item.items.map(normalizeItem) };
    default:
      return normalizeStep(item);
  }
}

function normalizeRoute(route: Route): Route {
  // "*" is any method, as is no method: the canonical form leaves it out, as the DSL does.
  const out: Mutable<Route> =
    route.method === undefined || route.method === ANY_METHOD
      ? { path: route.path, script: route.script.map(normalizeItem) }
      : { method: route.method, path: route.path, script: route.script.map(normalizeItem) };
  if (route.end !== undefined && route.end !== 'last') out.end = route.end;
  if (route.windows && route.windows.length > 0) {
    out.windows = route.windows.map((w) => (w.step ? { ...w, step: normalizeStep(w.step) } : { ...w }));
  }
  if (route.flap)
    out.flap = route.flap.step ? { ...route.flap, step: normalizeStep(route.flap.step) } : { ...route.flap };
  return out;
}

/**
 * The canonical form of a valid definition: what {@link validateDefinition} returns and what
 * `printScript` / `parseScript` round-trip exactly (`end: 'last'`, `method: '*'`, empty
 * `headers` and empty `windows` are dropped).
 *
 * @example
 * normalizeDefinition({ routes: [{ path: '*', script: [], end: 'last', windows: [] }] });
 * // { routes: [{ path: '*', script: [] }] }
 */
export function normalizeDefinition(definition: EndpointDefinition): EndpointDefinition {
  return { routes: definition.routes.map(normalizeRoute) };
}

/**
 * Validates a JSON endpoint definition against {@link endpointScriptSchema} and the rules a
 * schema cannot express, and returns its canonical form.
 *
 * Depth and size are bounded before the schema runs (see {@link checkJsonBounds}).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT`, naming the JSON pointer and the value.
 * @example
 * validateDefinition(JSON.parse(readFileSync('endpoint.json', 'utf8')));
 */
export function validateDefinition(input: unknown): EndpointDefinition {
  checkJsonBounds(input);
  const validate = validator();
  if (!validate(input)) {
    const error = (validate.errors ?? [])[0];
    throw error ? schemaError(input, error) : invalid('', 'is not valid');
  }
  const definition = input as EndpointDefinition;
  checkDefinition(definition);
  return normalizeDefinition(definition);
}

/** A script in either form: DSL text or a JSON definition. */
export type EndpointScript = string | EndpointDefinition;

/**
 * Turns DSL text or a JSON definition into a validated, canonical definition. Anything else (a
 * function, a number) is an `ERR_PROBEKIT_INVALID_SCRIPT` error too.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_SCRIPT` (a `ScriptSyntaxError` for the DSL).
 * @example
 * toDefinition('200*2, 503...');
 * toDefinition({ routes: [{ path: '/healthz', script: [{ kind: 'hang' }] }] });
 */
export function toDefinition(script: EndpointScript | unknown): EndpointDefinition {
  if (typeof script === 'string') return parseScript(script);
  return validateDefinition(script);
}
