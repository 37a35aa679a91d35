export {
  describeOutcome,
  FAILURE_CODES,
  type FailureKind,
  outcomeOfError,
  type ProbeOutcome,
  transportError,
} from './outcome.js';
export type { ProbeRequest, ProbeResponse, Transport } from './types.js';
