/**
 * The events and commands of a profile's loop: the vocabulary every Dapr checker's state
 * machine is written in, and every driver (the discrete-event simulator, the real-time check)
 * performs. A machine never reads a clock, a socket or a promise: a driver hands it an event
 * and carries out the commands it returns, in order.
 */

/** What one probe ended with, as the loop sees it. */
export interface ProbeResult {
  /** The response's status, or `undefined` when none came (timeout, refused, reset, …). */
  readonly status: number | undefined;
}

/** What happens to the loop. */
export type LoopEvent =
  | { readonly kind: 'start' }
  /** The initial delay (a `sleep`) ended. */
  | { readonly kind: 'delay-end' }
  /** The loop's read of the ticker returned a tick. */
  | { readonly kind: 'tick' }
  /** Probe `probe` (a number the driver gave it) ended. */
  | { readonly kind: 'probe-end'; readonly probe: number; readonly result: ProbeResult }
  /** A blocking send was taken by the channel (or its reader). */
  | { readonly kind: 'sent' };

/** What the loop asks its driver to do. */
export type LoopCommand =
  /** Start a Go ticker now (ticks at now + k·period, one waits, later ones drop), replacing the current one. */
  | { readonly kind: 'ticker'; readonly period: number }
  /** Sleep `ms`, then `delay-end`. */
  | { readonly kind: 'sleep'; readonly ms: number }
  /** Read the ticker: `tick` at once when one waits, else when the next comes due. */
  | { readonly kind: 'wait-tick' }
  /** Start a probe; `probe-end` follows. Probes of a `concurrent` loop may overlap. */
  | { readonly kind: 'probe' }
  /**
   * Send a value on the channel. `blocking`: the loop itself waits for `sent` (Dapr's
   * `ch <- v` in the loop); otherwise a goroutine of its own sends it and the loop goes on.
   */
  | { readonly kind: 'send'; readonly value: boolean; readonly blocking: boolean };

/** Why a value was emitted or not, for teaching views. */
export type LoopRule =
  | 'success'
  | 'streak-reached'
  | 'streak-continues'
  | 'false-repeats'
  | 'recovered'
  | 'healthy-stays'
  | 'unhealthy-stays'
  | 'ignored';

/** A profile's loop: a small state machine over {@link LoopEvent}s. */
export interface LoopMachine {
  /** Handles one event; returns the commands to carry out, in order. */
  on(event: LoopEvent): readonly LoopCommand[];
  /** The failure count now (what a trace records after a probe). */
  readonly failureCount: number;
  /** The rule the last probe-end applied. */
  readonly lastRule: LoopRule | undefined;
}

/** The settings a loop machine is made with (whole values, defaults applied). */
export interface LoopSettings {
  readonly initialDelay: number;
  readonly interval: number;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
  /** Dapr v1.13's interval while unhealthy (other profiles ignore it). */
  readonly unhealthyInterval: number;
}
