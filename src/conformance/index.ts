/**
 * `probekit/conformance`: run the checker and healthz-server suites against any implementation
 * and report.
 */
export {
  type CheckerConformanceOptions,
  checkerCases,
  runCheckerCase,
  runCheckerConformance,
} from './checker-suite.js';
export {
  CHECKER_PROTOCOL_VERSION,
  type ProcessCaseOptions,
  type ProcessConformanceOptions,
  runProcessCase,
  runProcessConformance,
  scaleScenario,
} from './process/index.js';
export { type CaseResult, makeReport, type Report } from './report.js';
export {
  createReporter,
  humanReporter,
  jsonReporter,
  junitReporter,
  REPORTERS,
  type Reporter,
  type ReporterName,
  type ReporterOptions,
  type RunInfo,
  tapReporter,
} from './reporters/index.js';
export {
  compareResponse,
  type ExecServerTarget,
  formatServerDiff,
  HEALTHZ_CASE_SCHEMA_URL,
  HEALTHZ_FIXTURES_DIR,
  type InProcessServerTarget,
  loadServerCases,
  type ResponseExpectation,
  type ResponseMismatch,
  SERVER_LEVELS,
  SERVER_PROFILES,
  SERVER_PROTOCOL_VERSION,
  SERVER_RULES,
  type ServerCase,
  type ServerCaseFile,
  type ServerLevel,
  type ServerProfile,
  type ServerRequest,
  type ServerStep,
  type ServerTarget,
  serverCaseFileProblems,
  serverCases,
  type UrlServerTarget,
} from './server/index.js';
export {
  planServerRun,
  runServerConformance,
  type ServerCaseResult,
  type ServerConformanceOptions,
  type ServerReport,
  type SkippedCase,
} from './server-suite.js';
