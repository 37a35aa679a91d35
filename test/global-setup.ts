import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest globalSetup: builds `dist/` once before any test file runs, so tests that spawn
 * `node bin/probekit.js …` (end-to-end CLI tests) run the current sources.
 * Wire it with `test.globalSetup: ['test/global-setup.ts']` in vitest.config.ts.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    throw new Error(
      `Failed to build dist/ before the tests: tsc reported errors. Fix them first.\n${output}`,
    );
  }
}
