export {
  type ChildExit,
  DEFAULT_OUTPUT_LIMITS,
  type ImplementationProcess,
  type LineProblem,
  type LineTimer,
  type OutputLimits,
  type SpawnOptions,
  spawnImplementation,
} from '../../common/child-process.js';
export {
  anchorOnObservedEnds,
  type Observation,
  type ObservedTraceOptions,
  observedTrace,
  timeoutDiffs,
  visibleToEndpoint,
} from './observed-trace.js';
export {
  CHECKER_PROTOCOL_VERSION,
  childEnv,
  OPTION_VARIABLES,
  PROTOCOL_VARIABLES,
  type ProtocolLine,
  parseProtocolLine,
  protocolEnv,
  protocolLineTimer,
  TIMESTAMP_SLACK_MS,
} from './protocol.js';
export { defaultTolerance, type ProcessCaseOptions, runProcessCase } from './run-case.js';
export {
  checkTimeScale,
  type DefinitionMapper,
  mapDefinition,
  mockIdleTimeoutMs,
  type ScaledScenario,
  scaleDefinition,
  scaleMs,
  scaleScenario,
  TIME_SCALE_LIMITS,
} from './scale.js';
export { type ProcessConformanceOptions, runProcessConformance } from './suite.js';
export { separateTimeoutTies } from './ties.js';
