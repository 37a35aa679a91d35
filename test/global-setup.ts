import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest globalSetup: builds `dist/` once before any test file runs, so tests that spawn
 * `node bin/probekit.js …` (end-to-end CLI tests) run the current sources.
 *
 * Type errors do not stop the tests here: tsc still emits, `npm test` fails on them in its
 * typecheck step anyway, and one broken file should not hide every other test result. Only a
 * build that produced no CLI at all is fatal.
 *
 * Another test run may be using `dist/` right now (a second `npm test` in the same clone, a
 * watch mode): tsc would rewrite every file in place, and a child process of that run could
 * import a half-written one. So tsc builds into a temporary folder, and only the files whose
 * content changed are moved into `dist/`, each by a rename (atomic: a reader sees the old file or
 * the new one). Unchanged sources change nothing in `dist/`.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const dist = join(root, 'dist');
  const staging = mkdtempSync(join(tmpdir(), 'probekit-dist-'));
  try {
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', staging], {
        cwd: root,
        stdio: 'pipe',
      });
    } catch (error) {
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      if (!existsSync(join(staging, 'cli', 'main.js'))) {
        throw new Error(
          `Failed to build dist/ before the tests: tsc produced no dist/cli/main.js.\n${output}`,
        );
      }
      console.warn(`global-setup: tsc reported errors while building dist/ (tests continue):\n${output}`);
    }
    syncInto(staging, dist);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Makes `target` hold what `source` holds, touching only files that differ. */
function syncInto(source: string, target: string): void {
  const built = new Set<string>();
  for (const file of filesUnder(source)) {
    const name = relative(source, file);
    built.add(name);
    const destination = join(target, name);
    const content = readFileSync(file);
    if (existsSync(destination) && readFileSync(destination).equals(content)) continue;
    mkdirSync(dirname(destination), { recursive: true });
    const temporary = `${destination}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, destination);
  }
  // Outputs of sources that no longer exist would be imported by nothing, but would ship.
  if (!existsSync(target)) return;
  for (const file of filesUnder(target)) {
    const name = relative(target, file);
    if (!built.has(name) && /\.(js|d\.ts|js\.map)$/.test(name)) unlinkSync(file);
  }
}

function filesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}
