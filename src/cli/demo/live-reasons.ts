import type { CheckEvent } from '../../checker/events.js';
import type { LoopRule } from '../../checker/profiles/loop.js';
import { explainEvent } from '../../teach/explain-reasons.js';
import type { Style } from '../../teach/text.js';
import type { ProbeClass, Timeline } from '../../teach/timeline-model.js';
import { describeOutcome } from '../../transport/outcome.js';
import type { LiveRow } from './output.js';

/** The checker settings the live reasons cite. */
export interface LiveSettings {
  readonly intervalMs: number;
  readonly initialDelayMs: number;
  readonly requestTimeoutMs: number;
  readonly failureThreshold: number;
  readonly successStatusCode: number;
}

const CLASS_STYLE: Readonly<Record<ProbeClass, Style | undefined>> = {
  success: 'green',
  failure: 'red',
  timeout: 'yellow',
  error: 'magenta',
  inflight: undefined,
  unknown: undefined,
};

/**
 * Says why each event of a running check happened, as it happens, in the words of
 * `probekit explain` (src/teach): the teaching views explain a finished trace, and a live event
 * is explained the same way as a trace that ends right there.
 *
 * @example
 * const reasons = new LiveReasons(settings);
 * withObserver((event) => { const row = reasons.row(event, clock.now); if (row) out.row(row); });
 */
export class LiveReasons {
  readonly #timeline: Timeline;
  readonly #starts = new Map<number, number>();
  #origin = 0;

  constructor(settings: LiveSettings) {
    // Only the options are read when explaining a lone event; the rest stays empty.
    this.#timeline = {
      source: 'live',
      durationMs: 0,
      delayEnd: undefined,
      probes: [],
      emissions: [],
      ticks: undefined,
      blocked: [],
      events: [],
      options: { ...settings, known: true },
    };
  }

  /** The row for an event worth a line, or `undefined` (ticks taken at once, deliveries, …). */
  row(event: CheckEvent): LiveRow | undefined {
    const t = this.#timeline;
    switch (event.type) {
      case 'start':
        this.#origin = event.at;
        return { ms: 0, probe: '', why: explainEvent({ kind: 'start', at: 0 }, t) };
      case 'delay-end':
        return {
          ms: this.#ms(event.at),
          probe: '',
          why: explainEvent({ kind: 'delay-end', at: this.#ms(event.at), waitingTick: undefined }, t),
        };
      case 'probe-start':
        this.#starts.set(event.probe, this.#ms(event.at));
        return undefined;
      case 'probe-end': {
        const cls = classOf(event);
        const number = event.probe + 1;
        const why = explainEvent(
          {
            kind: 'probe-end',
            at: this.#ms(event.at),
            probe: {
              number,
              start: this.#starts.get(event.probe) ?? this.#ms(event.at),
              end: this.#ms(event.at),
              outcome: describeOutcome(event.outcome),
              success: event.success,
              failureCount: event.failureCount,
              class: cls,
              // The demo runs the reference (dapr-1.0), whose counter has only these three rules.
              rule:
                event.rule === 'success' ||
                event.rule === 'streak-reached' ||
                event.rule === 'streak-continues'
                  ? event.rule
                  : undefined,
              tick: undefined,
              emitted: signalOf(event.rule),
              sent: event.outcome.kind !== 'invalid-url',
            },
          },
          t,
        );
        return {
          ms: this.#ms(event.at),
          probe: `#${number}`,
          signal: signalOf(event.rule),
          why,
          headStyle: CLASS_STYLE[cls],
        };
      }
      case 'tick-dropped':
        return {
          ms: this.#ms(event.at),
          probe: '',
          why: `tick ${this.#ms(event.at)} ${explainEvent(
            {
              kind: 'tick-dropped',
              at: this.#ms(event.at),
              waitingTick: undefined,
              busy: { why: 'unknown' },
            },
            t,
          )}`,
        };
      case 'blocked':
        return {
          ms: this.#ms(event.at),
          probe: '',
          why: explainEvent(
            { kind: 'blocked', at: this.#ms(event.at), until: undefined, value: event.value },
            t,
          ),
        };
      default:
        return undefined;
    }
  }

  /** ms since the check started. */
  #ms(at: number): number {
    return Math.round(at - this.#origin);
  }
}

/** The signal a counter rule emits (see `step()` in src/checker/counter.ts). */
function signalOf(rule: LoopRule): boolean | undefined {
  if (rule === 'success' || rule === 'recovered') return true;
  return rule === 'streak-reached' || rule === 'false-repeats' ? false : undefined;
}

function classOf(event: Extract<CheckEvent, { type: 'probe-end' }>): ProbeClass {
  if (event.success) return 'success';
  if (event.outcome.kind === 'status') return 'failure';
  return event.outcome.kind === 'timeout' ? 'timeout' : 'error';
}
