import { mkdtemp, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTPUT_LIMITS,
  protocolLineTimer,
  runProcessCase,
  spawnImplementation,
} from '../../src/conformance/checker/process/index.js';
import { openProcessSession } from '../../src/conformance/healthz/process-session.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import type { Scenario } from '../../src/scenario/types.js';
import { systemClock } from '../../src/time/clock.js';
import { monotonicToClock } from '../../src/time/monotonic.js';
import { running } from '../support/processes.js';

// Real processes on 127.0.0.1, judged by order and by the values they print, never by how long
// anything took. Each process is bounded: a cap ends it, or the test stops it.
const root = fileURLToPath(new URL('../..', import.meta.url));
const node = JSON.stringify(process.execPath);
const stamped = (mode: string) =>
  `${node} ${JSON.stringify(join(root, 'test/conformance/adapters/stamped.mjs'))} ${mode}`;
const flooding = (mode: string) =>
  `${node} ${JSON.stringify(join(root, 'test/conformance/adapters/flooding-server.mjs'))} ${mode}`;
const fixtures = new Map(loadScenarios().map(({ scenario }) => [scenario.id, scenario]));
const fixture = (id: string) => fixtures.get(id) as Scenario;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('protocol 2: a line is timed by the monotonic timestamp it carries', () => {
  it('times a stamped line at its stamp, 30 ms before a bare line that left in the same write', async () => {
    const child = spawnImplementation(stamped('stale'), {
      env: process.env,
      clock: systemClock,
      timeLine: protocolLineTimer(systemClock),
    });
    const lines: Array<{ line: string; at: number }> = [];
    await new Promise<void>((resolve) =>
      child.onLine((line, at) => {
        if (lines.push({ line, at }) === 3) resolve();
      }),
    );
    await child.stop(1000);
    const [start, comment, bare] = lines as [(typeof lines)[0], (typeof lines)[0], (typeof lines)[0]];
    const toClock = monotonicToClock(systemClock);
    const t0 = BigInt(start.line.split(' ')[1] as string);
    const t1 = BigInt(comment.line.split(' ')[2] as string);
    // The stamp itself, on probekit's axis: exactly what the child printed.
    expect(start.at).toBe(toClock(t0));
    // The bare line is timed on arrival, after the child's 30 ms wait; a start timed on arrival
    // (protocol 1) would be at the same instant as it.
    expect(t1 - t0).toBeGreaterThanOrEqual(30_000_000n);
    expect(bare.line).toBe('false');
    expect(bare.at).toBeGreaterThanOrEqual(toClock(t1));
    expect(bare.at - start.at).toBeGreaterThanOrEqual(30);
  });

  it('puts the stamped times into the observed trace, measured from the stamped start', async () => {
    const result = await runProcessCase(fixture('hang-times-out'), { command: stamped('trace') });
    // It never probes, so the case fails; its signal is where the stamps put it: 20 ms after
    // start, although both lines arrived together 30 ms after start.
    expect(result.status).toBe('fail');
    expect(result.actual?.signals.map((s) => s.value)).toEqual([false]);
    expect(result.actual?.signals[0]?.at).toBeCloseTo(20, 3);
  });

  it('keeps protocol 1 working: bare lines are timed on arrival', async () => {
    const child = spawnImplementation('echo start; echo true; exec sleep 30', {
      env: process.env,
      clock: systemClock,
      timeLine: protocolLineTimer(systemClock),
    });
    const lines: Array<{ line: string; at: number }> = [];
    const two = new Promise<void>((resolve) =>
      child.onLine((line, at) => {
        lines.push({ line, at });
        if (lines.length === 2) resolve();
      }),
    );
    const problems: string[] = [];
    child.onProblem((reason) => problems.push(reason));
    await two;
    const after = systemClock.now;
    await child.stop(1000);
    expect(lines.map((l) => l.line)).toEqual(['start', 'true']);
    for (const { at } of lines) {
      expect(at).toBeGreaterThanOrEqual(child.spawnedAt);
      expect(at).toBeLessThanOrEqual(after);
    }
    expect(problems).toEqual([]);
  });

  it('makes a wall-clock (CLOCK_REALTIME) stamp a protocol error naming the line and the clock', async () => {
    const result = await runProcessCase(fixture('hang-times-out'), { command: stamped('wall') });
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/it printed "start \d+", a time .* after probekit read that line/);
    expect(result.message).toContain('it looks like the wall clock (CLOCK_REALTIME');
  });

  it('makes a stamp earlier than the one before it a protocol error naming both lines', async () => {
    const result = await runProcessCase(fixture('hang-times-out'), { command: stamped('backwards') });
    expect(result.status).toBe('error');
    expect(result.message).toMatch(
      /it printed "true \d+", a time 1\.0 ms before that of the line before it \("start \d+"\): timestamps must not go backwards/,
    );
  });
});

describe('bounded output (regression: `echo start; yes true` grew to 3.5 GB and ignored SIGTERM)', () => {
  it('stops a checker that prints `yes true` and ignores SIGTERM at the line cap, killing it at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-caps-'));
    const pidFile = join(dir, 'pid');
    // The ignored SIGTERM survives the exec: only SIGKILL ends `yes`.
    const flood = `trap '' TERM; echo $$ > ${JSON.stringify(pidFile)}; echo start; exec yes true`;
    const result = await runProcessCase(fixture('defaults-threshold-and-timeout'), {
      command: flood,
      graceMs: 60_000,
    });
    expect(result.status).toBe('error');
    expect(result.message).toContain(
      `it printed more than ${DEFAULT_OUTPUT_LIMITS.maxLines} lines on stdout (the cap on lines per run)`,
    );
    // Had it waited for SIGTERM's 60 s grace, the test would have timed out first.
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(running(pid)).toBe(false);
  });

  it('refuses a stdout line longer than 4 KiB before it has all arrived, and kills the group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-caps-'));
    const pidFile = join(dir, 'pid');
    const long = `echo start; echo $$ > ${JSON.stringify(pidFile)}; head -c 10000000 /dev/zero | tr '\\0' x; exec sleep 30`;
    const result = await runProcessCase(fixture('hang-times-out'), { command: long });
    expect(result.status).toBe('error');
    expect(result.message).toContain(
      `it printed a stdout line longer than ${DEFAULT_OUTPUT_LIMITS.maxLineBytes} bytes (the cap on line length)`,
    );
    expect(running(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(false);
  });

  it('counts lines across chunks and measures a line split over several writes', async () => {
    const child = spawnImplementation(
      // 3 lines of 6 bytes, then one of 7 bytes written in two pieces: the cap is 6 bytes.
      `printf 'aaaaaa\\nbbbbbb\\n'; printf 'cccccc\\n'; printf 'ddd'; printf 'dddd\\n'; exec sleep 30`,
      { env: process.env, clock: systemClock, limits: { maxLines: 10, maxLineBytes: 6 } },
    );
    const lines: string[] = [];
    child.onLine((line) => lines.push(line));
    const problem = await new Promise<string>((resolve) => child.onProblem(resolve));
    await child.stop(1000);
    expect(lines).toEqual(['aaaaaa', 'bbbbbb', 'cccccc']);
    expect(problem).toContain('longer than 6 bytes');
  });

  it('decodes a UTF-8 character split between two chunks whole', async () => {
    const child = spawnImplementation(`printf '# caf\\303'; printf '\\251\\n'; exec sleep 30`, {
      env: process.env,
      clock: systemClock,
    });
    const line = await new Promise<string>((resolve) => child.onLine(resolve));
    await child.stop(1000);
    expect(line).toBe('# café');
  });
});

describe('bounded output for the healthz server process protocol', () => {
  it('breaks the run of a server that floods stdout, rejecting the waiting command, and ends it', async () => {
    const session = await openProcessSession(
      { exec: flooding('chatter') },
      {
        profile: 'control-plane',
        clock: systemClock,
      },
    );
    const ready = session.control?.ready() ?? Promise.resolve();
    await expect(ready).rejects.toMatchObject({ code: 'ERR_PROBEKIT_PROTOCOL' });
    await expect(ready).rejects.toThrow(/no answer to "ready": it printed more than 10000 lines on stdout/);
    expect(session.broken).toMatch(/^it printed more than 10000 lines/);
    await session.close();
    expect(await refused(session.address.port)).toBe(true);
  });

  it('names the line cap when a server breaks it before it listens', async () => {
    await expect(
      openProcessSession({ exec: flooding('long-line') }, { profile: 'sidecar', clock: systemClock }),
    ).rejects.toThrow(
      /it printed a stdout line longer than 4096 bytes \(the cap on line length\).* before 127\.0\.0\.1:\d+ accepted connections/,
    );
  });
});
