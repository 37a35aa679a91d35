import type { HttpEngine, HttpTransportOptions } from '../../../src/transport/http.js';

/**
 * The engine the shared transport tests build `httpTransport()` with. A test file that imports
 * `./use-raw-engine.js` before the shared test files runs them all on the raw engine (vitest
 * gives every test file its own module graph, so the choice stays in that file).
 */
let current: HttpEngine = 'undici';

export function setTestEngine(engine: HttpEngine): void {
  current = engine;
}

export function testEngine(): HttpEngine {
  return current;
}

/** `options` with the engine under test (an explicit `engine` in `options` wins). */
export function withTestEngine(options: HttpTransportOptions = {}): HttpTransportOptions {
  return { engine: current, ...options };
}
