/**
 * `probekit/conformance`: run the checker suite against any implementation and report.
 */
export {
  type CheckerConformanceOptions,
  checkerCases,
  runCheckerCase,
  runCheckerConformance,
} from './checker-suite.js';
export { type CaseResult, makeReport, type Report } from './report.js';
