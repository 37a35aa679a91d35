import fc from 'fast-check';
import {
  type EndpointDefinition,
  type Flap,
  type Item,
  type Latency,
  LIMITS,
  type Route,
  type Step,
  type TimeWindow,
} from '../../src/endpoint/script/model.js';

/** Canonical endpoint definitions, for property tests (the DSL prints and parses them exactly). */

const ms = fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: LIMITS.maxMs }));
const positiveMs = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: LIMITS.maxMs }));

const latency: fc.Arbitrary<Latency> = fc.oneof(
  ms,
  fc.tuple(ms, ms).map(([a, b]): Latency => ({ dist: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
  fc.record({ dist: fc.constant('normal' as const), mean: ms, sd: ms }),
  fc.record({ dist: fc.constant('exponential' as const), mean: ms }),
);

const headerName = fc
  .stringMatching(/^[a-z][a-z0-9_-]{0,12}$/)
  .filter((name) => !['content-length', 'transfer-encoding', 'connection'].includes(name));
const headerValue = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\t', ' ', 'é', 'ÿ'),
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 12,
});
const headers = fc.dictionary(headerName, headerValue, { minKeys: 1, maxKeys: 3 });
const body = fc.string({ unit: 'binary', maxLength: 16 });
const status = fc.integer({ min: 200, max: 599 });

function withOptional<T extends object>(
  base: fc.Arbitrary<T>,
  extras: Record<string, fc.Arbitrary<unknown>>,
) {
  return fc
    .tuple(base, ...Object.values(extras).map((a) => fc.option(a, { nil: undefined })))
    .map(([value, ...options]) => {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      Object.keys(extras).forEach((key, i) => {
        if (options[i] !== undefined) out[key] = options[i];
      });
      return out as T;
    });
}

const statusStep = withOptional(fc.record({ kind: fc.constant('status' as const), status }), {
  headers,
  body,
  delay: latency,
});
const slowStep = withOptional(
  fc.record({
    kind: fc.constantFrom('slow-headers' as const, 'slow-body' as const),
    status,
    over: positiveMs,
  }),
  { headers, body, delay: latency },
);
const faultStep = withOptional(
  fc.record({ kind: fc.constantFrom('reset' as const, 'close' as const, 'malformed' as const) }),
  {
    delay: latency,
  },
);
const hangStep = fc.constant({ kind: 'hang' as const });

/** Steps that can stand anywhere but a refuse (choices and overlays). */
const answeringStep: fc.Arbitrary<Step> = fc.oneof(
  statusStep,
  slowStep,
  faultStep,
  hangStep,
) as fc.Arbitrary<Step>;
const scriptStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: answeringStep, weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('refuse' as const), for: positiveMs }), weight: 1 },
);
const overlayStep: fc.Arbitrary<Step> = fc.oneof(answeringStep, fc.constant({ kind: 'refuse' as const }));

const choice: fc.Arbitrary<Item> = fc.record({
  kind: fc.constant('choice' as const),
  options: fc.array(
    withOptional(fc.record({ step: answeringStep }), {
      weight: fc.integer({ min: 1, max: LIMITS.maxWeight }),
    }),
    { minLength: 2, maxLength: 4 },
  ),
}) as fc.Arbitrary<Item>;

const { item } = fc.letrec<{ item: Item }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scriptStep, weight: 4 },
    { arbitrary: choice, weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('repeat' as const),
        times: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: LIMITS.maxTimes })),
        item: tie('item'),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('group' as const),
        items: fc.array(tie('item'), { minLength: 1, maxLength: 3 }),
      }),
      weight: 1,
    },
  ) as fc.Arbitrary<Item>,
}));

/** Any script item (no `forever`, which only ends a route). */
export const itemArbitrary = item;

const window: fc.Arbitrary<TimeWindow> = (
  withOptional(fc.record({ from: fc.integer({ min: 0, max: 1_000_000 }) }), {
    until: fc.integer({ min: 1, max: 1_000_000 }),
    step: overlayStep,
  }) as fc.Arbitrary<TimeWindow>
).map((w: TimeWindow) => (w.until !== undefined ? { ...w, until: w.from + w.until } : w));

const flap: fc.Arbitrary<Flap> = withOptional(fc.record({ up: positiveMs, down: positiveMs }), {
  step: overlayStep,
});

// Paths, globs among them (`*` anywhere after the first "/"), and `*` for every path.
const path = fc.oneof(
  fc.constant('*'),
  fc.stringMatching(/^\/[A-Za-z0-9._~%/+!$&'=@-]{0,12}$/),
  fc.stringMatching(/^\/[A-Za-z0-9._~%/+!$&'=@*-]{0,12}$/),
);
/** A route method, or `undefined` for any method. */
const method = fc.option(
  fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'M-SEARCH'),
    fc.stringMatching(/^[A-Z][A-Z0-9_-]{0,10}$/),
  ),
  { nil: undefined },
);

const route = (routePath: string, routeMethod: string | undefined): fc.Arbitrary<Route> =>
  fc
    .record({
      script: fc.array(item, { maxLength: 4 }),
      last: fc.option(fc.oneof(item.map((i): Item => ({ kind: 'forever', item: i }))), { nil: undefined }),
      end: fc.constantFrom(undefined, 'cycle' as const, 'end' as const),
      windows: fc.array(window, { maxLength: 2 }),
      flap: fc.option(flap, { nil: undefined }),
    })
    .map(({ script, last, end, windows, flap: f }) => {
      const steps = last ? [...script, last] : script;
      const out: { -readonly [K in keyof Route]: Route[K] } =
        routeMethod === undefined
          ? { path: routePath, script: steps }
          : { method: routeMethod, path: routePath, script: steps };
      if (end && steps.length > 0 && !last) out.end = end;
      if (windows.length > 0) out.windows = windows;
      if (f) out.flap = f;
      if (steps.length === 0 && windows.length === 0 && !f) out.script = [{ kind: 'status', status: 200 }];
      return out;
    });

/** Canonical, valid endpoint definitions with 1 to 3 routes, one per method and path. */
export const definitionArbitrary: fc.Arbitrary<EndpointDefinition> = fc
  .uniqueArray(fc.record({ method, path }), {
    minLength: 1,
    maxLength: 3,
    selector: (key) => `${key.method ?? '*'} ${key.path}`,
  })
  .chain((keys) => fc.tuple(...keys.map((key) => route(key.path, key.method))))
  .map((routes) => ({ routes }));
