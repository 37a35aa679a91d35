/**
 * `probekit demo`: the first five minutes. A flaky endpoint probed live, a healthz server
 * flipping readiness, and the conformance suite against the reference, at demo scale.
 */
export { conformanceAct, printReport } from './act-conformance.js';
export { flakyEndpointAct } from './act-flaky-endpoint.js';
export { readinessAct } from './act-readiness.js';
export type { ActResult, DemoAct, DemoContext } from './context.js';
export { elapsedClock } from './elapsed-clock.js';
export { LiveReasons, type LiveSettings } from './live-reasons.js';
export { DemoOutput, type LiveRow, visibleColumns } from './output.js';
export { DEMO_PROFILES, type DemoProfile } from './profile.js';
export { DEMO_ACTS, type DemoOptions, INTERRUPTED, runDemo } from './run-demo.js';
export { deferred, within } from './wait.js';
export { warmUp } from './warm-up.js';
