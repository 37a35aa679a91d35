import type { CheckEvent } from '../checker/events.js';
import { describeOutcome } from '../transport/outcome.js';
import type { ScenarioOptions, Trace, TraceProbe, TraceSignal } from './types.js';

/**
 * Builds a {@link Trace} from a checker's events (pass `observe` to `withObserver`). Times are
 * made relative to the check's `start` event.
 *
 * @example
 * const recorder = new TraceRecorder();
 * const check = startEndpointHealthCheck(url, withObserver(recorder.observe));
 * // … later
 * const trace = recorder.finish(clock.now);
 */
export class TraceRecorder {
  #origin: number | undefined;
  #delayEnd: number | undefined;
  readonly #probes: TraceProbe[] = [];
  /** Probes by their index: a probe's end finds its start in O(1), not by a scan of every probe. */
  readonly #probeByIndex = new Map<number, TraceProbe>();
  readonly #signals: TraceSignal[] = [];
  readonly #emitted: number[] = [];
  readonly #delivered: number[] = [];
  readonly #dropped: number[] = [];
  readonly #blocked: Array<{ from: number; to?: number }> = [];
  readonly #source: string;
  readonly #options: ScenarioOptions | undefined;
  #cutAt: number | undefined;

  constructor({ source = 'probekit', options }: { source?: string; options?: ScenarioOptions } = {}) {
    this.#source = source;
    this.#options = options;
  }

  /** The observer to pass to `withObserver`. */
  readonly observe = (event: CheckEvent): void => {
    if (event.type === 'start') {
      this.#origin = event.at;
      return;
    }
    const at = this.#relative(event.at);
    // After the cut only ticks still count: they came due before it and are settled on stop.
    if (this.#cutAt !== undefined && !(event.type.startsWith('tick') && at <= this.#cutAt)) return;
    switch (event.type) {
      case 'delay-end':
        this.#delayEnd = at;
        break;
      case 'tick':
        this.#delivered.push(at);
        break;
      case 'tick-dropped':
        this.#dropped.push(at);
        break;
      case 'probe-start': {
        const probe: TraceProbe = { index: event.probe, start: at };
        this.#probes.push(probe);
        this.#probeByIndex.set(event.probe, probe);
        break;
      }
      case 'probe-end': {
        const probe = this.#probeByIndex.get(event.probe);
        this.#probeByIndex.delete(event.probe);
        if (probe) {
          probe.end = at;
          probe.outcome = describeOutcome(event.outcome);
          probe.success = event.success;
          probe.failureCount = event.failureCount;
        }
        break;
      }
      case 'signal':
        this.#emitted.push(at);
        break;
      case 'delivered': {
        const emittedAt = this.#emitted[this.#signals.length] ?? at;
        this.#signals.push(
          emittedAt === at ? { at, value: event.value } : { at, value: event.value, emittedAt },
        );
        break;
      }
      case 'blocked':
        this.#blocked.push({ from: at });
        break;
      case 'unblocked': {
        const open = this.#blocked.at(-1);
        if (open && open.to === undefined) open.to = at;
        break;
      }
      default:
        break;
    }
  };

  /**
   * Freezes the trace at `end` (clock time): later events are ignored, except ticks due by then
   * (the checker settles them when it stops). Call before `stop()`, then {@link finish} after.
   */
  cut(end: number): void {
    this.#cutAt ??= this.#relative(end);
  }

  /** The trace, cut at `end` (clock time) or at the earlier {@link cut}. */
  finish(end: number): Trace {
    this.cut(end);
    const durationMs = this.#cutAt as number;
    // Copies: events after the cut (a late read, a probe ending on stop) must not leak in.
    const trace: Trace = {
      source: this.#source,
      durationMs,
      probes: this.#probes.filter((p) => p.start <= durationMs).map((p) => ({ ...p })),
      signals: this.#signals.filter((s) => s.at <= durationMs).map((s) => ({ ...s })),
    };
    if (this.#delayEnd !== undefined) trace.delayEnd = this.#delayEnd;
    trace.ticks = {
      delivered: [...this.#delivered].sort((a, b) => a - b),
      dropped: [...this.#dropped].sort((a, b) => a - b).filter((t) => t <= durationMs),
    };
    if (this.#blocked.length) trace.blocked = this.#blocked.map((b) => ({ ...b }));
    if (this.#options) trace.options = this.#options;
    return trace;
  }

  #relative(at: number): number {
    return at - (this.#origin ?? 0);
  }
}
