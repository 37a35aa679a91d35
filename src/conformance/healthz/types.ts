/**
 * The healthz case definitions: plain data, as stored in `fixtures/healthz/*.json` and
 * validated by `schema/healthz-case.schema.json`.
 */

/**
 * Which server a case is about: Dapr's control-plane `/healthz` (docs/semantics.md §2) or the
 * sidecar's `/v1.0/healthz` (§3).
 *
 * @example
 * const profile: ServerProfile = 'sidecar';
 */
export type ServerProfile = 'control-plane' | 'sidecar';

/**
 * How strict a case is. `core`: status codes, bodies and the headers that carry meaning, which
 * every Dapr-compatible server must match. `strict`: details only a server faithful to Go's
 * `net/http` (control-plane) or fasthttp (sidecar) matches: the exact header set, 404 bodies,
 * redirects of unclean paths.
 *
 * @example
 * const levels: ServerLevel[] = ['core'];
 */
export type ServerLevel = 'core' | 'strict';

/**
 * The state a case starts from. `not-ready` (the default): probekit makes the server not
 * ready first. `fresh`: the case looks at a server nobody has flipped yet (its initial state);
 * such cases have no `do` steps and run first. `any`: the expectations hold whatever the
 * readiness; no `do` steps, and these are the only cases a server whose readiness probekit
 * cannot drive (`--url`) runs.
 *
 * @example
 * const start: CaseStart = 'fresh';
 */
export type CaseStart = 'not-ready' | 'fresh' | 'any';

/**
 * One HTTP request. Probekit adds `Host` and `Connection: close` (as in the recorded Dapr
 * responses), and `Content-Length: 0` for POST, PUT and PATCH (Node's client does that).
 *
 * @example
 * const request: ServerRequest = { method: 'HEAD', path: '/healthz?verbose=1' };
 */
export interface ServerRequest {
  readonly method: string;
  /** The request target exactly as sent: `/healthz`, `//healthz`, `/healthz?x=1`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What a response must look like. Only what is named is compared.
 *
 * @example
 * const expect: ResponseExpectation = {
 *   status: 500,
 *   headers: { 'Content-Type': 'application/json', 'Content-Length': null },
 *   body: '{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}',
 * };
 */
export interface ResponseExpectation {
  readonly status: number;
  /** Header name (any case) → exact value, or `null` when the header must be absent. */
  readonly headers?: Readonly<Record<string, string | null>>;
  /**
   * The exact list of header names, in order (compared case-insensitively): the whole header
   * set of a Go `net/http` response, as recorded from Dapr.
   */
  readonly headerNames?: readonly string[];
  /** The exact body (`""`: none). */
  readonly body?: string;
}

/**
 * A step that flips the server's readiness.
 *
 * @example
 * const step: FlipStep = { do: 'ready' };
 */
export interface FlipStep {
  readonly do: 'ready' | 'not-ready';
}

/**
 * A step that sends a request and checks the response.
 *
 * @example
 * const step: RequestStep = { request: { method: 'GET', path: '/healthz' }, expect: { status: 503, body: '' } };
 */
export interface RequestStep {
  readonly request: ServerRequest;
  readonly expect: ResponseExpectation;
  /**
   * Where the expectation comes from when it was recorded from Dapr's Go server:
   * `"<state>: <request line>"` of an entry in `fixtures/dapr-traces/server_responses.json`.
   */
  readonly recorded?: string;
}

/**
 * One step of a case.
 *
 * @example
 * const steps: ServerStep[] = [{ do: 'ready' }, { request: { method: 'GET', path: '/healthz' }, expect: { status: 200 } }];
 */
export type ServerStep = FlipStep | RequestStep;

/**
 * Options the server under test was started with, as far as a case depends on them. A case
 * that names none is for a server started without options.
 *
 * @example
 * const server: ServerConfiguration = { apiToken: 'probekit-conformance-token' };
 */
export interface ServerConfiguration {
  /** daprd's `DAPR_API_TOKEN` (`createSidecarHealthz({ apiToken })`, `probekit serve --api-token`). */
  readonly apiToken?: string;
}

/**
 * One healthz conformance case: a sequence of readiness flips and requests with the expected
 * responses.
 *
 * @example
 * const example: ServerCase = {
 *   id: 'control-plane-ready-200', description: 'Ready() makes /healthz 200.',
 *   profile: 'control-plane', level: 'core', rules: ['control-plane.readiness'],
 *   steps: [{ do: 'ready' }, { request: { method: 'GET', path: '/healthz' }, expect: { status: 200, body: '' } }],
 * };
 */
export interface ServerCase {
  readonly id: string;
  readonly description: string;
  readonly profile: ServerProfile;
  readonly level: ServerLevel;
  /** Rule ids from the server rule catalogue (`SERVER_RULES`). */
  readonly rules: readonly string[];
  /** How the server must be configured; the case runs only against a server started so. */
  readonly server?: ServerConfiguration;
  /** Default `not-ready`. */
  readonly start?: CaseStart;
  readonly steps: readonly ServerStep[];
}

/**
 * Whether a step is a readiness flip.
 *
 * @example
 * isFlip({ do: 'ready' }); // true
 */
export function isFlip(step: ServerStep): step is FlipStep {
  return 'do' in step;
}

/**
 * Every profile, in the order reports list them.
 *
 * @example
 * SERVER_PROFILES.includes('sidecar'); // true
 */
export const SERVER_PROFILES: readonly ServerProfile[] = Object.freeze(['control-plane', 'sidecar']);

/**
 * Every level, from the least to the most demanding.
 *
 * @example
 * SERVER_LEVELS; // ['core', 'strict']
 */
export const SERVER_LEVELS: readonly ServerLevel[] = Object.freeze(['core', 'strict']);
