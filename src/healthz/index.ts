/**
 * The healthz servers: Dapr's control-plane `/healthz` (200/503) and the sidecar's
 * `/v1.0/healthz` (204/500 JSON), as `node:http` handlers with a graceful `run()`.
 */
export { createHealthzServer } from './control-plane.js';
export { consoleLogger, silentLogger } from './logger.js';
export { SERVER_DEFAULTS } from './options.js';
export { createSidecarHealthz, SIDECAR_ERRORS } from './sidecar.js';
export type {
  HealthzHandler,
  HealthzServer,
  HealthzServerOptions,
  ListeningAddress,
  Logger,
  SidecarHealthz,
  SidecarHealthzOptions,
} from './types.js';
