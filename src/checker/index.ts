export { BufferedChannel } from './channel.js';
export { type CounterState, type CounterStep, INITIAL_COUNTER, step } from './counter.js';
export type { CheckEvent, CheckEventType } from './events.js';
export {
  type HealthCheck,
  type HealthCheckState,
  type LoopPhase,
  startEndpointHealthCheck,
} from './health-check.js';
export {
  DEFAULTS,
  type HealthCheckOptions,
  type Option,
  withAbortSignal,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from './options.js';
export { ProbeRunner } from './probe.js';
