export {
  DEFAULT_UPSTREAM_TIMEOUT_MS,
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from './fault-proxy.js';
export { MAX_DRIBBLED_BODY } from './forward.js';
export { parseUpstream, type Upstream } from './upstream.js';
