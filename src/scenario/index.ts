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
