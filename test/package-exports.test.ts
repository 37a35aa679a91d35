import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs an ES module snippet in a plain Node process at the repository root (dist/ is built by globalSetup). */
function node(source: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('the package as a user imports it', () => {
  it('exposes the checker, servers, endpoints, scenarios and views from "probekit"', () => {
    const names = JSON.parse(
      node("const m = await import('probekit'); console.log(JSON.stringify(Object.keys(m)));"),
    );
    for (const name of [
      'startEndpointHealthCheck',
      'withInterval',
      'createHealthzServer',
      'createSidecarHealthz',
      'flakyEndpoint',
      'startMockServer',
      'simulate',
      'compareTraces',
      'renderTimeline',
      'httpTransport',
      'ProbekitError',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('exposes the suites from "probekit/conformance" and resolves "probekit/vitest"', () => {
    const out = node(
      "const c = await import('probekit/conformance'); console.log(typeof c.runCheckerConformance, import.meta.resolve('probekit/vitest'));",
    );
    expect(out).toMatch(/^function .*\/dist\/conformance\/vitest\.js/);
  });

  it('refuses a deep import that is not in the exports map', () => {
    const out = node(
      "try { await import('probekit/dist/index.js'); console.log('imported'); } catch (e) { console.log(e.code); }",
    );
    expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
