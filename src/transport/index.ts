export {
  DEFAULT_HTTP_CLIENT_RULES,
  type HttpClientRules,
  type IdleConnectionRule,
  type SettlePoint,
} from './client-rules.js';
export { type FetchTransportOptions, fetchTransport, NETWORK_ERROR_CODE } from './fetch.js';
export {
  DEFAULT_USER_AGENT,
  type HttpEngine,
  type HttpTransport,
  type HttpTransportOptions,
  httpTransport,
} from './http.js';
export {
  describeOutcome,
  FAILURE_CODES,
  type FailureKind,
  outcomeOfError,
  type ProbeOutcome,
  transportError,
} from './outcome.js';
export type { ProbeRequest, ProbeResponse, Transport } from './types.js';
