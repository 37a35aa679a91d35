import { afterEach, describe, expect, it } from 'vitest';
import { runCheckerConformance } from '../../src/conformance/checker/suite.js';
import { type MockServer, startMockServer } from '../../src/endpoint/backends/server/server.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { MUTANTS } from './mutants.js';

const redirects = loadScenarios().filter(({ scenario }) => scenario.rules.includes('probe.no-redirect'));
const servers: MockServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The statuses a client sees for the expected probes, one request each, on a real socket. */
async function statuses(script: string, count: number, redirect: 'manual' | 'follow'): Promise<string[]> {
  const server = await startMockServer(script, { host: '127.0.0.1', port: 0, control: 'off' });
  servers.push(server);
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    seen.push(String((await fetch(`${server.url}/healthz`, { redirect })).status));
  }
  return seen;
}

describe('the redirect fixtures', () => {
  it('cover 301, 302, 303, 307 and 308 with relative and absolute Locations', () => {
    const scripts = redirects.map(({ scenario }) => scenario.script).join('\n');
    for (const status of [301, 302, 303, 307, 308]) {
      expect(scripts).toMatch(new RegExp(`${status} \\[location="/healthz/ok"\\]`));
      expect(scripts).toMatch(new RegExp(`${status} \\[location="\\{origin\\}/healthz/ok"\\]`));
    }
  });

  it.each(redirects.map(({ scenario }) => [scenario.id, scenario] as const))(
    '%s: a client that does not follow sees the 3xx, one that follows sees 200 for each',
    async (_, scenario) => {
      const expected = (scenario.expected?.probes ?? []).map((p) => p.outcome ?? '');
      expect(expected.some((outcome) => /^3\d\d$/.test(outcome))).toBe(true);
      expect(await statuses(scenario.script, expected.length, 'manual')).toEqual(expected);
      const followed = await statuses(scenario.script, expected.length, 'follow');
      expect(followed).toEqual(expected.map((outcome) => (/^3\d\d$/.test(outcome) ? '200' : outcome)));
    },
  );

  it('each fail the "redirects followed" mutant', async () => {
    const follower = MUTANTS.find((m) => m.adapter.name === 'redirects followed');
    expect(follower).toBeDefined();
    const report = await runCheckerConformance(follower!.adapter);
    const ids = new Set(redirects.map(({ scenario }) => scenario.id));
    const results = report.results.filter((r) => ids.has(r.id));
    expect(results.map((r) => [r.id, r.status === 'pass' ? 'pass' : 'caught'])).toEqual(
      [...ids].map((id) => [id, 'caught']),
    );
  });
});
