import type { RunnerTask } from 'vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { serverCases } from '../../src/conformance/healthz/cases.js';
import { describeServerConformance } from '../../src/conformance/vitest.js';
import { createSidecarHealthz, silentLogger } from '../../src/healthz/index.js';

// A live sidecar server that probekit can reach but not flip (a URL target): the cases that
// need a flip must show up in vitest as skipped, not as passed.
const stop = new AbortController();
let url = '';
let running: Promise<void> = Promise.resolve();

function leaves(task: RunnerTask): RunnerTask[] {
  return 'tasks' in task ? task.tasks.flatMap(leaves) : [task];
}

describe('describeServerConformance against a target it cannot flip', () => {
  beforeAll(async () => {
    const bound = new Promise<string>((resolve) => {
      const live = createSidecarHealthz({ logger: silentLogger, onListening: (at) => resolve(at.url) });
      running = live.run(stop.signal, 0, '127.0.0.1');
    });
    url = await bound;
  });

  describeServerConformance(() => ({ url }), { profile: 'sidecar' });

  // Regression: such cases returned early and were reported as passed.
  // biome-ignore lint/correctness/noEmptyPattern: vitest parses the first parameter as fixtures.
  afterAll(async ({}, suite) => {
    stop.abort();
    await running;
    const states = new Map(leaves(suite).map((task) => [task.name.split(':')[0], task.result?.state]));
    const cases = serverCases({ profile: 'sidecar' });
    const needsFlip = cases.filter((c) => c.start !== 'any');
    expect(needsFlip.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect([c.id, states.get(`[${c.level}] ${c.id}`)]).toEqual([c.id, c.start === 'any' ? 'pass' : 'skip']);
    }
  });
});
