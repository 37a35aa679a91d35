import type { Writable } from 'node:stream';
import { systemClock } from '../../time/clock.js';
import { conformanceAct } from './act-conformance.js';
import { flakyEndpointAct } from './act-flaky-endpoint.js';
import { readinessAct } from './act-readiness.js';
import type { DemoAct, DemoContext } from './context.js';
import { DemoOutput } from './output.js';
import type { DemoProfile } from './profile.js';

/** The acts, in order: `--act 2` runs `DEMO_ACTS[1]`. */
export const DEMO_ACTS: readonly DemoAct[] = [flakyEndpointAct, readinessAct, conformanceAct];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly profile: DemoProfile;
  /** 1-based act numbers to run, in order (default: all). */
  readonly acts?: readonly number[];
  readonly stdout: Writable;
  /** ANSI colour (default false). */
  readonly color?: boolean;
  /** Where act 1 writes its recorded trace (JSON), for `probekit explain --trace`. */
  readonly traceFile?: string;
  /** Aborting it (Ctrl-C) stops everything the demo started; `runDemo` then resolves with 130. */
  readonly signal: AbortSignal;
}

/** The exit code of a demo stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;

/**
 * Runs the demo: a flaky endpoint probed live, a healthz server flipping readiness, and the
 * conformance suite against the reference. Resolves with an exit code (0: every act showed
 * what it shows; 1: something did not, e.g. on a machine too busy for demo-scale timeouts;
 * 130: interrupted). Everything it starts is stopped before it resolves.
 *
 * @example
 * const code = await runDemo({ profile: DEMO_PROFILES.normal, stdout: process.stdout, signal });
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { profile } = options;
  // Ctrl-C, or nobody left to read the output (a closed pipe): stop everything either way.
  const stop = new AbortController();
  const signal = stop.signal;
  const onInterrupt = () => stop.abort(options.signal.reason);
  if (options.signal.aborted) onInterrupt();
  else options.signal.addEventListener('abort', onInterrupt, { once: true, signal });
  const out = new DemoOutput(options.stdout, {
    color: options.color ?? false,
    onBroken: (error) => stop.abort(error),
  });
  try {
    return await runActs(out, { profile, signal, traceFile: options.traceFile }, options.acts);
  } finally {
    out.dispose();
    stop.abort();
  }
}

async function runActs(
  out: DemoOutput,
  settings: Omit<DemoContext, 'out'>,
  selected: readonly number[] | undefined,
): Promise<number> {
  const { profile, signal } = settings;
  const acts = selected ?? DEMO_ACTS.map((_, i) => i + 1);
  const started = systemClock.now;
  out.line(out.paint("probekit demo · Dapr v1.0's HTTP health checker, live on 127.0.0.1", 'bold'));
  out.line(
    out.paint(
      `${profile.name === 'fast' ? 'Fast run' : 'Demo scale'}: ms instead of Dapr's seconds; every rule is the same.`,
      'dim',
    ),
  );
  let ok = true;
  try {
    for (const number of acts) {
      const act = DEMO_ACTS[number - 1];
      if (!act) continue;
      out.heading(number, DEMO_ACTS.length, act.title);
      out.line();
      const result = await act.run({ ...settings, out });
      ok &&= result.ok;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    if (out.broken) return 1;
    out.line();
    out.line(out.paint('Interrupted: every server closed, every checker stopped.', 'yellow'));
    return INTERRUPTED;
  }
  const seconds = ((systemClock.now - started) / 1000).toFixed(1);
  out.rule(`done in ${seconds} s · every server closed, every checker stopped`);
  // --initial-delay: Dapr's default 1 s delay would hide the first ten ticks of this picture.
  out.line('Next: probekit explain "200, 503*3, 200" --interval 100ms --initial-delay 30ms \\');
  out.line('        --format timeline');
  out.line('      probekit mock "200*3, 503..." · probekit check <url> · probekit --help');
  return ok ? 0 : 1;
}
