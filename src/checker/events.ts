import type { ProbeOutcome } from '../transport/outcome.js';
import type { LoopRule } from './profiles/loop.js';

/**
 * What the checker's loop did, each stamped with `at` (the clock's ms).
 *
 * Ticks are settled lazily (see `Ticker`): `tick` and `tick-dropped` carry the tick's due time
 * and may be reported after later events; sort by `at` (stable) for a timeline.
 */
export type CheckEvent =
  | { readonly type: 'start'; readonly at: number }
  | { readonly type: 'delay-end'; readonly at: number }
  | { readonly type: 'tick'; readonly at: number; readonly index: number }
  | { readonly type: 'tick-dropped'; readonly at: number; readonly index: number }
  | { readonly type: 'probe-start'; readonly at: number; readonly probe: number; readonly tick: number }
  | {
      readonly type: 'probe-end';
      readonly at: number;
      readonly probe: number;
      readonly outcome: ProbeOutcome;
      readonly success: boolean;
      /** The failure count after this probe. */
      readonly failureCount: number;
      /** The counter's rule (profiles other than dapr-1.0 add `false-repeats`, `recovered`, …). */
      readonly rule: LoopRule;
    }
  /** The loop sent a signal into the channel (it may block if the buffer is full). */
  | { readonly type: 'signal'; readonly at: number; readonly value: boolean; readonly probe: number }
  /** The buffer was full: the loop waits, probing nothing, until the consumer reads. */
  | { readonly type: 'blocked'; readonly at: number; readonly value: boolean }
  | { readonly type: 'unblocked'; readonly at: number }
  /** The consumer received a value from the channel. */
  | { readonly type: 'delivered'; readonly at: number; readonly value: boolean }
  | { readonly type: 'stop'; readonly at: number };

/** The `type` of every {@link CheckEvent}. */
export type CheckEventType = CheckEvent['type'];
