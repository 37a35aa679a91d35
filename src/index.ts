/**
 * probekit — Dapr v1.0's HTTP health checking, re-implemented deterministically, with healthz
 * servers, flaky mock endpoints, conformance suites and timeline views.
 *
 * Subpaths: `probekit/conformance` (suites, reporters), `probekit/vitest` (test registration).
 */

// Checker (docs/semantics.md §1)
export {
  type CheckEvent,
  type CheckEventType,
  type CounterState,
  type CounterStep,
  DEFAULTS,
  type HealthCheck,
  type HealthCheckOptions,
  type HealthCheckState,
  INITIAL_COUNTER,
  type LoopPhase,
  type Option,
  startEndpointHealthCheck,
  step,
  withAbortSignal,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from './checker/index.js';
// Flaky mock endpoints
export {
  type EndpointDefinition,
  type EndpointScript,
  explain,
  type FlakyEndpoint,
  type FlakyEndpointOptions,
  flakyEndpoint,
  Journal,
  type JournalEntry,
  type MockServer,
  type MockServerOptions,
  parseScript,
  printScript,
  ScriptSyntaxError,
  scriptFromDaprTrace,
  startMockServer,
} from './endpoint/index.js';
export { describeValue, ProbekitError, type ProbekitErrorCode } from './errors.js';
// Healthz servers (docs/semantics.md §2, §3)
export {
  createHealthzServer,
  createSidecarHealthz,
  type HealthzServer,
  type HealthzServerOptions,
  type Logger,
  type SidecarHealthz,
  type SidecarHealthzOptions,
} from './healthz/index.js';
// Scenarios and traces
export {
  type CheckerAdapter,
  type CheckerRun,
  compareTraces,
  formatDiff,
  referenceAdapter,
  runScenario,
  type Scenario,
  type ScenarioLevel,
  type ScenarioOptions,
  simulate,
  type Trace,
  type TraceDiff,
  type TraceProbe,
  TraceRecorder,
  type TraceSignal,
} from './scenario/index.js';
// Teaching views
export { type RenderTimelineOptions, renderTimeline, type TimelineFormat } from './teach/index.js';
// Time
export { type Clock, parseDuration, systemClock, type Tick, Ticker } from './time/index.js';
// Transport
export {
  describeOutcome,
  type HttpTransport,
  type HttpTransportOptions,
  httpTransport,
  type ProbeOutcome,
  type ProbeRequest,
  type ProbeResponse,
  type Transport,
} from './transport/index.js';
