export { BufferedChannel } from './channel.js';
export { type CounterState, type CounterStep, INITIAL_COUNTER, step } from './counter.js';
export type { CheckEvent, CheckEventType } from './events.js';
export { GoChannel } from './go-channel.js';
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
  type ProfileOptions,
  withAbortSignal,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withProfile,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from './options.js';
export { ProbeRunner } from './probe.js';
export {
  type CheckerProfile,
  isProfileName,
  PROFILE_NAMES,
  type ProfileDefaults,
  type ProfileName,
  profileNamed,
  REFERENCE_PROFILE,
} from './profiles/catalogue.js';
export type { ClientRules } from './profiles/client.js';
export type {
  LoopCommand,
  LoopEvent,
  LoopMachine,
  LoopRule,
  LoopSettings,
  ProbeResult,
} from './profiles/loop.js';
export { createLoop, type LoopKind } from './profiles/machines.js';
