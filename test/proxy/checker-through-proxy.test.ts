import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckEvent,
  type HealthCheck,
  startEndpointHealthCheck,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withObserver,
  withRequestTimeout,
} from '../../src/checker/index.js';
import { type FaultProxy, startFaultProxy } from '../../src/endpoint/backends/proxy/index.js';
import { startUpstream, type TestUpstream } from './upstream.js';

let upstream: TestUpstream | undefined;
let proxy: FaultProxy | undefined;
let check: HealthCheck | undefined;

afterEach(async () => {
  await check?.stop();
  await proxy?.close();
  await upstream?.close();
  check = proxy = upstream = undefined;
});

/** Reads signals until `count` arrived; the test's timeout bounds a run that never gets there. */
async function runUntil(health: HealthCheck, count: number): Promise<boolean[]> {
  const values: boolean[] = [];
  for await (const value of health) {
    values.push(value);
    if (values.length >= count) break;
  }
  return values;
}

function outcomes(events: CheckEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'probe-end' ? [e.outcome.kind === 'status' ? String(e.outcome.status) : e.outcome.kind] : [],
  );
}

describe("probekit's checker against a real upstream through the fault proxy", () => {
  it('emits true for each answer the upstream gives and one false per streak of injected faults', async () => {
    upstream = await startUpstream();
    proxy = await startFaultProxy(upstream.origin, 'pass*2, 503, reset, pass, hang, pass...');
    const events: CheckEvent[] = [];
    check = startEndpointHealthCheck(
      `${proxy.url}/healthz`,
      withInterval(40),
      withInitialDelay(0),
      withRequestTimeout(300),
      withFailureThreshold(2),
      withObserver((e) => events.push(e)),
    );
    const values = await runUntil(check, 5);
    expect(values).toEqual([true, true, false, true, true]);
    expect(outcomes(events).slice(0, 7)).toEqual(['200', '200', '503', 'reset', '200', 'timeout', '200']);
    await check.stop();
    // The passes answered from the upstream; the three faults never reached it (else it would
    // have seen more requests than the journal has passes). A probe cut by stop() may not have.
    const passes = proxy.journal.entries().filter((e) => e.decision.action === 'pass');
    expect(passes.slice(0, 4).map((e) => e.upstream?.status)).toEqual([200, 200, 200, 200]);
    const received = upstream.received.filter((r) => r === 'GET /healthz').length;
    expect(received).toBeGreaterThanOrEqual(4);
    expect(received).toBeLessThanOrEqual(passes.length);
  });
});
