import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as someone installs it: the tarball `npm pack` makes (from a fresh build, so stale
 * files in the working tree's dist/ cannot hide a missing one), installed with npm into a new
 * CommonJS project. Offline-capable: npm takes the four dependencies from its cache when it can.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

const cliHasVersion = readFileSync(join(root, 'src', 'cli', 'main.ts'), 'utf8').includes("'--version'");

/** The environment for child npm/node processes: without the npm_* variables of an enclosing `npm test`. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

function run(command: string, args: string[], cwd: string, timeout = 60_000): string {
  return execFileSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout, stdio: 'pipe' });
}

/** Runs `node -e` in `cwd` (CommonJS unless `esm`); throws with its stderr unless it exits 0. */
function nodeOutput(cwd: string, source: string, esm = false): { stdout: string; stderr: string } {
  const args = [...(esm ? ['--input-type=module'] : []), '-e', source];
  const child = spawnSync(process.execPath, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`node exited ${child.status ?? child.signal}: ${child.stderr}`);
  return { stdout: child.stdout, stderr: child.stderr };
}

function node(cwd: string, source: string, esm = false): string {
  return nodeOutput(cwd, source, esm).stdout;
}

let work: string;
let consumer: string;
let packed: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'probekit-package-'));
  const staging = join(work, 'staging');
  // What `files` selects from the tree, minus dist/, which is built fresh below.
  const [listing] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)) as [
    { files: { path: string }[] },
  ];
  for (const { path } of listing.files) {
    if (path.startsWith('dist/')) continue;
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    cpSync(join(root, path), join(staging, path));
  }
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    run(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', join(staging, 'dist')],
      root,
      120_000,
    );
  } catch (error) {
    // Type errors still emit (npm test's typecheck reports them); only a build with no output is fatal.
    if (!existsSync(join(staging, 'dist', 'index.js'))) throw error;
  }
  const [tarball] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], staging),
  ) as [{ filename: string; files: { path: string }[] }];
  packed = tarball.files.map((file) => file.path).sort();

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  run('npm', ['init', '-y'], consumer);
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, tarball.filename),
    ],
    consumer,
    180_000,
  );
  // vitest is an optional peer: a project that uses probekit/vitest has it; this one borrows ours.
  symlinkSync(join(root, 'node_modules', 'vitest'), join(consumer, 'node_modules', 'vitest'), 'dir');
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built code, the CLI, the data files, the licence and the README', () => {
    for (const path of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/probekit.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/conformance/index.js',
      'dist/conformance/vitest.js',
      'schema/scenario.schema.json',
      'schema/healthz-case.schema.json',
    ]) {
      expect(packed).toContain(path);
    }
    expect(packed.some((path) => path.startsWith('fixtures/checker/'))).toBe(true);
    expect(packed.some((path) => path.startsWith('fixtures/healthz/'))).toBe(true);
  });

  it('leaves out source maps, sources, tests, benchmarks and tooling', () => {
    const unwanted = packed.filter((path) =>
      /\.map$|^(src|test|bench|scripts|\.ci|node_modules)\/|^(tsconfig.*|biome|vitest\.config\.ts)/.test(
        path,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it('ships the full Apache-2.0 licence text the package.json names', () => {
    const licence = readFileSync(join(consumer, 'node_modules', 'probekit', 'LICENSE'), 'utf8');
    expect(pkg).toMatchObject({ license: 'Apache-2.0' });
    expect(licence).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(licence).toContain('9. Accepting Warranty or Additional Liability.');
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });
});

describe('a CommonJS project that installs probekit', () => {
  it('requires every entry of the exports map, with no warning on stderr', () => {
    const { stdout: out, stderr } = nodeOutput(
      consumer,
      `const main = require('probekit');
       const conformance = require('probekit/conformance');
       const vitest = require('probekit/vitest');
       console.log(JSON.stringify([typeof main.startEndpointHealthCheck, typeof conformance.runCheckerConformance, typeof vitest.describeCheckerConformance]));`,
    );
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function']);
    expect(stderr).toBe(''); // e.g. no ExperimentalWarning for require(esm)
  });

  it('imports every entry of the exports map from an ES module', () => {
    const out = node(
      consumer,
      `const main = await import('probekit');
       const conformance = await import('probekit/conformance');
       const vitest = await import('probekit/vitest');
       console.log(JSON.stringify([typeof main.flakyEndpoint, typeof conformance.runServerConformance, typeof vitest.describeServerConformance]));`,
      true,
    );
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function']);
  });

  it('gets one copy of the module from require and import, so instanceof ProbekitError holds across both', () => {
    const out = node(
      consumer,
      `const required = require('probekit');
       import('probekit').then((imported) => {
         let caught;
         try { required.startEndpointHealthCheck('http://127.0.0.1:9/healthz', required.withInterval(0)); } catch (error) { caught = error; }
         console.log(JSON.stringify([required === imported, caught instanceof imported.ProbekitError, caught.code]));
       });`,
    );
    expect(JSON.parse(out)).toEqual([true, true, 'ERR_PROBEKIT_INVALID_OPTION']);
  });

  it('installs only the declared dependencies: msw and vitest, optional peers, are not pulled in', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      '@sinonjs/fake-timers',
      'ajv',
      'node-forge',
      'undici',
    ]);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['msw', 'vitest']);
    expect(existsSync(join(consumer, 'node_modules', 'msw'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules', 'graphql'))).toBe(false);
  });

  it('runs a flaky endpoint without msw, and asks for msw only when its handlers are used', () => {
    const out = node(
      consumer,
      `const { flakyEndpoint } = require('probekit');
       const endpoint = flakyEndpoint('503...');
       const controller = new AbortController();
       endpoint.transport({ url: 'http://endpoint.test/healthz', timeout: 100, signal: controller.signal }).then(({ status }) => {
         let message;
         try { endpoint.handlers; } catch (error) { message = error.code + ': ' + error.message; }
         console.log(JSON.stringify([status, message]));
       });`,
    );
    const [status, message] = JSON.parse(out) as [number, string];
    expect(status).toBe(503);
    expect(message).toMatch(
      /^ERR_PROBEKIT_INVALID_OPTION: Failed to create msw handlers: the msw package is not installed\. Run npm install -D msw/,
    );
  });

  it('type-checks TypeScript that imports (ESM) and requires (CommonJS) every entry, against the shipped .d.ts', () => {
    writeFileSync(
      join(consumer, 'uses.mts'),
      `import { startEndpointHealthCheck, withInterval, type HealthCheck } from 'probekit';
import { runCheckerConformance } from 'probekit/conformance';
import { describeCheckerConformance } from 'probekit/vitest';
const check: HealthCheck = startEndpointHealthCheck('http://127.0.0.1:8080/healthz', withInterval(1000));
export const used = [check, runCheckerConformance, describeCheckerConformance];
`,
    );
    writeFileSync(
      join(consumer, 'uses.cts'),
      `import probekit = require('probekit');
import conformance = require('probekit/conformance');
export const used: [typeof probekit.simulate, typeof conformance.runServerConformance] = [probekit.simulate, conformance.runServerConformance];
`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // skipLibCheck: the shipped .d.ts name msw's types, an optional peer this project does not install.
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const types = [
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
    ];
    expect(run(process.execPath, [tsc, ...flags, ...types, 'uses.mts', 'uses.cts'], consumer, 120_000)).toBe(
      '',
    );
  });

  it('runs the probekit command through npx', () => {
    const help = run('npx', ['--no', '--', 'probekit', '--help'], consumer);
    expect(help).toMatch(/probekit/);
    expect(help).toMatch(/conformance/);
  });

  // The CLI engineer adds --version (issue 11); until then this one is skipped, not faked.
  it.skipIf(!cliHasVersion)('prints the package version with npx probekit --version', () => {
    expect(run('npx', ['--no', '--', 'probekit', '--version'], consumer).trim()).toContain(pkg.version);
  });

  // Last: it installs msw into the project (the tests above check it is not pulled in).
  it('runs the checker through msw with fetchTransport() once the project installs msw', () => {
    const msw = JSON.parse(readFileSync(join(root, 'node_modules', 'msw', 'package.json'), 'utf8')) as {
      version: string;
    };
    run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `msw@${msw.version}`],
      consumer,
      180_000,
    );
    // An IP literal: if msw did not intercept, the probe is refused locally (no DNS look-up).
    const out = node(
      consumer,
      `const { setupServer } = require('msw/node');
       const { flakyEndpoint, startEndpointHealthCheck, withTransport, fetchTransport, withInterval, withInitialDelay } = require('probekit');
       const endpoint = flakyEndpoint('200, 503*2, 200...');
       const server = setupServer(...endpoint.handlers);
       server.listen({ onUnhandledRequest: 'error' });
       const check = startEndpointHealthCheck('http://127.0.0.1:9/healthz', withTransport(fetchTransport()), withInterval(20), withInitialDelay(0));
       (async () => {
         const values = [];
         for await (const healthy of check) { values.push(healthy); if (values.length === 3) break; }
         await check.stop();
         server.close();
         console.log(JSON.stringify({ values, requests: endpoint.journal.entries().length }));
       })();`,
    );
    const { values, requests } = JSON.parse(out) as { values: boolean[]; requests: number };
    expect(values).toEqual([true, false, true]);
    expect(requests).toBeGreaterThanOrEqual(4);
  }, 240_000);
});
