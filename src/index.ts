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
  type Decision,
  type EndpointDefinition,
  type EndpointScript,
  endpointScriptSchema,
  explain,
  explainDecision,
  type FlakyEndpoint,
  type FlakyEndpointOptions,
  flakyEndpoint,
  inProcessTransport,
  Journal,
  type JournalEntry,
  MALFORMED_CODE,
  type MockServer,
  type MockServerOptions,
  mswHandlers,
  type PlayerOptions,
  parseScript,
  printScript,
  type Reception,
  ScriptPlayer,
  ScriptSyntaxError,
  scriptFromDaprTrace,
  startMockServer,
  toDefinition,
  validateDefinition,
} from './endpoint/index.js';
// The fault-injecting proxy in front of a real service
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './endpoint/proxy/index.js';
export { describeValue, ProbekitError, type ProbekitErrorCode } from './errors.js';
// Healthz servers (docs/semantics.md §2, §3)
export {
  consoleLogger,
  createHealthzServer,
  createSidecarHealthz,
  type HealthzHandler,
  type HealthzServer,
  type HealthzServerOptions,
  type ListeningAddress,
  type Logger,
  SERVER_DEFAULTS,
  SIDECAR_ERRORS,
  type SidecarHealthz,
  type SidecarHealthzOptions,
  silentLogger,
} from './healthz/index.js';
// Scenarios and traces
export {
  type CheckerAdapter,
  type CheckerRun,
  type Coincidence,
  type CoincidenceKind,
  compareTraces,
  findCoincidences,
  formatDiff,
  loadScenarios,
  parseScenario,
  RULES,
  type RuleId,
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
export {
  buildTimeline,
  explainEvent,
  type RenderTimelineOptions,
  renderAsciiTimeline,
  renderSvgTimeline,
  renderTable,
  renderTimeline,
  SVG_COLORS,
  type TableRow,
  type Timeline,
  type TimelineFormat,
  tableRows,
} from './teach/index.js';
// Time
export {
  type Clock,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
  systemClock,
  type Tick,
  Ticker,
} from './time/index.js';
// Transport
export {
  DEFAULT_USER_AGENT,
  describeOutcome,
  FAILURE_CODES,
  type FailureKind,
  type FetchTransportOptions,
  fetchTransport,
  type HttpTransport,
  type HttpTransportOptions,
  httpTransport,
  outcomeOfError,
  type ProbeOutcome,
  type ProbeRequest,
  type ProbeResponse,
  type Transport,
  transportError,
} from './transport/index.js';
