export {
  CONTROL_PREFIX,
  type ControlAccess,
  JOURNAL_PAGE,
  MAX_CONTROL_SCRIPT_BYTES,
} from './control-api.js';
export { scriptFromDaprTrace } from './dapr-trace.js';
export {
  type Decision,
  type DecisionAction,
  type DecisionSource,
  decisionDuration,
  explainDecision,
} from './decision.js';
export { parseScript, printItem, printScript, printStep, ScriptSyntaxError } from './dsl/index.js';
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
} from './engine.js';
export { type FlakyEndpoint, type FlakyEndpointOptions, flakyEndpoint } from './flaky-endpoint.js';
export { inProcessTransport, MALFORMED_CODE } from './in-process.js';
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
} from './journal.js';
export { checkJsonBounds } from './json-bounds.js';
export {
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
  explainStep,
  type FaultStep,
  type Flap,
  type ForeverItem,
  type GroupItem,
  type HangStep,
  type Item,
  type Latency,
  LIMITS,
  type PassStep,
  type RefuseStep,
  type RepeatItem,
  type Route,
  type SlowStep,
  type StatusStep,
  type Step,
  type TimeWindow,
  UNMATCHED_STATUS,
} from './model.js';
export { mswHandlers } from './msw.js';
export { type PlayerOptions, type Reception, ScriptPlayer } from './player.js';
export { createRng, DEFAULT_SEED, hashKeys, type Rng, rngFor } from './rng.js';
export {
  type EndpointScript,
  endpointScriptSchema,
  normalizeDefinition,
  toDefinition,
  validateDefinition,
} from './schema.js';
export { MALFORMED_BYTES, type MockServer, type MockServerOptions, startMockServer } from './server.js';
