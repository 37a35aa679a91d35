import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest globalSetup: builds `dist/` once before any test file runs, so tests that spawn
 * `node bin/probekit.js …` (end-to-end CLI tests) run the current sources.
 *
 * Type errors do not stop the tests here: tsc still emits, `npm test` fails on them in its
 * typecheck step anyway, and one broken file should not hide every other test result. Only a
 * build that produced no CLI at all is fatal.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
      throw new Error(`Failed to build dist/ before the tests: tsc produced no dist/cli/main.js.\n${output}`);
    }
    console.warn(`global-setup: tsc reported errors while building dist/ (tests continue):\n${output}`);
  }
}
