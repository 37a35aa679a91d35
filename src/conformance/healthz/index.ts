/**
 * The healthz-server suite's parts: case definitions and their loader, the HTTP exchange, the
 * response comparison, and the targets a run can use (in process, a URL, another process).
 */
export {
  HEALTHZ_CASE_SCHEMA_URL,
  HEALTHZ_FIXTURES_DIR,
  loadServerCases,
  type ServerCaseFile,
  type ServerCaseSelection,
  serverCaseFileProblems,
  serverCases,
} from './cases.js';
export {
  compareResponse,
  describeRequest,
  explainStep,
  formatServerDiff,
  noResponse,
  type ResponseMismatch,
} from './compare.js';
export {
  type ExchangeFailure,
  type ExchangeOptions,
  type ExchangeOutcome,
  exchange,
  headerMap,
  headerNames,
  type ObservedResponse,
  requestHeaders,
  type ServerAddress,
} from './exchange.js';
export {
  SERVER_PROTOCOL_VARIABLES,
  SERVER_PROTOCOL_VERSION,
  serverEnv,
  substituteCommand,
} from './process-session.js';
export { isServerRuleId, SERVER_RULES, type ServerRuleId } from './rules.js';
export type { ServerSession, SessionControl } from './session.js';
export {
  type ExecServerTarget,
  type InProcessServerTarget,
  openSession,
  parseTargetUrl,
  type ReadinessFunctions,
  type ServerTarget,
  type UrlServerTarget,
} from './targets.js';
export {
  type CaseStart,
  type FlipStep,
  isFlip,
  type RequestStep,
  type ResponseExpectation,
  SERVER_LEVELS,
  SERVER_PROFILES,
  type ServerCase,
  type ServerConfiguration,
  type ServerLevel,
  type ServerProfile,
  type ServerRequest,
  type ServerStep,
} from './types.js';
