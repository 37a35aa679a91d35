import { describeValue, ProbekitError } from '../errors.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { DateSource } from './go-response.js';
import { createHttpDate } from './http-date.js';
import { consoleLogger } from './logger.js';
import type { HealthzServerOptions, ListeningAddress, Logger } from './types.js';

/**
 * Both flavours' options with every default applied.
 *
 * @example
 * const resolved: ResolvedServerOptions = resolveServerOptions('createHealthzServer', {});
 */
export interface ResolvedServerOptions {
  logger: Logger;
  clock: Clock;
  shutdownGrace: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  /** The `Date` header source: the `httpDate` option, or Node's date with a fallback. */
  dates: DateSource;
  onListening: ((address: ListeningAddress) => void) | undefined;
}

/**
 * The defaults: Dapr's 5 s shutdown grace, and hardening Dapr v1.0 did not have.
 *
 * @example
 * SERVER_DEFAULTS.shutdownGrace; // 5000
 */
export const SERVER_DEFAULTS = Object.freeze({
  shutdownGrace: 5000,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 65_000,
});

/**
 * Applies the defaults and validates, throwing `ERR_PROBEKIT_INVALID_OPTION` that names the
 * option and the bad value.
 *
 * @example
 * resolveServerOptions('createHealthzServer', { shutdownGrace: 100 }).shutdownGrace; // 100
 */
export function resolveServerOptions(caller: string, options: HealthzServerOptions): ResolvedServerOptions {
  if (options === null || typeof options !== 'object') {
    throw invalid(
      caller,
      'options',
      options,
      'is not an object',
      'Pass an object like { shutdownGrace: 5000 }',
    );
  }
  const logger = options.logger ?? consoleLogger;
  if (typeof logger?.info !== 'function' || typeof logger?.error !== 'function') {
    throw invalid(
      caller,
      'logger',
      options.logger,
      'has no info() and error() functions',
      'Pass an object like { info: console.info, error: console.error }',
    );
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock?.setTimeout !== 'function' || typeof clock?.clearTimeout !== 'function') {
    throw invalid(
      caller,
      'clock',
      options.clock,
      'is not a Clock',
      'Pass systemClock or a fake-timers clock',
    );
  }
  const shutdownGrace = milliseconds(
    caller,
    'shutdownGrace',
    options.shutdownGrace,
    SERVER_DEFAULTS.shutdownGrace,
  );
  const headersTimeout = milliseconds(
    caller,
    'headersTimeout',
    options.headersTimeout,
    SERVER_DEFAULTS.headersTimeout,
    true,
  );
  const requestTimeout = milliseconds(
    caller,
    'requestTimeout',
    options.requestTimeout,
    Math.max(SERVER_DEFAULTS.requestTimeout, headersTimeout),
    true,
  );
  if (requestTimeout < headersTimeout) {
    throw invalid(
      caller,
      'requestTimeout',
      requestTimeout,
      `is shorter than headersTimeout (${headersTimeout})`,
      'A whole request cannot take less time than its headers; raise requestTimeout',
    );
  }
  const keepAliveTimeout = milliseconds(
    caller,
    'keepAliveTimeout',
    options.keepAliveTimeout,
    SERVER_DEFAULTS.keepAliveTimeout,
    true,
  );
  const httpDate = options.httpDate;
  if (httpDate !== undefined && typeof httpDate !== 'function') {
    throw invalid(
      caller,
      'httpDate',
      httpDate,
      'is not a function',
      'Pass a function returning the header value',
    );
  }
  if (options.onListening !== undefined && typeof options.onListening !== 'function') {
    throw invalid(caller, 'onListening', options.onListening, 'is not a function', 'Pass ({ url }) => …');
  }
  return {
    logger,
    clock,
    shutdownGrace,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout,
    dates: { custom: httpDate, fallback: createHttpDate() },
    onListening: options.onListening,
  };
}

function milliseconds(
  caller: string,
  name: string,
  value: unknown,
  fallback: number,
  positive = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (positive && value === 0)) {
    throw invalid(
      caller,
      name,
      value,
      `is not a ${positive ? 'positive' : 'non-negative'} whole number of milliseconds`,
      `Write it like { ${name}: 5000 }`,
    );
  }
  return value;
}

function invalid(caller: string, name: string, value: unknown, reason: string, hint: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_INVALID_OPTION',
    `Failed to create the ${caller === 'createSidecarHealthz' ? 'sidecar healthz' : 'healthz server'}: ${name} ${describeValue(value)} ${reason}. ${hint}.`,
  );
}

/**
 * The `ERR_PROBEKIT_INVALID_OPTION` error in the shared wording, for the sidecar's own options.
 *
 * @example
 * throw invalidServerOption('createSidecarHealthz', 'appId', 7, 'is not a string', 'Pass the app id');
 */
export { invalid as invalidServerOption };
