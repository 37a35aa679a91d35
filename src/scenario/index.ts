export type { CheckerAdapter, CheckerRun } from './adapter.js';
export { type Coincidence, type CoincidenceKind, findCoincidences } from './coincidences.js';
export { type CompareOptions, compareTraces, formatDiff, type TraceDiff } from './compare.js';
export {
  CHECKER_FIXTURES_DIR,
  loadProfileExpectations,
  loadScenarios,
  PROFILE_FIXTURES_DIR,
  type ProfileExpectation,
  type ProfileFixtureFolders,
  type ScenarioFile,
  selectLevels,
} from './fixtures.js';
export {
  type FleetDistribution,
  type FleetEndpointSummary,
  type FleetPlan,
  type FleetRunOptions,
  type FleetSpec,
  type FleetSummary,
  MAX_FLEET_ENDPOINT_TICKS,
  MAX_FLEET_ENDPOINTS,
  MAX_FLEET_TICKS,
  planFleet,
  simulateFleet,
  worstEndpoints,
} from './fleet.js';
export { optionsFromScenario, profileAdapter, referenceAdapter } from './reference-adapter.js';
export { isRuleId, RULES, type RuleId } from './rules.js';
export { playScenario, runScenario, SCENARIO_URL, type ScenarioPlay } from './run.js';
export { type SimulateOptions, simulate } from './simulate.js';
export { TraceRecorder } from './trace-recorder.js';
export type {
  Scenario,
  ScenarioLevel,
  ScenarioOptions,
  Trace,
  TraceOutcome,
  TraceProbe,
  TraceSignal,
} from './types.js';
export { parseScenario, SCENARIO_SCHEMA_URL, scenarioProblems } from './validate.js';
