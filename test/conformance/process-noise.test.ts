import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

// The suite's noise self-test in real time, on 127.0.0.1, with real child processes: a faithful
// checker whose every timer fires 0–20 ms late passes the core cases (they are judged on
// behaviour, not the clock), while real divergences fail with a headline that names them. Runs
// at the default tolerance, with other test files running alongside as noise.
const root = fileURLToPath(new URL('../..', import.meta.url));
const variant = join(root, 'test/conformance/adapters/variant.mjs');

async function conformance(name: string, ...args: string[]) {
  const t = memoryIo({ ...process.env, PROBEKIT_TEST_VARIANT: name });
  const code = await main(
    ['conformance', 'checker', '--exec', `node ${JSON.stringify(variant)}`, ...args],
    t.io,
  );
  return { code, stdout: t.stdout() };
}

// The core cases most exposed to lateness: answers near the timeout, refusal edges, faults, streaks.
const SENSITIVE = [
  'delay-in-time-success',
  'delay-too-slow-fails',
  'slow-body-in-time',
  'slow-body-too-slow',
  'connection-refused',
  'mixed-faults-one-streak',
  'recovery-after-false',
  'threshold-1-false-each-streak',
];

describe('real-time verdicts that noise cannot flip', () => {
  it('passes a faithful checker whose timers fire 0–20 ms late on the core cases most exposed to it', async () => {
    const run = await conformance('late', '--only', SENSITIVE.join(','));
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`${SENSITIVE.length} scenarios: ${SENSITIVE.length} passed, 0 failed`),
    );
    expect(run.code).toBe(0);
  }, 120_000); // eight real-time cases, each with a Node start-up, on a machine busy with other tests

  it('fails a checker that follows redirects, naming the followed request', async () => {
    const run = await conformance('follow-redirects', '--only', 'redirects-relative-location');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/First divergence at [\d.]+ms: other request/);
    expect(run.stdout).toMatch(/GET \/healthz\/ok at [\d.]+ms: a followed redirect/);
    expect(run.stdout).toMatch(/probe\.no-redirect/);
  }, 60_000);

  it('fails a checker that prints an initial false, as one extra signal before any probe', async () => {
    const run = await conformance('initial-false', '--only', 'all-200-true-every-probe');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/First divergence at [\d.]+ms: extra signal #0/);
    expect(run.stdout).toMatch(/actual: +false at [\d.]+ms \(before any probe ended\)/);
  }, 60_000);
});
