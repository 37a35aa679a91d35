import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainCommand } from '../../src/cli/commands/explain.js';
import { main } from '../../src/cli/main.js';
import type { Trace } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probekit-explain-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function explain(args: string[], env: NodeJS.ProcessEnv = {}) {
  const t = memoryIo(env);
  const code = await main(['explain', ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

const streaks = ['200, 503*3, 200', '--interval', '100ms', '--initial-delay', '30ms', '--timeout', '50ms'];

describe('probekit explain shows a simulated run of the reference checker', () => {
  it('prints the table by default, with the rule behind the false signal', async () => {
    const { code, stdout } = await explain([...streaks, '--until', '650ms']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^ *300 +#3 → 503 +2 +503 ≠ 200 → failure 2 of 2 → emit false, once\n +per streak$/m,
    );
    expect(stdout).toMatch(/^ *300 +signal +false +emit false; the consumer reads it at once$/m);
    expect(stdout).toMatch(/^ *500 +#5 → 200 +0 +200 = 200 → success → emit true, count 0$/m);
    expect(stdout).toMatch(/^ *650 +end /m);
  });

  it('draws the text timeline within 80 columns, showing the block when the consumer reads late', async () => {
    const { code, stdout } = await explain([
      ...streaks,
      '--read-delay',
      '550ms',
      '--until',
      '1s',
      '--format',
      'timeline',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(stdout).toContain('scale: 1 column = 20 ms');
    expect(stdout).toContain('blocked 300–550');
    expect(stdout).toContain('signals: true@100→read 550, false@300→read 550, true@600');
    expect(stdout).not.toContain('\u001b[');
  });

  it('prints the trace itself as JSON, with the options given and the defaults left out', async () => {
    const { stdout } = await explain([
      ...streaks,
      '--threshold',
      '3',
      '--until',
      '500ms',
      '--format',
      'json',
    ]);
    const trace = JSON.parse(stdout) as Trace;
    expect(trace.options).toEqual({
      intervalMs: 100,
      initialDelayMs: 30,
      requestTimeoutMs: 50,
      failureThreshold: 3,
    });
    expect(trace.probes.map((p) => p.start)).toEqual([100, 200, 300, 400, 500]);
    expect(trace.signals).toEqual([
      { at: 100, value: true },
      { at: 400, value: false },
      { at: 500, value: true },
    ]);
  });

  it("uses Dapr's defaults when no option is given: first probe at 5 s, run for 1 s + 10 intervals", async () => {
    const { stdout } = await explain(['200...', '--format', 'json']);
    const trace = JSON.parse(stdout) as Trace;
    expect(trace.durationMs).toBe(51_000);
    expect(trace.probes[0]?.start).toBe(5000);
    expect(trace.delayEnd).toBe(1000);
  });

  it('writes an SVG picture to --out and says so', async () => {
    const file = join(dir, 'timeline.svg');
    const { code, stdout } = await explain([
      'hang*2, 200...',
      '--interval',
      '100ms',
      '--timeout',
      '150ms',
      '--initial-delay',
      '250ms',
      '--until',
      '800ms',
      '--format',
      'svg',
      '--out',
      file,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote the svg of 6 probes and 5 signals to ${file}\n`);
    const svg = await readFile(file, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<title id="timeline-title">probekit explain &quot;hang*2, 200...&quot;</title>');
    expect(svg.match(/class="probe probe-timeout"/g)).toHaveLength(2);
    expect(svg.match(/class="tick tick-dropped"/g)).toHaveLength(2);
  });

  it('colours only on a colour terminal, never into a file', async () => {
    const t = memoryIo();
    const code = await main(['explain', ...streaks, '--until', '400ms', '--format', 'timeline'], {
      ...t.io,
      color: true,
    });
    expect(code).toBe(0);
    expect(t.stdout()).toContain('\u001b[31m');
    const file = join(dir, 'plain.txt');
    await main(['explain', ...streaks, '--until', '400ms', '--format', 'timeline', '--out', file], {
      ...memoryIo().io,
      color: true,
    });
    expect(await readFile(file, 'utf8')).not.toContain('\u001b[');
  });

  it('draws with 7-bit characters with --ascii, at the --width asked for', async () => {
    const { stdout } = await explain([
      ...streaks,
      '--until',
      '1s',
      '--format',
      'timeline',
      '--ascii',
      '--width',
      '60',
    ]);
    expect([...stdout].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(
      Math.max(
        ...stdout
          .trimEnd()
          .split('\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(60);
  });
});

describe('probekit explain --trace draws a run recorded elsewhere', () => {
  it('draws a saved trace exactly as it drew the simulation', async () => {
    const file = join(dir, 'trace.json');
    const args = [...streaks, '--read-delay', '550ms', '--until', '1s'];
    await explain([...args, '--format', 'json', '--out', file]);
    const simulatedTimeline = (await explain([...args, '--format', 'timeline'])).stdout;
    const { code, stdout } = await explain(['--trace', file, '--format', 'timeline']);
    expect(code).toBe(0);
    expect(stdout).toBe(simulatedTimeline);
  });

  it("draws another implementation's trace that has only probe starts and signals", async () => {
    const file = join(dir, 'external.json');
    const external: Trace = {
      source: 'exec: ./my-checker',
      durationMs: 300,
      probes: [
        { index: 0, start: 100 },
        { index: 1, start: 200 },
      ],
      signals: [{ at: 200, value: false }],
    };
    await writeFile(file, JSON.stringify(external));
    const { code, stdout } = await explain(['--trace', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^200 +signal +false +the consumer received false$/m);
  });

  it('refuses a script or checker flags next to --trace, and a file that is not a trace', async () => {
    const file = join(dir, 'not-a-trace.json');
    await writeFile(file, '{"probes": []}');
    const cases: Array<[string[], string]> = [
      [['200', '--trace', file], '--trace draws a recorded run, so "200" cannot apply'],
      [['--trace', file, '--interval', '1s'], 'so --interval cannot apply'],
      [['--trace', file], 'the trace is not a trace (it has no "signals" array)'],
      [['--trace', join(dir, 'nope.json')], 'Failed to read --trace'],
      [['--trace', join(dir, 'trace.txt')], 'Failed to read --trace'],
    ];
    await writeFile(join(dir, 'trace.txt'), 'not json');
    for (const [args, message] of cases) {
      const { code, stderr } = await explain(args);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });
});

describe('probekit explain documents every flag and rejects bad input with exit code 2', () => {
  it('documents every flag it accepts in --help', async () => {
    const { code, stdout } = await explain(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--interval',
      '--threshold',
      '--initial-delay',
      '--timeout',
      '--success-status',
      '--read-delay',
      '--until',
      '--format',
      '--out',
      '--width',
      '--ascii',
      '--trace',
      '--help',
    ]) {
      expect(stdout).toContain(flag);
    }
    for (const format of ['table', 'timeline', 'svg', 'json'])
      expect(stdout).toMatch(new RegExp(`^ +(--format <format> +)?${format} `, 'm'));
    expect(explainCommand.help).toBe(stdout.trimEnd());
  });

  it.each([
    [
      ['200', '--format', 'png'],
      'Failed to read --format "png": it is not a format. Use one of table, timeline, svg, json.',
    ],
    [['200', '--interval', '0'], 'Failed to read --interval "0": it is not above 0'],
    [['200', '--interval', 'fast'], '--interval'],
    [['200', '--threshold', 'two'], 'Failed to read --threshold "two": it is not a whole number'],
    [['200, bogus'], 'Failed to parse the endpoint script at column 6: unknown word "bogus"'],
    [['200', '--success-status', '700'], 'successStatusCode 700 is not an HTTP status code'],
    [['200', '--interval', '1ms', '--until', '1h'], 'that is over 100000 ticks'],
    [[], 'expected one script in quotes, got 0 arguments'],
    [['200', '--nope'], 'Failed to read --nope: "probekit explain" has no such flag.'],
    [['200', '--width', '0'], 'Failed to read --width "0": it is not positive'],
  ])('rejects %j', async (args, message) => {
    const { code, stderr, stdout } = await explain(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });

  it('reports an --out it cannot write', async () => {
    const { code, stderr } = await explain([
      '200',
      '--interval',
      '100ms',
      '--until',
      '200ms',
      '--out',
      join(dir, 'missing', 'x.txt'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /Failed to use --out ".*missing\/x\.txt": the folder ".*missing" does not exist\./,
    );
  });
});

describe('probekit explain --trace draws a real-time recording as clearly as a simulation', () => {
  /** Shaped like a probekit check --trace file: performance.now() times, jitter under 2 ms. */
  const recording: Trace = {
    source: 'probekit check http://127.0.0.1:40659/healthz',
    durationMs: 1027.2878569999998,
    delayEnd: 13.28476099999989,
    probes: [
      { index: 0, start: 100.9, end: 147.22912900000006, outcome: '200', success: true, failureCount: 0 },
      {
        index: 1,
        start: 201.60526099999993,
        end: 204.548984,
        outcome: '503',
        success: false,
        failureCount: 1,
      },
      { index: 2, start: 300.6, end: 312.19751799999995, outcome: '503', success: false, failureCount: 2 },
    ],
    signals: [
      { at: 147.62678099999994, value: true, emittedAt: 147.39340500000003 },
      { at: 312.2410090000001, value: false, emittedAt: 312.2276139999999 },
    ],
    ticks: { delivered: [100.19375100000002, 200.19375100000002, 300.193751], dropped: [] },
    options: {
      initialDelayMs: 0,
      intervalMs: 100,
      requestTimeoutMs: 2000,
      failureThreshold: 2,
      successStatusCode: 200,
    },
  };

  async function drawn(args: string[]) {
    const file = join(dir, `recording-${args.join('_').replace(/\W/g, '')}.json`);
    await writeFile(file, JSON.stringify(recording));
    return explain(['--trace', file, ...args]);
  }

  it('rounds to whole ms and draws sub-millisecond jitter as "at once" (regression: raw floats and "read later")', async () => {
    const { code, stdout } = await drawn([]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/\d\.\d/);
    expect(stdout).toMatch(/^ *100 +probe #1 +tick 100 → GET$/m);
    expect(stdout).toMatch(/^ *200 +probe #2 +tick 200 → GET$/m);
    expect(stdout).toMatch(/^ *147 +signal +true +emit true; the consumer reads it at once$/m);
    expect(stdout).not.toContain('waits (loop busy)');
    expect(stdout).toMatch(/^ *1027 +end +run ends at 1027 ms$/m);
  });

  it('lists every signal and the threshold from the options the trace keeps (regression: truncated list, no threshold)', async () => {
    const { stdout } = await drawn(['--format', 'timeline']);
    expect(stdout).toContain('signals: true@147, false@312\n');
    expect(stdout).toMatch(
      /^probekit check http:\/\/127\.0\.0\.1:40659\/healthz · interval 100 ms · threshold 2$/m,
    );
  });

  it('keeps the recorded gaps with --tolerance 0, still rounded', async () => {
    const { stdout } = await drawn(['--format', 'timeline', '--tolerance', '0']);
    expect(stdout).toContain('signals: true@147→read 148, false@312\n');
  });

  it('refuses --tolerance without --trace: a simulation has exact times', async () => {
    const { code, stderr } = await explain(['200', '--tolerance', '2ms']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'Failed to use --tolerance: it applies to a recorded trace, and there is no --trace.',
    );
  });
});

describe('probekit explain colours by no-color.org and FORCE_COLOR', () => {
  const timeline = [...streaks, '--until', '400ms', '--format', 'timeline'];
  async function painted(env: NodeJS.ProcessEnv, terminal: boolean, extra: string[] = []) {
    const t = memoryIo(env);
    const code = await main(['explain', ...timeline, ...extra], { ...t.io, color: terminal });
    expect(code).toBe(0);
    return t.stdout().includes('\u001b[');
  }

  it('keeps colour on a terminal when NO_COLOR is set but empty (regression: NO_COLOR= turned it off)', async () => {
    expect(await painted({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('drops colour with a non-empty NO_COLOR or with --no-color', async () => {
    expect(await painted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(await painted({}, true, ['--no-color'])).toBe(false);
  });

  it('colours a pipe with FORCE_COLOR=1, but never with --no-color (regression: FORCE_COLOR ignored)', async () => {
    expect(await painted({}, false)).toBe(false);
    expect(await painted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(await painted({ FORCE_COLOR: '1' }, false, ['--no-color'])).toBe(false);
  });
});

describe('probekit explain --format svg', () => {
  it('refuses to print an SVG to a terminal, and says to use --out or redirect', async () => {
    const t = memoryIo();
    Object.assign(t.io.stdout, { isTTY: true });
    const code = await main(['explain', ...streaks, '--format', 'svg'], t.io);
    expect(code).toBe(2);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('Failed to print --format svg: stdout is a terminal');
    expect(t.stderr()).toContain('Add --out <file.svg>, or redirect: > timeline.svg.');
  });

  it('prints it when stdout is not a terminal (a redirect)', async () => {
    const { code, stdout } = await explain([...streaks, '--until', '300ms', '--format', 'svg']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^<svg /);
  });
});

describe('probekit explain --help examples show what they say', () => {
  it('sets --initial-delay in every example with a short interval (regression: the 1 s default hid the run)', async () => {
    const { stdout } = await explain(['--help']);
    const examples = stdout.split('Examples:\n')[1]?.trim().split('\n') ?? [];
    expect(examples.length).toBeGreaterThan(1);
    for (const line of examples.filter((l) => l.includes('--interval 100ms'))) {
      expect(line).toContain('--initial-delay');
    }
  });

  it('runs the second example and shows probes within --until', async () => {
    const { stdout: help } = await explain(['--help']);
    const line = help.split('Examples:\n')[1]?.split('\n')[1] ?? '';
    const args = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(2) as string[];
    const { code, stdout } = await explain(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/probes [1-9]\d* \(/);
  });
});

describe('probekit explain stops on Ctrl-C / SIGTERM', () => {
  it('abandons a long simulation with exit code 130 and draws nothing (regression: it ignored SIGTERM until done)', async () => {
    const t = memoryIo();
    const running = main(
      ['explain', '200...', '--interval', '1ms', '--until', '5s', '--format', 'json'],
      t.io,
    );
    // One turn of the event loop: the simulation has started and is between its timers.
    await new Promise<void>((resolve) => setImmediate(resolve));
    t.interrupt();
    expect(await running).toBe(130);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toBe('probekit: explain interrupted; nothing was drawn.\n');
  });
});
