import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runProcessCase } from '../../src/conformance/checker/process/index.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import type { Scenario } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';
import { running } from '../support/processes.js';

// Real processes, real time, 127.0.0.1 only. Cases are picked short (≤ 1.25 s each) and from the
// core and backpressure levels, which are judged on behaviour (what the endpoint did, what was
// printed, in what order), so they run at the default tolerance even on a loaded machine: test
// files run in parallel here.
const root = fileURLToPath(new URL('../..', import.meta.url));
const adapter = `node ${JSON.stringify(join(root, 'examples/checker-adapter.mjs'))}`;
const broken = `node ${JSON.stringify(join(root, 'test/conformance/adapters/threshold-gte.mjs'))}`;
const fixtures = new Map(loadScenarios().map(({ scenario }) => [scenario.id, scenario]));
const fixture = (id: string) => fixtures.get(id) as Scenario;

async function conformance(...args: string[]) {
  const t = memoryIo(process.env);
  const code = await main(['conformance', 'checker', ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

beforeAll(() => {
  // The example adapter imports 'probekit' (this package, self-referenced): it needs dist/.
  if (!existsSync(join(root, 'dist/index.js'))) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
      },
    );
  }
}, 60_000);

describe('the checker protocol against the example adapter', () => {
  it('passes scenarios of every level, including back-pressure from a late reader', async () => {
    const run = await conformance(
      '--exec',
      adapter,
      '--only',
      'hang-times-out,connection-refused,late-consumer-blocks-loop',
    );
    expect(run.stdout).toMatch(/✓ \[core\] hang-times-out/);
    expect(run.stdout).toMatch(/✓ \[core\] connection-refused/);
    expect(run.stdout).toMatch(/✓ \[backpressure\] late-consumer-blocks-loop/);
    expect(run.stdout).toMatch(/3 scenarios: 3 passed, 0 failed, 0 errors/);
    expect(run.code).toBe(0);
  });
});

describe('the checker protocol against a broken implementation', () => {
  it('fails with exit code 1 and prints the trace diff naming the rule', async () => {
    const run = await conformance('--exec', broken, '--only', 'all-503-single-false');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ \[core\] all-503-single-false/);
    expect(run.stdout).toMatch(/First divergence at [\d.]+ms: extra signal #1/);
    expect(run.stdout).toMatch(/actual: +false at/);
    expect(run.stdout).toMatch(/count\.one-false-per-streak/);
  });
});

describe('implementations that break the protocol', () => {
  it('reports a line that is not part of the protocol as an error, with the stderr tail', async () => {
    const garbage = `node -e "console.error('about to misbehave'); console.log('start'); console.log('healthy: yes'); setTimeout(() => {}, 5000)"`;
    const run = await conformance('--exec', garbage, '--only', 'hang-times-out');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/! \[core\] hang-times-out \(error\)/);
    expect(run.stdout).toMatch(/printed "healthy: yes" on stdout, which protocol 2 does not allow/);
    expect(run.stdout).toMatch(/\| about to misbehave/);
  });

  it('reports an early exit as an error with the exit code and the stderr tail', async () => {
    const crash = `node -e "console.log('start'); console.error('panic: non-positive interval'); process.exit(3)"`;
    const run = await conformance('--exec', crash, '--only', 'hang-times-out');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/exited with code 3, \d+ ms after it was spawned/);
    expect(run.stdout).toMatch(/\| panic: non-positive interval/);
  });

  it('reports a command that cannot be found through the shell', async () => {
    const run = await conformance('--exec', 'probekit-no-such-command-xyz', '--only', 'hang-times-out');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/exited with code 127/);
    expect(run.stdout).toMatch(/probekit-no-such-command-xyz.*not found/);
  });

  it('times from the spawn when there is no start line, and says so', async () => {
    const result = await runProcessCase(fixture('hang-times-out'), {
      command: 'sleep 0.05; echo false; exec sleep 30',
    });
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/no "start" line: times are measured from the spawn/);
  });
});

describe('stopping an implementation', () => {
  it('leaves no process behind, even one that ignores SIGTERM and started children', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-process-'));
    const pids = join(dir, 'pids');
    // The shell ignores SIGTERM and starts a background child: only the group SIGKILL ends both.
    const stubborn = `trap '' TERM; sleep 30 & echo "$$ $!" > ${JSON.stringify(pids)}; echo start; wait`;
    const result = await runProcessCase(fixture('hang-times-out'), { command: stubborn, graceMs: 200 });
    expect(result.status).toBe('fail'); // it never probes
    const [shell, child] = (await readFile(pids, 'utf8')).trim().split(' ').map(Number) as [number, number];
    expect(running(shell)).toBe(false);
    expect(running(child)).toBe(false);
  });
});
