import FakeTimers from '@sinonjs/fake-timers';
import { startEndpointHealthCheck, withClock, withObserver, withTransport } from '../../src/checker/index.js';
import { optionsFromScenario } from '../../src/scenario/reference-adapter.js';
import { TraceRecorder } from '../../src/scenario/trace-recorder.js';
import type { ScenarioOptions, Trace } from '../../src/scenario/types.js';
import { scriptedTransport } from '../support/virtual-run.js';

/** What to run: the checker's options, the endpoint's items, when the consumer reads, when to stop. */
export interface RecordSpec {
  options: ScenarioOptions;
  items: string[];
  after?: string;
  readAt?: number;
  until: number;
  /** The trace's `source` (default "test"). */
  source?: string;
}

/**
 * Runs the real checker on a fake-timers clock against a scripted transport and records its
 * trace with the real TraceRecorder: the traces the renderers are tested on are ones the
 * checker actually produces.
 */
export async function recordTrace(spec: RecordSpec): Promise<Trace> {
  const clock = FakeTimers.createClock(0);
  const { transport } = scriptedTransport(clock, spec.items, spec.after ?? '200');
  const recorder = new TraceRecorder({ source: spec.source ?? 'test', options: spec.options });
  const check = startEndpointHealthCheck(
    'http://endpoint.test/healthz',
    ...optionsFromScenario(spec.options),
    withClock(clock),
    withTransport(transport),
    withObserver(recorder.observe),
  );
  const readAt = spec.readAt ?? 0;
  let cancelRead = () => {};
  const reading = (async () => {
    if (readAt > 0) {
      // A consumer that has not started by the cut never will: the stop cancels its wait.
      const started = await new Promise<boolean>((resolve) => {
        const handle = clock.setTimeout(() => resolve(true), readAt);
        cancelRead = () => {
          clock.clearTimeout(handle);
          resolve(false);
        };
      });
      if (!started) return;
    }
    for await (const _ of check);
  })();
  await clock.tickAsync(spec.until);
  const trace = recorder.finish(clock.now);
  await check.stop();
  cancelRead();
  await reading;
  return trace;
}

/**
 * The run behind docs/timeline-example.svg: interval 100, threshold 2, a short initial delay, a
 * timeout, and a consumer that starts reading late, so the loop blocks and ticks drop.
 */
export const EXAMPLE: RecordSpec = {
  options: { intervalMs: 100, failureThreshold: 2, initialDelayMs: 30, requestTimeoutMs: 50 },
  items: ['delay:15:200', 'delay:10:503', 'hang', 'delay:10:503', 'delay:15:200'],
  after: 'delay:15:200',
  readAt: 600,
  until: 1050,
  source: 'script 200, 503, hang, 503, 200… · consumer reads from 600 ms',
};
