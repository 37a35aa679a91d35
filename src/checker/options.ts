import { describeValue, ProbekitError } from '../errors.js';
import { type Clock, systemClock } from '../time/clock.js';
import { MAX_DURATION_MS, MAX_DURATION_TEXT } from '../time/duration.js';
import type { Transport } from '../transport/types.js';
import type { CheckEvent } from './events.js';
import { type CheckerProfile, profileNamed, REFERENCE_PROFILE } from './profiles/catalogue.js';

/** The checker's settings after defaults and options are applied. */
export interface HealthCheckOptions {
  /** ms to wait before reading the first tick (the ticker is already running). */
  initialDelay: number;
  /** ms a probe may take; a later response is a failure. */
  requestTimeout: number;
  /** Failures in a row that emit `false` (once per streak; 0 or less never emits `false`). */
  failureThreshold: number;
  /** ms between ticks. */
  interval: number;
  /** The one status code that counts as success. */
  successStatusCode: number;
  clock: Clock;
  /** `undefined` means: use (and own) a fresh `httpTransport()`. */
  transport: Transport | undefined;
  signal: AbortSignal | undefined;
  observers: Array<(event: CheckEvent) => void>;
  /** The Dapr version whose behaviour the check reproduces (default `dapr-1.0`). */
  profile: CheckerProfile;
  /** Dapr v1.13's interval while unhealthy (only `dapr-1.13` reads it). */
  unhealthyInterval: number;
}

/** A Dapr-style functional option: applied in order over the defaults, a later one wins. */
export type Option = (options: HealthCheckOptions) => void;

/**
 * Dapr v1.0's defaults (`applyDefaults` in pkg/health/health.go).
 * Note the 1 s initial delay is invisible behind the 5 s ticker: the first probe is at 5 s.
 */
export const DEFAULTS = Object.freeze({
  initialDelay: 1000,
  requestTimeout: 2000,
  failureThreshold: 2,
  interval: 5000,
  successStatusCode: 200,
});

/** Marks the option `withProfile` makes, so its defaults apply before every option. */
const PROFILE_OPTION = Symbol('probekit.profile');
type ProfileOption = Option & { [PROFILE_OPTION]?: CheckerProfile };

/**
 * Applies the defaults (the profile's, when `withProfile` is among the options), then each
 * option in order, then validates the result.
 */
export function resolveOptions(opts: readonly Option[]): HealthCheckOptions {
  let profile = profileNamed(REFERENCE_PROFILE);
  for (const option of opts) {
    const chosen = typeof option === 'function' ? (option as ProfileOption)[PROFILE_OPTION] : undefined;
    if (chosen) profile = chosen;
  }
  const { unhealthyInterval, ...defaults } = profile.defaults;
  const options: HealthCheckOptions = {
    ...DEFAULTS,
    ...defaults,
    clock: systemClock,
    transport: undefined,
    signal: undefined,
    observers: [],
    profile,
    unhealthyInterval,
  };
  for (const [position, option] of opts.entries()) {
    if (typeof option !== 'function') {
      throw invalid(
        `option #${position + 1}`,
        option,
        'is not an option function',
        'Pass options made by withInterval(), withRequestTimeout(), …',
      );
    }
    option(options);
  }
  validate(options);
  return options;
}

function invalid(name: string, value: unknown, reason: string, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to start the health check: ${name} ${describeValue(value)} ${reason}. ${hint}.`,
  );
}

function validate(o: HealthCheckOptions): void {
  const finite = (name: string, value: number) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalid(name, value, 'is not a finite number', 'Pass a number of milliseconds');
    }
    // Node fires a longer timer after 1 ms: a 3e9 ms interval would probe in a busy loop.
    if (value > MAX_DURATION_MS) {
      throw invalid(
        name,
        value,
        `is longer than the longest timer, ${MAX_DURATION_TEXT}`,
        `Use at most ${MAX_DURATION_MS} ms (MAX_DURATION_MS)`,
      );
    }
  };
  finite('interval', o.interval);
  if (o.interval <= 0) {
    // Dapr panics here (time.NewTicker: non-positive interval); we refuse at call time instead.
    throw invalid(
      'interval',
      o.interval,
      'is not positive',
      'Use an interval above 0 ms, e.g. withInterval(5000)',
    );
  }
  finite('initialDelay', o.initialDelay);
  if (o.initialDelay < 0) throw invalid('initialDelay', o.initialDelay, 'is negative', 'Use 0 or more ms');
  finite('requestTimeout', o.requestTimeout);
  if (o.requestTimeout < 0) {
    throw invalid(
      'requestTimeout',
      o.requestTimeout,
      'is negative',
      'Use 0 or more ms (0 fails every probe at once)',
    );
  }
  if (!Number.isSafeInteger(o.failureThreshold)) {
    throw invalid(
      'failureThreshold',
      o.failureThreshold,
      'is not a whole number',
      'Use an integer such as 2',
    );
  }
  if (!Number.isInteger(o.successStatusCode) || o.successStatusCode < 100 || o.successStatusCode > 599) {
    throw invalid(
      'successStatusCode',
      o.successStatusCode,
      'is not an HTTP status code',
      'Use an integer from 100 to 599, e.g. 200',
    );
  }
  if (o.profile.timeoutAtMostInterval && o.requestTimeout > o.interval) {
    // daprd's StartProbes refuses it (`pkg/apphealth/health.go@v1.9.0:79-80`).
    throw invalid(
      'requestTimeout',
      o.requestTimeout,
      `is longer than the interval (${o.interval} ms), which ${o.profile.name} refuses`,
      'Use a timeout no longer than the interval',
    );
  }
  if (o.profile.defaults.unhealthyInterval > 0) {
    finite('unhealthyInterval', o.unhealthyInterval);
    if (o.unhealthyInterval <= 0) {
      throw invalid(
        'unhealthyInterval',
        o.unhealthyInterval,
        'is not positive',
        'Use an interval above 0 ms, e.g. 500',
      );
    }
  }
  if (!o.clock || typeof o.clock.setTimeout !== 'function' || typeof o.clock.clearTimeout !== 'function') {
    throw invalid('clock', o.clock, 'is not a Clock', 'Pass an object with now, setTimeout and clearTimeout');
  }
  if (o.transport !== undefined && typeof o.transport !== 'function') {
    throw invalid(
      'transport',
      o.transport,
      'is not a function',
      'A Transport is (request) => Promise<{ status }>',
    );
  }
}

/**
 * Sets the delay before the first tick is read. Mirrors Dapr: the ticker is already running,
 * so the first probe happens at the first tick *after* the delay ends or, if ticks came due
 * during the delay, at once with the first of them (the rest were dropped). At most
 * `MAX_DURATION_MS`.
 *
 * @example
 * startEndpointHealthCheck(url, withInitialDelay(250), withInterval(100)); // probes at 250, 300, 400
 */
export function withInitialDelay(ms: number): Option {
  return (o) => {
    o.initialDelay = ms;
  };
}

/**
 * Sets how long one probe may take (ms), at most `MAX_DURATION_MS`. 0 fails every probe at
 * once without sending it.
 *
 * @example
 * startEndpointHealthCheck(url, withRequestTimeout(500));
 */
export function withRequestTimeout(ms: number): Option {
  return (o) => {
    o.requestTimeout = ms;
  };
}

/**
 * Sets how many failures in a row emit `false`. Exactly one `false` per streak. A threshold of
 * 0 or less is accepted (as in Dapr) but never emits `false`: a trap, not a feature.
 *
 * @example
 * startEndpointHealthCheck(url, withFailureThreshold(3));
 */
export function withFailureThreshold(n: number): Option {
  return (o) => {
    o.failureThreshold = n;
  };
}

/**
 * Sets the ticker's interval (ms): above 0 and at most `MAX_DURATION_MS` (2^31−1, about 24.8
 * days; Node fires a longer timer at once).
 *
 * @example
 * startEndpointHealthCheck(url, withInterval(100));
 */
export function withInterval(ms: number): Option {
  return (o) => {
    o.interval = ms;
  };
}

/**
 * Sets the one status that counts as success (exact match: 204 does not pass for 200).
 *
 * @example
 * startEndpointHealthCheck(url, withSuccessStatusCode(204));
 */
export function withSuccessStatusCode(code: number): Option {
  return (o) => {
    o.successStatusCode = code;
  };
}

/**
 * Runs the checker on another clock, e.g. `FakeTimers.createClock()` for virtual time.
 *
 * @example
 * const clock = FakeTimers.createClock(0);
 * startEndpointHealthCheck(url, withClock(clock), withTransport(endpoint.transport));
 */
export function withClock(clock: Clock): Option {
  return (o) => {
    o.clock = clock;
  };
}

/**
 * Probes through another transport (an in-process endpoint, a custom client). The checker
 * does not close a transport it was given.
 *
 * @example
 * startEndpointHealthCheck('http://svc/healthz', withTransport(async () => ({ status: 200 })));
 */
export function withTransport(transport: Transport): Option {
  return (o) => {
    o.transport = transport;
  };
}

/**
 * Stops the check when `signal` aborts (as `stop()` does).
 *
 * @example
 * const controller = new AbortController();
 * startEndpointHealthCheck(url, withAbortSignal(controller.signal));
 */
export function withAbortSignal(signal: AbortSignal): Option {
  return (o) => {
    o.signal = signal;
  };
}

/**
 * Receives every event of the loop (ticks, dropped ticks, probes, counter, signals, blocking),
 * each stamped with the clock's time.
 *
 * Observers must not throw. One that does is a bug, and it cannot corrupt the loop: the check
 * stops (as with `stop()`), every observer still sees the remaining events (`stop` last), and
 * the first error is reported exactly once — the iterator's next read rejects with it (after
 * a value already buffered), or breaking out of `for await` throws it; if the iteration has
 * already ended (e.g. a throw on the final `stop` event), it is rethrown asynchronously, as
 * an EventEmitter `error` with no listener is, so it is never silently lost. `stop()` itself
 * never rejects.
 *
 * @example
 * startEndpointHealthCheck(url, withObserver((e) => console.log(e.at, e.type)));
 */
export function withObserver(observer: (event: CheckEvent) => void): Option {
  return (o) => {
    o.observers.push(observer);
  };
}

/** Options of {@link withProfile}: what a profile has beyond Dapr v1.0's options. */
export interface ProfileOptions {
  /** `dapr-1.13` only: the interval while unhealthy, in ms (Dapr's default and daprd's: 500). */
  readonly unhealthyInterval?: number;
}

/**
 * Makes the check behave like another Dapr version's checker (docs/profiles.md): its loop, its
 * counter, its client rules and its defaults. Options before or after it still win over its
 * defaults. `dapr-1.0` is the default.
 *
 * @example
 * startEndpointHealthCheck(url, withProfile('dapr-1.1'), withInterval(100)); // false on every failure past the threshold
 * startEndpointHealthCheck(url, withProfile('dapr-1.13', { unhealthyInterval: 250 }));
 */
export function withProfile(name: string, profileOptions: ProfileOptions = {}): Option {
  const profile = profileNamed(name);
  const unhealthyInterval = profileOptions.unhealthyInterval;
  const option: ProfileOption = (options) => {
    if (unhealthyInterval !== undefined) options.unhealthyInterval = unhealthyInterval;
  };
  option[PROFILE_OPTION] = profile;
  return option;
}
