/**
 * `probekit/conformance`: run the checker and healthz-server suites against any implementation
 * and report.
 */

export {
  headlineOf,
  type Identification,
  type IdentifiedCase,
  identifyChecker,
  type ProfileCaseVerdict,
  type ProfileMatch,
  rankProfiles,
} from './checker/identify.js';
export {
  CHECKER_PROTOCOL_VERSION,
  mockIdleTimeoutMs,
  type ProcessCaseOptions,
  type ProcessConformanceOptions,
  runProcessCase,
  runProcessConformance,
  scaleScenario,
} from './checker/process/index.js';
export { MAX_REPEAT, type ProcessRunProgress } from './checker/process/suite.js';
export {
  type CheckerConformanceOptions,
  checkerCases,
  expectedUnder,
  runCheckerCase,
  runCheckerConformance,
} from './checker/suite.js';
export { type ExpectedFailures, markExpectedFailure, parseExpectFail } from './common/expect-fail.js';
export {
  type CellStatus,
  cellFromResult,
  columnTotals,
  type MatrixReport,
  type ReportCase,
  type ReportCell,
  type ReportColumn,
  type ReportFromResultsOptions,
  type ResultColumn,
  renderHtmlReport,
  reportFromResults,
  writeHtmlReport,
} from './common/html-report/index.js';
export { aggregateRuns } from './common/repeat.js';
export {
  type CaseRepeat,
  type CaseResult,
  type ExpectedFailure,
  failingResults,
  type LevelCounts,
  makeReport,
  type RepeatClassification,
  type Report,
  type RunSpread,
  reportSucceeded,
  type SkippedCaseSummary,
  type Verdict,
  verdictOf,
} from './common/report.js';
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
} from './common/reporters/index.js';
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
  type ServerConfiguration,
  type ServerLevel,
  type ServerProfile,
  type ServerRequest,
  type ServerStep,
  type ServerTarget,
  serverCaseFileProblems,
  serverCases,
  type UrlServerTarget,
} from './healthz/index.js';
export {
  planServerRun,
  runServerConformance,
  type ServerCaseResult,
  type ServerConformanceOptions,
  type ServerReport,
  type SkippedCase,
} from './healthz/suite.js';
