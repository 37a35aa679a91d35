import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/conformance/common/report.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { memoryIo } from '../support/cli-io.js';

// Real processes in real time on 127.0.0.1: short cases (350 ms of scenario each) at time
// scale 3, so that a tolerance of 140 ms absorbs a loaded machine's stalls and is still under
// half the 300 ms interval. The flaky adapter fails on the runs FLAKY_FAIL_RUNS lists (default:
// the odd ones) by printing a stray "false" after "start": a failure that does not depend on
// timing.
const root = fileURLToPath(new URL('../..', import.meta.url));
const flakyPath = join(root, 'test/conformance/adapters/flaky-odd-runs.mjs');
const flaky = `node ${JSON.stringify(flakyPath)}`;
const A = 'delay-0-first-tick';
const B = 'first-probe-at-first-tick';
const SLOW = ['--time-scale', '3', '--tolerance', '140ms'];

let dir = '';
let counter = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probekit-runner-'));
  counter = join(dir, 'runs');
});

async function conformance(env: Record<string, string>, ...args: string[]) {
  const t = memoryIo({ ...process.env, FLAKY_COUNTER_FILE: counter, ...env });
  const code = await main(['conformance', 'checker', ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

const runsMade = async () => Number(await readFile(counter, 'utf8').catch(() => '0'));

describe('probekit conformance checker --repeat', () => {
  it('classifies a case that fails on odd runs as flaky, with its pass rate and spread, and exits 1', async () => {
    const run = await conformance(
      {},
      ...['--exec', flaky, '--only', B, '--repeat', '4', ...SLOW, '--reporter', 'json'],
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report).toMatchObject({ passed: 0, failed: 1, flaky: 1 });
    const [result] = report.results;
    expect(result?.repeat).toMatchObject({ runs: 4, passes: 2, classification: 'flaky' });
    expect(result?.repeat?.results.map((r) => r.status)).toEqual(['fail', 'pass', 'fail', 'pass']);
    expect(result?.repeat?.spread.reduce((sum, s) => sum + s.count, 0)).toBe(2);
    expect(result?.message?.split('\n')[0]).toBe('flaky: failed 2 of 4 runs');
    expect(await runsMade()).toBe(4);
  }, 30_000);

  it('runs in rounds (every case, then every case again), so run parity splits the two cases', async () => {
    const run = await conformance(
      { FLAKY_FAIL_RUNS: '1,3' },
      ...['--exec', flaky, '--only', `${A},${B}`, '--repeat', '2', ...SLOW],
    );
    expect(run.code).toBe(1);
    const runLines = run.stdout.split('\n').filter((line) => /^\[\d\/2\] /.test(line));
    const [first, second] = runLines.slice(0, 2).map((line) => (line.includes(A) ? A : B));
    expect(runLines.map((line) => line.replace(/ [\d.]+ m?s$/, ''))).toEqual([
      `[1/2] ✗ [timing] ${first}`,
      `[1/2] ✓ [timing] ${second}`,
      `[2/2] ✗ [timing] ${first}`,
      `[2/2] ✓ [timing] ${second}`,
    ]);
    expect(run.stdout).toMatch(
      new RegExp(`^✗ \\[timing\\] ${first} \\(failed every run, 0/2 runs passed\\)`, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^✓ \\[timing\\] ${second} \\(2/2 runs passed\\)`, 'm'));
    expect(run.stdout).toMatch(/^timing 1\/2$/m);
    // The rerun line names only the failing case and every flag that shaped the run.
    expect(run.stdout).toContain(
      `Rerun the failing cases:\n  probekit conformance checker --exec 'node "${flakyPath}"' --only ${first} --time-scale 3 --tolerance 140ms --repeat 2\n`,
    );
  }, 30_000);
});

describe('probekit conformance checker --repeat, interrupted', () => {
  // Regression: interrupted after a round, every case had a result, and a run of passes exited 0.
  it('exits 1 when interrupted between rounds, even though every case ran and passed so far', async () => {
    const t = memoryIo({ ...process.env, FLAKY_COUNTER_FILE: counter, FLAKY_FAIL_RUNS: '0' });
    Object.assign(t.io.stderr, { isTTY: true });
    // The progress counter moving to 1/3 is the first run done: interrupt then, as Ctrl-C would.
    t.io.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('[1/3,')) t.interrupt();
    });
    const code = await main(
      ['conformance', 'checker', '--exec', flaky, '--only', B, '--repeat', '3', ...SLOW],
      t.io,
    );
    expect(code).toBe(1);
    expect(await runsMade()).toBe(1);
    expect(t.stdout()).toMatch(new RegExp(`^✓ \\[timing\\] ${B} \\(1/1 runs passed\\)`, 'm'));
  }, 30_000);
});

describe('probekit conformance checker --expect-fail', () => {
  it('reports a listed case that fails as an expected failure and exits 0', async () => {
    const file = join(dir, 'known-failures.txt');
    await writeFile(file, `# known to fail\n\n${B}   prints a stray false (issue 7)\n`);
    const run = await conformance(
      { FLAKY_FAIL_RUNS: '1' },
      ...['--exec', flaky, '--only', B, ...SLOW, '--expect-fail', file],
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^x \\[timing\\] ${B} \\(expected failure: prints a stray false \\(issue 7\\)\\)`, 'm'),
    );
    expect(run.stdout).toContain('0 passed, 0 failed, 0 errors, 1 expected failure');
    expect(run.stdout).not.toContain('Rerun the failing cases');
  }, 30_000);

  it('fails the run when a listed case passes, saying to remove it from the file', async () => {
    const file = join(dir, 'known-failures.txt');
    await writeFile(file, 'hang-times-out  no request timeout yet\n');
    const run = await conformance({}, '--only', 'hang-times-out', '--expect-fail', file, '--reporter', 'tap');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('not ok 1 - [core] hang-times-out\n');
    expect(run.stdout).toContain(
      `message: "expected to fail but passed: remove it from ${file} (it said: \\"no request timeout yet\\")"`,
    );
    // Machine reporters keep stdout clean: the rerun line goes to stderr.
    expect(run.stderr).toContain(`probekit conformance checker --only hang-times-out --expect-fail ${file}`);
  });

  it.each([
    [
      'unknown ids',
      'hang-times-out  fine\nno-such-case  typo\nnor-this  x\n',
      /no scenario is called "no-such-case", "nor-this"/,
    ],
    ['a line without a reason', 'hang-times-out\n', /line 1 \("hang-times-out"\) has no reason/],
    [
      'an id listed twice',
      'hang-times-out  a\nhang-times-out  b\n',
      /line 2 lists "hang-times-out" a second time/,
    ],
  ])('rejects a file with %s, with exit code 2 and a message naming them', async (_what, text, message) => {
    const file = join(dir, 'known-failures.txt');
    await writeFile(file, text);
    const run = await conformance({}, '--expect-fail', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^probekit: Failed to read/);
    expect(run.stderr).toMatch(message);
  });

  it('rejects a file that cannot be read (exit 2)', async () => {
    const run = await conformance({}, '--expect-fail', join(dir, 'missing.txt'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Failed to read --expect-fail ".*missing\.txt": ENOENT/);
  });
});

describe('probekit conformance checker --exec with a virtual-time-only scenario', () => {
  it('skips it with its reason, in every reporter, without running the command for it', async () => {
    const fixtures = join(dir, 'fixtures');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(fixtures);
    for (const { scenario } of loadScenarios()) {
      if (scenario.id === A) {
        await writeFile(
          join(fixtures, `${A}.json`),
          JSON.stringify({ ...scenario, virtualOnly: 'a tick and a read tie' }),
        );
      }
      if (scenario.id === B) await writeFile(join(fixtures, `${B}.json`), JSON.stringify(scenario));
    }
    const base = ['--exec', flaky, '--fixtures', fixtures, ...SLOW];
    const human = await conformance({ FLAKY_FAIL_RUNS: '0' }, ...base);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('2 scenarios, real time');
    expect(human.stdout).toContain('1 skipped (virtual time only)');
    expect(human.stdout).toMatch(new RegExp(`^- \\[timing\\] ${A} \\(skipped\\)$`, 'm'));
    expect(human.stdout).toContain(
      `Skipped\n  virtual time only: a tick and a read tie\n    [timing] ${A}\n`,
    );
    expect(human.stdout).toContain('1 passed, 0 failed, 0 errors, 1 skipped');
    expect(await runsMade()).toBe(1);
    const tap = await conformance({ FLAKY_FAIL_RUNS: '0' }, ...base, '--reporter', 'tap');
    expect(tap.stdout).toMatch(
      new RegExp(`^ok \\d - \\[timing\\] ${A} # SKIP virtual time only: a tick and a read tie$`, 'm'),
    );
    const junit = await conformance({ FLAKY_FAIL_RUNS: '0' }, ...base, '--reporter', 'junit');
    expect(junit.stdout).toMatch(/<testsuites [^>]*tests="2" failures="0" errors="0" skipped="1"/);
    expect(junit.stdout).toContain('<skipped message="virtual time only: a tick and a read tie"/>');
  }, 30_000);
});

describe('probekit conformance checker --exec output for people', () => {
  it('warns when the tolerance is at least half the scaled interval', async () => {
    const run = await conformance(
      { FLAKY_FAIL_RUNS: '0' },
      ...['--exec', flaky, '--only', B, '--time-scale', '0.5', '--tolerance', '25ms', '--reporter', 'json'],
    );
    expect(run.stderr).toContain(
      'warning: the tolerance (25 ms) is at least half the scaled interval (50 ms) in every scenario, so the comparison cannot tell a tick from the next. Raise --time-scale or lower --tolerance.',
    );
    expect(JSON.parse(run.stdout)).toHaveProperty('results');
  }, 30_000);

  it('shows n/N and the time left on a terminal stderr, and clears it', async () => {
    const t = memoryIo({ ...process.env, FLAKY_COUNTER_FILE: counter, FLAKY_FAIL_RUNS: '0' });
    Object.assign(t.io.stderr, { isTTY: true });
    const code = await main(
      ['conformance', 'checker', '--exec', flaky, '--only', `${A},${B}`, ...SLOW],
      t.io,
    );
    expect(code).toBe(0);
    const stderr = t.stderr();
    expect(stderr.endsWith('\r\u001b[K')).toBe(true);
    const frames = stderr.split('\r\u001b[K').filter(Boolean);
    // Before any run, only the scenarios' durations count (2 × 350 ms × 3); after one, the
    // overhead learnt from it too.
    expect(frames[0]).toBe('[0/2, about 3 s left]');
    expect(frames[1]).toMatch(/^\[1\/2, about \d+ s left\]$/);
    expect(frames).toHaveLength(2);
  }, 30_000);

  it('writes nothing on stderr when it is no terminal and the tolerance is under half the interval', async () => {
    const run = await conformance({ FLAKY_FAIL_RUNS: '0' }, '--exec', flaky, '--only', B, ...SLOW);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  }, 30_000);
});

describe('probekit conformance checker --repeat arguments', () => {
  it.each([
    [['--repeat', '3'], /--repeat applies only with --exec/],
    [['--exec', 'true', '--repeat', '0'], /--repeat "0": .*not a whole number from 1 to 1000/],
    [['--exec', 'true', '--repeat', 'two'], /--repeat "two": it is not a whole number/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const run = await conformance({}, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('documents --repeat and --expect-fail in --help', async () => {
    const run = await conformance({}, '--help');
    expect(run.stdout).toMatch(/--repeat <n> +--exec only: run every case n times, in rounds/);
    expect(run.stdout).toMatch(/--expect-fail <file> +cases known to fail, one a line: "id {2}reason"/);
  });
});
