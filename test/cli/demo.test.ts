import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Trace } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes is the point
const ESC = /\u001b\[/;

async function demo(
  args: string[],
  { color = false, env = {} }: { color?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  const t = memoryIo(env);
  const code = await main(['demo', ...args], { ...t.io, color });
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

async function explainTrace(file: string) {
  const t = memoryIo();
  const code = await main(['explain', '--trace', file, '--format', 'timeline'], t.io);
  return { code, stdout: t.stdout() };
}

/** The text between the heading of act `n` and the next heading (or the end). */
function act(stdout: string, n: number): string {
  const start = stdout.indexOf(`── ${n}/3 · `);
  expect(start, `act ${n} is missing`).toBeGreaterThan(-1);
  const next = stdout.indexOf('\n── ', start + 1);
  return stdout.slice(start, next === -1 ? undefined : next);
}

function widest(text: string): number {
  return Math.max(...text.split('\n').map((line) => [...line].length));
}

/** Indices of `needles` in `text`, each searched after the previous one (-1 once one is missing). */
function positions(text: string, needles: RegExp[]): number[] {
  let from = 0;
  return needles.map((needle) => {
    if (from === -1) return -1;
    const match = needle.exec(text.slice(from));
    from = match ? from + match.index + match[0].length : -1;
    return from;
  });
}

describe('probekit demo --fast runs the three acts on 127.0.0.1 and ends by itself', () => {
  let run: Awaited<ReturnType<typeof demo>>;
  beforeAll(async () => {
    run = await demo(['--fast']);
  }, 30_000);

  it('exits 0 without writing to stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('keeps every line within 80 columns and writes no ANSI escapes when colour is off', () => {
    expect(widest(run.stdout)).toBeLessThanOrEqual(80);
    expect(run.stdout).not.toMatch(ESC);
  });

  it('prints the three acts in order, then says everything was stopped', () => {
    const order = positions(run.stdout, [
      /── 1\/3 · A flaky endpoint, probed live ─+\n/,
      /── 2\/3 · A healthz server flips readiness ─+\n/,
      /── 3\/3 · The conformance suite against the built-in reference ─+\n/,
      /── done in \d+\.\d s · every server closed, every checker stopped ─+\n/,
    ]);
    expect(order.every((p) => p > 0)).toBe(true);
  });

  it('shows the checker emitting true and false live against the flaky endpoint, then its timeline', () => {
    const text = act(run.stdout, 1);
    expect(text).toContain('script   200*2, 503, 200, 503*2, hang, 200...');
    expect(text).toMatch(/^ +\d+ {2}#\d +true +200 = 200 → success → emit true, count 0$/m);
    expect(text).toMatch(/^ +\d+ {2}#\d +false +.+ → failure 2 of 2 → emit false, once per streak$/m);
    // The script, request by request: the client gives up on the hang (✕), and on a busy
    // machine maybe on a slow 200 too.
    expect(text).toMatch(/endpoint answered 9 requests: 200✕? 200✕? 503 200✕? 503 503 hang✕ 200✕? 200✕? /);
    expect(text).toMatch(/^probes 9 \(/m);
    expect(text).toMatch(/^signals: true@\d+/m);
  });

  it('shows the checker noticing each readiness flip of the healthz server, in order', () => {
    const text = act(run.stdout, 2);
    const order = positions(text, [
      /⇒ checker says false: never ready yet \(2 failures in a row\)/,
      /^ +\d+ {2}ready\(\) +→ \/healthz answers 200 from now on$/m,
      /⇒ checker says true, \d+ ms after ready\(\)/,
      /^ +\d+ {2}notReady\(\) → \/healthz answers 503 from now on$/m,
      /⇒ checker says false, \d+ ms after notReady\(\): 2 failures in a row/,
      /^ +\d+ {2}ready\(\) +→ \/healthz answers 200 from now on$/m,
      /⇒ checker says true, \d+ ms after ready\(\)/,
      /log: Healthz server is shutting down/,
    ]);
    expect(
      order.every((p) => p > 0),
      text,
    ).toBe(true);
  });

  it('prints the conformance summary per level with every case passed', () => {
    const text = act(run.stdout, 3);
    for (const level of ['core', 'timing', 'backpressure']) {
      expect(text).toMatch(new RegExp(`^  ${level} +(\\d+) +\\1 +0 +0$`, 'm'));
    }
    expect(text).toMatch(/^ {2}all \d+ passed in \d+\.\d\d s$/m);
  });
});

describe('probekit demo colours its output only on a colour terminal', () => {
  it('paints signals and headings when the terminal takes colour', async () => {
    const { code, stdout } = await demo(['--act', '3'], { color: true });
    expect(code).toBe(0);
    expect(stdout).toContain('\u001b[1m── 3/3 · ');
    expect(stdout).toContain('\u001b[32m  all ');
  });

  it('writes plain text with --no-color, even on a colour terminal', async () => {
    const { stdout } = await demo(['--act', '3', '--no-color'], { color: true });
    expect(stdout).not.toMatch(ESC);
  });

  it('writes plain text when NO_COLOR is set, even on a colour terminal', async () => {
    const { stdout } = await demo(['--act', '3'], { color: true, env: { NO_COLOR: '1' } });
    expect(stdout).not.toMatch(ESC);
  });
});

describe('probekit demo --act runs one act, and --trace keeps its trace', () => {
  it('runs only the readiness act with --act 2', async () => {
    const { code, stdout } = await demo(['--fast', '--act', '2']);
    expect(code).toBe(0);
    expect(stdout).toContain('── 2/3 · ');
    expect(stdout).not.toContain('── 1/3 · ');
    expect(stdout).not.toContain('── 3/3 · ');
  });

  it('writes the trace act 1 recorded with --trace, for probekit explain to draw again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-demo-'));
    try {
      const file = join(dir, 'trace.json');
      const { code } = await demo(['--fast', '--act', '1', '--trace', file]);
      expect(code).toBe(0);
      const trace = JSON.parse(await readFile(file, 'utf8')) as Trace;
      expect(trace.probes).toHaveLength(9);
      expect(trace.probes[6]?.outcome).toBe('timeout');
      expect(trace.options).toEqual({
        intervalMs: 100,
        initialDelayMs: 30,
        requestTimeoutMs: 50,
        failureThreshold: 2,
      });
      const drawn = await explainTrace(file);
      expect(drawn.code).toBe(0);
      expect(drawn.stdout).toMatch(/^probes 9 \(/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an act that does not exist with a usage error naming the flag', async () => {
    const { code, stderr } = await demo(['--act', '4']);
    expect(code).toBe(2);
    expect(stderr).toContain('Failed to read --act "4": there is no act 4. Use 1, 2 or 3');
  });

  it('documents every option in --help', async () => {
    const { code, stdout } = await demo(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--fast', '--act <n>', '--trace <file>', '--no-color', 'NO_COLOR', 'Ctrl-C'])
      expect(stdout).toContain(flag);
  });
});

describe('probekit demo stops everything on Ctrl-C', () => {
  it('resolves with 130 and says so, soon after the interrupt, from the middle of act 1', async () => {
    const t = memoryIo();
    const running = main(['demo', '--fast'], t.io);
    // Interrupt once the first probe has been printed: the checker and the server are running.
    await new Promise<void>((resolve) => {
      t.io.stdout.on('data', () => {
        if (/#1 /.test(t.stdout())) resolve();
      });
    });
    t.interrupt();
    expect(await running).toBe(130);
    expect(t.stdout()).toMatch(/Interrupted: every server closed, every checker stopped\.\n$/);
    expect(t.stdout()).not.toContain('── 2/3');
  });
});

describe('npm start (node bin/probekit.js demo) end to end', () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  function start(args: string[]) {
    expect(existsSync(`${root}dist/cli/main.js`), 'dist/ is missing: run "npm run build" first').toBe(true);
    const proc = spawn(process.execPath, ['bin/probekit.js', 'demo', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return { proc, out: () => stdout, err: () => stderr, exited: once(proc, 'exit') };
  }

  it('runs the whole demo and exits 0 by itself, plain and within 80 columns', async () => {
    const { out, err, exited } = start(['--fast']);
    const [code, signal] = await exited;
    expect(err()).toBe('');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out()).not.toMatch(ESC);
    expect(widest(out())).toBeLessThanOrEqual(80);
    expect(out()).toMatch(/── done in \d+\.\d s · every server closed, every checker stopped/);
  }, 30_000);

  it('exits 130 by itself on SIGINT, leaving nothing running', async () => {
    const { proc, out, exited } = start(['--fast']);
    await new Promise<void>((resolve) => {
      proc.stdout?.on('data', () => {
        if (/#1 /.test(out())) resolve();
      });
    });
    proc.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    expect(out()).toContain('Interrupted: every server closed, every checker stopped.');
  }, 30_000);
});
