import type { Logger } from './types.js';

/**
 * The default logger: info lines to `console.info`, errors to `console.error`.
 *
 * @example
 * createHealthzServer({ logger: consoleLogger });
 */
export const consoleLogger: Logger = Object.freeze({
  info(message: string) {
    console.info(message);
  },
  error(message: string) {
    console.error(message);
  },
});

/**
 * A logger that drops every line, for embedding where the log would be noise.
 *
 * @example
 * createHealthzServer({ logger: silentLogger });
 */
export const silentLogger: Logger = Object.freeze({
  info() {},
  error() {},
});
