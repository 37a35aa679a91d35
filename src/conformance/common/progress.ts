/** One run still to come or done: how long its scenario lasts (scaled), ms. */
export interface PlannedRun {
  readonly durationMs: number;
}

/**
 * Estimates the time left of a real-time run from the scenarios' own durations: each run lasts
 * its (scaled) `durationMs` plus the implementation's start-up and stop, which is learnt from the
 * runs done so far (what they took beyond their duration, on average).
 *
 * @example
 * const eta = createEta(plan.map((p) => ({ durationMs: p.durationMs })));
 * eta.done(1200);           // the first run took 1.2 s
 * eta.line();               // '1/49, about 56 s left'
 */
export function createEta(runs: readonly PlannedRun[]): { done(elapsedMs: number): void; line(): string } {
  let finished = 0;
  let overheadMs = 0;
  return {
    done(elapsedMs) {
      const planned = runs[finished]?.durationMs ?? 0;
      overheadMs += Math.max(0, elapsedMs - planned);
      finished++;
    },
    line() {
      const remaining = runs.slice(finished);
      const perRun = finished ? overheadMs / finished : 0;
      const leftMs = remaining.reduce((sum, run) => sum + run.durationMs + perRun, 0);
      return `${finished}/${runs.length}, about ${formatLeft(leftMs)} left`;
    },
  };
}

function formatLeft(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}
