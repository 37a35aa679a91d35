import { ProbekitError } from '../../errors.js';
import type { ClientRules } from './client.js';
import type { LoopKind } from './machines.js';

/** The names of the Dapr checkers probekit reproduces. */
export type ProfileName =
  | 'dapr-0.6'
  | 'dapr-1.0'
  | 'dapr-1.1'
  | 'dapr-1.9'
  | 'dapr-1.10.5'
  | 'dapr-1.13'
  | 'dapr-apphealth-1.12'
  | 'dapr-apphealth-1.16';

/** A profile's defaults, in ms (Dapr's package defaults for that version). */
export interface ProfileDefaults {
  readonly initialDelay: number;
  readonly interval: number;
  readonly requestTimeout: number;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
  /** Dapr v1.13's interval while unhealthy; other profiles have none. */
  readonly unhealthyInterval: number;
}

/** One Dapr health checker as it shipped: its loop, its client and its defaults. */
export interface CheckerProfile {
  readonly name: ProfileName;
  /** The behaviour's letter in PROFILES.md (A, B, C1, C2, F, I) or `apphealth`. */
  readonly behaviour: string;
  /** The release tags that shipped it, e.g. `v1.1.0–v1.8.7`. */
  readonly versions: string;
  /** One line: what sets it apart. */
  readonly summary: string;
  readonly loop: LoopKind;
  readonly client: ClientRules;
  readonly defaults: ProfileDefaults;
  /** Options the profile does not have (`initialDelay` for v1.13 and the app health checker): ignored, and said so. */
  readonly ignores: readonly string[];
  /** Whether a request timeout longer than the interval is refused (the app health checker's `StartProbes`). */
  readonly timeoutAtMostInterval: boolean;
}

const FASTHTTP: ClientRules = {
  followRedirects: 0,
  settleAt: 'body',
  zeroTimeout: 'fail-unsent',
  connections: 'keep-alive',
  reusedConnectionFailure: 'fail',
  bodyUnread: false,
  success: 'exact',
  idleTimeout: 10_000,
};

const NET_HTTP: ClientRules = {
  followRedirects: 10,
  settleAt: 'headers',
  zeroTimeout: 'fail-unsent',
  connections: 'keep-alive',
  reusedConnectionFailure: 'retry',
  bodyUnread: false,
  success: 'exact',
  idleTimeout: 90_000,
};

const ENDPOINT_DEFAULTS: ProfileDefaults = {
  initialDelay: 1000,
  interval: 5000,
  requestTimeout: 2000,
  failureThreshold: 2,
  successStatusCode: 200,
  unhealthyInterval: 0,
};

const APP_HEALTH_DEFAULTS: ProfileDefaults = {
  initialDelay: 0,
  interval: 5000,
  requestTimeout: 500,
  failureThreshold: 3,
  successStatusCode: 200,
  unhealthyInterval: 0,
};

/** The app health checker's client from v1.10.3 on: net/http, no redirects, body drained, any 2xx. */
const APP_CHANNEL: ClientRules = { ...NET_HTTP, followRedirects: 0, settleAt: 'body', success: '2xx' };

const catalogue: Readonly<Record<ProfileName, CheckerProfile>> = {
  'dapr-0.6': {
    name: 'dapr-0.6',
    behaviour: 'A',
    versions: 'v0.6.0–v0.11.2',
    summary:
      'a new net/http client per probe: redirects followed, status at headers, timeout 0 = none, 500 ms default timeout',
    loop: { kind: 'sequential', counter: 'once-per-streak' },
    client: {
      ...NET_HTTP,
      zeroTimeout: 'no-timeout',
      connections: 'new-per-probe',
      reusedConnectionFailure: 'fail',
    },
    defaults: { ...ENDPOINT_DEFAULTS, requestTimeout: 500 },
    ignores: [],
    timeoutAtMostInterval: false,
  },
  'dapr-1.0': {
    name: 'dapr-1.0',
    behaviour: 'B',
    versions: 'v0.11.3–v1.0.1',
    summary:
      'the reference: false once per streak, fasthttp (no redirects, whole body, no retry on a dead keep-alive connection)',
    loop: { kind: 'sequential', counter: 'once-per-streak' },
    client: FASTHTTP,
    defaults: ENDPOINT_DEFAULTS,
    ignores: [],
    timeoutAtMostInterval: false,
  },
  'dapr-1.1': {
    name: 'dapr-1.1',
    behaviour: 'C1',
    versions: 'v1.1.0–v1.8.7',
    summary: 'false on every failure once the streak reaches the threshold (the count steps back to n−1)',
    loop: { kind: 'sequential', counter: 'false-repeats' },
    client: FASTHTTP,
    defaults: ENDPOINT_DEFAULTS,
    ignores: [],
    timeoutAtMostInterval: false,
  },
  'dapr-1.9': {
    name: 'dapr-1.9',
    behaviour: 'C2',
    versions: 'v1.9.0–v1.10.4',
    summary: 'as v1.1, but fasthttp ≥ 1.39 sets no deadline for a timeout of 0: the probe is sent and waits',
    loop: { kind: 'sequential', counter: 'false-repeats' },
    client: { ...FASTHTTP, zeroTimeout: 'no-timeout' },
    defaults: ENDPOINT_DEFAULTS,
    ignores: [],
    timeoutAtMostInterval: false,
  },
  'dapr-1.10.5': {
    name: 'dapr-1.10.5',
    behaviour: 'F',
    versions: 'v1.10.5–v1.12.5',
    summary:
      'a goroutine per tick (probes overlap, the loop never blocks), net/http (redirects followed, status at headers, GET retried on a reused connection), false on every failure ≥ n',
    loop: { kind: 'goroutine-per-tick' },
    client: NET_HTTP,
    defaults: ENDPOINT_DEFAULTS,
    ignores: [],
    timeoutAtMostInterval: false,
  },
  'dapr-1.13': {
    name: 'dapr-1.13',
    behaviour: 'I',
    versions: 'v1.13.0–v1.14.5',
    summary:
      'two phases: unhealthy probes at once then every 0.5 s and report only true; healthy probes every interval (3 s) and report false at n; an unbuffered channel',
    loop: { kind: 'phased', initialDelay: false },
    client: { ...NET_HTTP, bodyUnread: true },
    defaults: { ...ENDPOINT_DEFAULTS, initialDelay: 0, interval: 3000, unhealthyInterval: 500 },
    ignores: ['initialDelay'],
    timeoutAtMostInterval: false,
  },
  'dapr-apphealth-1.12': {
    name: 'dapr-apphealth-1.12',
    behaviour: 'apphealth',
    versions: 'app health checks, v1.12.0–v1.15.x',
    summary:
      'daprd --enable-app-health-check: a probe at start then every interval, any 2xx, transitions only (true when a success follows ≥ n failures, false when the count reaches n)',
    loop: { kind: 'app-health', generation: '1.12' },
    client: APP_CHANNEL,
    defaults: APP_HEALTH_DEFAULTS,
    ignores: ['initialDelay', 'successStatusCode'],
    timeoutAtMostInterval: true,
  },
  'dapr-apphealth-1.16': {
    name: 'dapr-apphealth-1.16',
    behaviour: 'apphealth',
    versions: 'app health checks, v1.16.0+',
    summary:
      'as apphealth-1.12, but a result that agrees with the status is not counted: failures accumulate across successes while healthy',
    loop: { kind: 'app-health', generation: '1.16' },
    client: APP_CHANNEL,
    defaults: APP_HEALTH_DEFAULTS,
    ignores: ['initialDelay', 'successStatusCode'],
    timeoutAtMostInterval: true,
  },
};

/** Every profile name, oldest first. */
export const PROFILE_NAMES: readonly ProfileName[] = Object.freeze(Object.keys(catalogue) as ProfileName[]);

/** The reference profile: what probekit's checker does without `withProfile`. */
export const REFERENCE_PROFILE: ProfileName = 'dapr-1.0';

/**
 * The profile called `name`, or a ProbekitError listing the names there are.
 *
 * @example
 * profileNamed('dapr-1.1').versions; // 'v1.1.0–v1.8.7'
 */
export function profileNamed(name: string): CheckerProfile {
  const profile = Object.hasOwn(catalogue, name) ? catalogue[name as ProfileName] : undefined;
  if (profile === undefined) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to select the profile ${JSON.stringify(String(name).slice(0, 60))}: there is no such profile. Use one of ${PROFILE_NAMES.join(', ')}.`,
    );
  }
  return profile;
}

/**
 * Whether `name` is a profile's name.
 *
 * @example
 * isProfileName('dapr-1.1'); // true
 */
export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && Object.hasOwn(catalogue, name);
}
