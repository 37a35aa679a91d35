export { inProcessTransport, MALFORMED_CODE } from './backends/in-process.js';
export { mswHandlers } from './backends/msw.js';
export {
  CONTROL_PREFIX,
  type ControlAccess,
  JOURNAL_PAGE,
  MAX_CONTROL_SCRIPT_BYTES,
} from './backends/server/control-api.js';
export {
  MALFORMED_BYTES,
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from './backends/server/server.js';
export {
  type Decision,
  type DecisionAction,
  type DecisionSource,
  decisionDuration,
  explainDecision,
} from './engine/decision.js';
export {
  type Atom,
  atomAt,
  type CompiledEndpoint,
  type CompiledRoute,
  type Cursor,
  compile,
  decide,
  INITIAL_CURSOR,
  type Outcome,
  overlayAt,
  refusal,
  routeFor,
} from './engine/engine.js';
export {
  DEFAULT_JOURNAL_SIZE,
  type Fate,
  Journal,
  type JournalEntry,
  type JournalSnapshot,
  type JournalTicket,
  MAX_JOURNAL_PATH_CHARS,
  truncateMarked,
  type UpstreamRecord,
} from './engine/journal.js';
export { type PlayerOptions, type Reception, ScriptPlayer } from './engine/player.js';
export { createRng, DEFAULT_SEED, hashKeys, type Rng, rngFor } from './engine/rng.js';
export { globMatcher, isPathGlob, RouteTable } from './engine/route-table.js';
export { type FlakyEndpoint, type FlakyEndpointOptions, flakyEndpoint } from './flaky-endpoint.js';
export { scriptFromDaprTrace } from './script/dapr-trace.js';
export { parseScript, printItem, printScript, printStep, ScriptSyntaxError } from './script/dsl/index.js';
export { checkJsonBounds } from './script/json-bounds.js';
export {
  ANY_METHOD,
  ANY_PATH,
  type ChoiceItem,
  DEFAULT_SLOW_BODY,
  DEFAULT_STATUS,
  DOWN_STATUS,
  type EndpointDefinition,
  type EndRule,
  EXHAUSTED_STATUS,
  explain,
  explainItem,
  explainRoute,
  explainRouteKey,
  explainStep,
  type FaultStep,
  type Flap,
  type ForeverItem,
  type GroupItem,
  type HangStep,
  type Item,
  type Latency,
  LIMITS,
  METHOD_PATTERN,
  type PassStep,
  type RefuseStep,
  type RepeatItem,
  type Route,
  type SlowStep,
  type StatusStep,
  type Step,
  type TimeWindow,
  UNMATCHED_STATUS,
} from './script/model.js';
export {
  type EndpointScript,
  endpointScriptSchema,
  normalizeDefinition,
  toDefinition,
  validateDefinition,
} from './script/schema.js';
