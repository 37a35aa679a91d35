import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSimulateArgs } from '../../src/cli/commands/simulate.js';
import { main } from '../../src/cli/main.js';
import { ProbekitError } from '../../src/errors.js';
import { type FleetSummary, simulateFleet } from '../../src/scenario/fleet.js';
import { memoryIo } from '../support/cli-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probekit-simulate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function simulate(args: string[]) {
  const t = memoryIo();
  const code = await main(['simulate', ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

const fast = ['--interval', '100ms', '--initial-delay', '0', '--timeout', '50ms'];

type JsonSummary = FleetSummary & { run: { wallMs: number; cpuMs: number; probesPerSecond: number } };

describe('probekit simulate runs a fleet in virtual time and summarises it', () => {
  it('prints the JSON summary simulateFleet gives for the same fleet, plus the wall time', async () => {
    const script = '(200@4 | 503@1 | hang@1)...';
    const { code, stdout, stderr } = await simulate([
      script,
      '--endpoints',
      '12',
      '--for',
      '30s',
      ...fast,
      '--threshold',
      '1',
      '--seed',
      '5',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('simulating 12 endpoints for 30s: at most 3,600 probes (one per tick)\n');
    const { run, ...summary } = JSON.parse(stdout) as JsonSummary;
    const expected = await simulateFleet({
      script,
      endpoints: 12,
      durationMs: 30_000,
      seed: 5,
      options: { intervalMs: 100, initialDelayMs: 0, requestTimeoutMs: 50, failureThreshold: 1 },
    });
    expect(summary).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(summary.endpoints.map((e) => e.seed)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(run.wallMs).toBeGreaterThanOrEqual(0);
    expect(run.probesPerSecond).toBeGreaterThanOrEqual(0);
    expect(run.cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('prints totals, percentiles and every endpoint of a small fleet, worst first', async () => {
    const scriptsPath = join(dir, 'three.txt');
    await writeFile(scriptsPath, '# a fleet of three\n200...\n\n503...\n200, 503*2, 200...\n');
    const { code, stdout } = await simulate(['--scripts', scriptsPath, '--for', '1s', ...fast]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '3 endpoints × 1s of virtual time (interval 100ms, initial delay 0ms, timeout 50ms, threshold 2, success 200)',
    );
    // 10 probes each; false signals: 0, 1 (at 200), 1 (at 300): p50 1, max 1.
    expect(stdout).toMatch(/^probes +30 +10 +10 +10 +10 +10$/m);
    expect(stdout).toMatch(/^false signals +2 +0 +1 +1 +1 +1$/m);
    expect(stdout).toMatch(/^time unhealthy +900ms +0ms +100ms +800ms +800ms +800ms$/m);
    expect(stdout).toContain('ever unhealthy: 2 of 3 endpoints; unhealthy at the end: 1');
    expect(stdout).toMatch(
      /^30 probes in \d+\.\d\d s of wall time, \d+\.\d\d s of CPU \([\d,]+ probes\/s\)$/m,
    );
    expect(stdout).toContain('endpoints, longest unhealthy first:');
    const rows = stdout.split('\n').filter((line) => line.startsWith('#'));
    expect(rows.map((row) => row.split(/ +/).slice(0, 8))).toEqual([
      ['#1', '1', '10', '10', '0', '1', '0', '800ms'],
      ['#2', '2', '10', '2', '8', '1', '1', '100ms'],
      ['#0', '0', '10', '0', '10', '0', '0', '0ms'],
    ]);
  });

  it('lists only the worst --top endpoints of a large fleet', async () => {
    const { code, stdout } = await simulate([
      '(200@9 | 503@1)...',
      '--endpoints',
      '40',
      '--for',
      '10s',
      ...fast,
      '--top',
      '3',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('the 3 endpoints unhealthy longest (of 40):');
    expect(stdout.split('\n').filter((line) => line.startsWith('#'))).toHaveLength(3);
  });

  it('reads --scripts as a JSON array of strings', async () => {
    const scriptsPath = join(dir, 'two.json');
    await writeFile(scriptsPath, JSON.stringify(['200...', '503...']));
    const { code, stdout } = await simulate([
      '--scripts',
      scriptsPath,
      '--for',
      '1s',
      ...fast,
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as FleetSummary;
    expect(summary.endpoints.map((e) => [e.script, e.falseSignals])).toEqual([
      ['200...', 0],
      ['503...', 1],
    ]);
  });

  it('defaults to one endpoint for an hour', async () => {
    const { code, stdout, stderr } = await simulate(['200...', '--interval', '1s', '--format', 'json']);
    expect(code).toBe(0);
    expect(stderr).toContain('1 endpoint for 1h: at most 3,600 probes');
    expect((JSON.parse(stdout) as FleetSummary).durationMs).toBe(3_600_000);
  });
});

describe('probekit simulate shows its progress on a terminal only', () => {
  it('counts endpoints by whole percents on a terminal stderr, then clears the line', async () => {
    const t = memoryIo();
    Object.assign(t.io.stderr, { isTTY: true });
    const code = await main(['simulate', '200...', '--endpoints', '250', '--for', '1s', ...fast], t.io);
    expect(code).toBe(0);
    const lines = t.stderr().split('\r').slice(1);
    // 250 endpoints: every 3rd (ceil(250 / 100)), and the last.
    expect(lines[0]).toBe('simulated 3 of 250 endpoints');
    expect(lines.at(-2)).toBe('simulated 250 of 250 endpoints');
    expect(lines.at(-1)).toBe('\u001b[K');
    expect(lines).toHaveLength(83 + 1 + 1);
  });

  it('prints no progress when stderr is not a terminal', async () => {
    const { stderr } = await simulate(['200...', '--endpoints', '250', '--for', '1s', ...fast]);
    expect(stderr).toBe('simulating 250 endpoints for 1s: at most 2,500 probes (one per tick)\n');
  });
});

describe('probekit simulate --help shows examples that run', () => {
  it('runs the second example, a deterministic outage, and finds its one false', async () => {
    const { stdout: help } = await simulate(['--help']);
    const line = help.split('Examples:\n')[1]?.split('\n')[1] ?? '';
    const args = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(2) as string[];
    expect(args[0]).toBe('200*100, 503*5, 200...');
    const { code, stdout } = await simulate([...args, '--format', 'json']);
    expect(code).toBe(0);
    // 600 probes; with threshold 3 the 5 failures (probes 101-105) emit false at 103 s, true at 106 s.
    expect((JSON.parse(stdout) as FleetSummary).endpoints[0]).toMatchObject({
      probes: 600,
      falseSignals: 1,
      firstFalseAt: 103_000,
      unhealthyMs: 3000,
    });
  });
});

describe('probekit simulate refuses bad input with exit code 2 before it runs', () => {
  const refused = async (args: string[], message: RegExp | string) => {
    const { code, stdout, stderr } = await simulate(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^probekit: Failed to /);
    if (typeof message === 'string') expect(stderr).toContain(message);
    else expect(stderr).toMatch(message);
  };

  it('needs one script, or --scripts', async () => {
    await refused([], 'expected one script in quotes (or --scripts <file>), got 0 arguments');
    await refused(['200', '503'], 'got 2 arguments');
  });

  it('refuses a script that does not parse, naming the column', async () => {
    await refused(['200, 5o3', '--endpoints', '3'], /at column 6.*the script of endpoint 0: "200, 5o3"/);
  });

  it('refuses --endpoints outside 1…100000', async () => {
    await refused(['200', '--endpoints', '0'], 'Failed to read --endpoints "0": it is not from 1 to 100000');
    await refused(['200', '--endpoints', '100001'], 'it is not from 1 to 100000');
  });

  it('refuses a run too large, naming its size', async () => {
    await refused(
      ['200', '--endpoints', '100000', '--for', '1h', '--interval', '1s'],
      '100000 endpoints × 3600 ticks is 360000000 ticks, over 100000000',
    );
    await refused(['200', '--for', '1h', '--interval', '1ms'], '3600000 ticks per endpoint, over 1000000');
  });

  it('refuses times that are not whole milliseconds', async () => {
    await refused(
      ['200', '--interval', '1.5'],
      'Failed to read --interval "1.5": it is 1.5 ms, not a whole number of ms',
    );
  });

  it('refuses --interval 0, --format it does not have, and a seed out of range', async () => {
    await refused(['200', '--interval', '0'], 'it is not above 0');
    await refused(
      ['200', '--format', 'svg'],
      'Failed to read --format "svg": it is not a format. Use one of table, json',
    );
    await refused(['200', '--seed', '4294967296'], 'Failed to read --seed "4294967296"');
  });

  it('refuses --scripts with a script or --endpoints, a missing file, and JSON that is not strings', async () => {
    const path = join(dir, 'numbers.json');
    await writeFile(path, '[1, 2]');
    await refused(['200', '--scripts', path], '--scripts gives one script per endpoint');
    await refused(['--scripts', path, '--endpoints', '2'], '--scripts gives one script per endpoint');
    await refused(['--scripts', join(dir, 'nope.txt')], /Failed to read --scripts ".*nope\.txt": ENOENT/);
    await refused(['--scripts', path], 'it is JSON but not an array of strings');
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '# nothing\n\n');
    await refused(['--scripts', empty], 'it has 0 scripts');
  });
});

describe('probekit simulate stops on Ctrl-C / SIGTERM', () => {
  it('abandons the run with exit code 130 and summarises nothing', async () => {
    const t = memoryIo();
    const running = main(
      ['simulate', '200...', '--endpoints', '1000', '--for', '1h', '--interval', '1s', '--format', 'json'],
      t.io,
    );
    // One turn of the event loop: the run has started and is between two slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
    t.interrupt();
    expect(await running).toBe(130);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toMatch(
      /^simulating 1,000 endpoints for 1h: at most 3,600,000 probes \(one per tick\)\nprobekit: simulate interrupted after \d+ of 1000 endpoints; nothing was summarised\.\n$/,
    );
  });
});

describe('probekit simulate reads any command line or refuses it with a usage error', () => {
  const flags = [
    'endpoints',
    'scripts',
    'for',
    'interval',
    'initial-delay',
    'timeout',
    'threshold',
    'success-status',
    'seed',
    'format',
    'top',
  ];
  const values = [
    ...['0', '1', '5', '1.5', '.5', '5s', '150ms', '1h', '596h', '597h', '1e3', 'NaN', '-1', '-5s', ''],
    ...['100000', '100001', '4294967295', '4294967296', '99999999999999999999', 'table', 'json', 'svg'],
    ...['200', '200, 503*3, 200...', '(200@9 | 503@1)...', '200, 5o3', 'pass', '__proto__', '.'],
  ];
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...flags).map((name) => `--${name}`) },
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...flags), fc.constantFrom(...values))
        .map(([name, value]) => `--${name}=${value}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('-x', '--', '--endpoint', '--scrips', '--toString') },
  );

  it('never throws anything but ERR_PROBEKIT_USAGE, a "Failed to" line, and reaches both sides', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 8 }), async (argv) => {
        try {
          const { plan } = await readSimulateArgs(argv);
          expect(plan.totalTicks).toBeLessThanOrEqual(100_000_000);
          accepted++;
        } catch (error) {
          if (!(error instanceof ProbekitError)) throw error;
          expect(error.code).toBe('ERR_PROBEKIT_USAGE');
          expect(error.message).toMatch(/^Failed to [^\n]*$/);
          refused++;
        }
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
