import { runCheckerConformance } from '../../conformance/checker/suite.js';
import type { Report } from '../../conformance/common/report.js';
import { referenceAdapter } from '../../scenario/reference-adapter.js';
import { systemClock } from '../../time/clock.js';
import type { ActResult, DemoAct, DemoContext } from './context.js';
import type { DemoOutput } from './output.js';

/** Levels in the order the suites introduce them; any other level comes after, by name. */
const LEVEL_ORDER = ['core', 'timing', 'backpressure'];

/**
 * Act 3: the conformance suite in process against the built-in reference (probekit's own
 * checker, Dapr v1.0), with counts per level and the time it took.
 *
 * @example
 * await conformanceAct.run({ out, profile: DEMO_PROFILES.normal, signal });
 */
export const conformanceAct: DemoAct = {
  title: 'The conformance suite against the built-in reference',
  async run(ctx: DemoContext): Promise<ActResult> {
    const { out, signal } = ctx;
    signal.throwIfAborted();
    const started = systemClock.now;
    const report = await runCheckerConformance(referenceAdapter);
    signal.throwIfAborted();
    printReport(
      out,
      report,
      systemClock.now - started,
      'virtual time: every scenario runs to the millisecond, instantly',
    );
    out.line();
    out.line('Run it against your own checker: probekit/conformance (see the README).');
    return { ok: report.failed === 0 && report.errored === 0 && report.results.length > 0 };
  },
};

/**
 * A suite's summary: one row per level, then the verdict and the time taken.
 *
 * @example
 * printReport(out, await runCheckerConformance(referenceAdapter), 240, 'virtual time');
 */
export function printReport(out: DemoOutput, report: Report, elapsedMs: number, how: string): void {
  out.field('suite', `${report.suite} · ${report.implementation}`);
  out.field('how', how);
  out.line();
  const head = `  ${'level'.padEnd(14)}${'cases'.padStart(6)}${'passed'.padStart(8)}${'failed'.padStart(8)}${'errors'.padStart(8)}`;
  out.line(out.paint(head, 'dim'));
  const levels = Object.keys(report.byLevel).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const level of levels) {
    const c = report.byLevel[level] as { passed: number; failed: number; errored: number };
    const total = c.passed + c.failed + c.errored;
    out.line(
      `  ${level.padEnd(14)}${String(total).padStart(6)}${out.paint(String(c.passed).padStart(8), 'green')}` +
        `${out.paint(String(c.failed).padStart(8), c.failed ? 'red' : undefined)}` +
        `${out.paint(String(c.errored).padStart(8), c.errored ? 'red' : undefined)}`,
    );
  }
  const total = report.results.length;
  const seconds = (elapsedMs / 1000).toFixed(2);
  out.line();
  if (report.failed === 0 && report.errored === 0) {
    out.line(out.paint(`  all ${total} passed in ${seconds} s`, 'green'));
    return;
  }
  out.line(
    out.paint(`  ${report.failed} failed and ${report.errored} errored of ${total}, in ${seconds} s:`, 'red'),
  );
  for (const result of report.results.filter((r) => r.status !== 'pass')) {
    out.line(`    ${result.status}  ${result.id}`);
  }
}

function rank(level: string): number {
  const index = LEVEL_ORDER.indexOf(level);
  return index === -1 ? LEVEL_ORDER.length : index;
}
