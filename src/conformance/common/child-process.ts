import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../../time/clock.js';
import { signalGroup, terminateGroup } from './terminate.js';

/** How a spawned implementation ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it ended (clock ms). */
  readonly at: number;
  /** Set when the command could not be started at all (e.g. no shell). */
  readonly error?: Error;
}

/** A line the protocol cannot accept: the reason, phrased to follow "it " ("printed …"). */
export interface LineProblem {
  readonly problem: string;
}

/**
 * Decides when a stdout line happened: `arrivedAt` (clock ms, when probekit read it) unless the
 * line carries a time of its own; a {@link LineProblem} breaks the protocol.
 */
export type LineTimer = (line: string, arrivedAt: number, spawnedAt: number) => number | LineProblem;

/** Caps on what a process may print on stdout. */
export interface OutputLimits {
  /** Lines (of any kind) over the whole life of the process (default 10,000). */
  readonly maxLines?: number;
  /** Bytes in one line, without its `\n` (default 4096). */
  readonly maxLineBytes?: number;
}

/**
 * The default caps: far above anything a protocol speaker prints (a checker prints a few lines
 * a second, a server one answer per command), far below what a runaway loop prints in a second.
 *
 * @example
 * DEFAULT_OUTPUT_LIMITS.maxLines; // 10000
 */
export const DEFAULT_OUTPUT_LIMITS: Required<OutputLimits> = Object.freeze({
  maxLines: 10_000,
  maxLineBytes: 4096,
});

/** How to start a process. */
export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly clock: Clock;
  /** `true`: stdin is a pipe ({@link ImplementationProcess.write}); otherwise `/dev/null`. */
  readonly stdin?: boolean;
  /** Default {@link DEFAULT_OUTPUT_LIMITS}. */
  readonly limits?: OutputLimits;
  /** When each line happened (default: when it arrived). */
  readonly timeLine?: LineTimer;
  /** SIGKILL the group should this process exit while it still runs (for long-lived servers). */
  readonly killWithParent?: boolean;
}

/** A spawned implementation: its stdout lines, its stderr, and a way to end it. */
export interface ImplementationProcess {
  readonly pid: number | undefined;
  /** When it was spawned (clock ms). */
  readonly spawnedAt: number;
  /**
   * Called with each complete stdout line and when it happened (clock ms): when it arrived, or
   * the time it carries when a {@link SpawnOptions.timeLine} reads one.
   */
  onLine(listener: (line: string, at: number) => void): void;
  /**
   * Called once if it breaks the output rules (a cap, or a line the line timer refuses), with
   * the reason phrased to follow "it ". No line is delivered after it, stdout is no longer read,
   * and its process group has been sent SIGKILL.
   */
  onProblem(listener: (reason: string) => void): void;
  /** Writes one line to its stdin (when spawned with `stdin: true`); ignored once it is gone. */
  write(line: string): void;
  /** Resolves when the process has exited (not necessarily its children). */
  readonly exited: Promise<ChildExit>;
  /** The last lines it wrote to stderr. */
  stderrTail(lines?: number): string;
  /**
   * Ends it and everything it started: closes its stdin, SIGTERM to its process group, SIGKILL
   * after `graceMs`. Resolves once its output pipes are closed (or after a bounded wait).
   * Idempotent.
   */
  stop(graceMs: number): Promise<void>;
}

/** Bytes of stderr kept for reports. */
const STDERR_KEEP = 16 * 1024;
const NEWLINE = 0x0a;

/**
 * Runs `command` through `/bin/sh -c` (so quoting, `&&`, `cd dir && …` and `$VARS` work as in
 * CI scripts) in its own process group, so that stopping it also ends whatever it started
 * (`npm run`, `cargo run`, `mvn exec` …). stdout is read line by line within caps on the
 * number and the length of lines: a process that breaks them is killed at once, since one that
 * prints `yes true` would otherwise fill memory faster than anything can stop it.
 *
 * @example
 * const child = spawnImplementation('python3 checker.py', { env, cwd, clock: systemClock });
 * child.onLine((line, at) => console.log(at, line));
 * child.onProblem((reason) => console.error(`it ${reason}`));
 * await child.stop(1000);
 */
export function spawnImplementation(command: string, options: SpawnOptions): ImplementationProcess {
  const { env, cwd, clock, timeLine } = options;
  const maxLines = options.limits?.maxLines ?? DEFAULT_OUTPUT_LIMITS.maxLines;
  const maxLineBytes = options.limits?.maxLineBytes ?? DEFAULT_OUTPUT_LIMITS.maxLineBytes;
  const spawnedAt = clock.now;
  const child: ChildProcess = spawn(command, {
    shell: true,
    cwd,
    env,
    detached: process.platform !== 'win32',
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const listeners: Array<(line: string, at: number) => void> = [];
  const problemListeners: Array<(reason: string) => void> = [];
  let problem: string | undefined;
  let stderr = '';
  let pipesOpen = 2;
  let onPipesClosed: (() => void) | undefined;
  const pipesClosed = new Promise<void>((resolve) => {
    onPipesClosed = resolve;
  });
  const pipeClosed = () => {
    if (--pipesOpen === 0) onPipesClosed?.();
  };

  const fail = (reason: string) => {
    if (problem !== undefined) return;
    problem = reason;
    // Stop reading before anything else: the rest of its output is not wanted.
    child.stdout?.destroy();
    signalGroup(child, 'SIGKILL');
    for (const listener of problemListeners) listener(reason);
  };

  // Pieces of the current line not yet ended by a `\n`, and their length in bytes.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lines = 0;
  const deliver = (line: string, arrivedAt: number) => {
    if (++lines > maxLines) {
      fail(
        `printed more than ${maxLines} lines on stdout (the cap on lines per run): a protocol speaker prints a few a second. Write logs to stderr, and print each event once`,
      );
      return;
    }
    const at = timeLine ? timeLine(line, arrivedAt, spawnedAt) : arrivedAt;
    if (typeof at !== 'number') {
      fail(at.problem);
      return;
    }
    for (const listener of listeners) listener(line, at);
  };
  const tooLong = () =>
    fail(
      `printed a stdout line longer than ${maxLineBytes} bytes (the cap on line length): protocol lines are a few bytes. End every line with "\\n", and write logs to stderr`,
    );

  child.stdout?.on('data', (chunk: Buffer) => {
    // Every line in one chunk arrived at the same moment.
    const arrivedAt = clock.now;
    let from = 0;
    while (problem === undefined) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline === -1 ? chunk.length : newline;
      // Measured before the piece is kept: a line without end never grows past the cap.
      if (pendingBytes + (end - from) > maxLineBytes) {
        tooLong();
        return;
      }
      if (newline === -1) {
        if (end > from) {
          pending.push(chunk.subarray(from));
          pendingBytes += end - from;
        }
        return;
      }
      // Decoded whole, so a character split between two chunks comes out intact.
      const line = Buffer.concat([...pending, chunk.subarray(from, newline)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      from = newline + 1;
      deliver(line, arrivedAt);
    }
  });
  child.stdout?.on('close', pipeClosed);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
  });
  child.stderr?.on('close', pipeClosed);
  child.stdin?.on('error', () => {
    // EPIPE once it has exited: the exit itself is what gets reported.
  });

  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: clock.now }));
    child.once('error', (error) => {
      // Spawning failed: no 'exit' and no pipes will follow.
      onPipesClosed?.();
      resolve({ code: null, signal: null, at: clock.now, error });
    });
  });
  let exitedYet = false;
  void exited.then(() => {
    exitedYet = true;
  });

  // A server never exits on its own: if this process dies mid-run (a crash, process.exit),
  // take the group down with it rather than leave it listening.
  const killOnExit = () => signalGroup(child, 'SIGKILL');
  if (options.killWithParent) process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs: number) => {
    stopping ??= (async () => {
      child.stdin?.end();
      await terminateGroup({
        child,
        clock,
        graceMs,
        hasExited: exitedYet,
        gone: Promise.all([exited, pipesClosed]),
      });
      process.off('exit', killOnExit);
    })();
    return stopping;
  };

  return {
    pid: child.pid,
    spawnedAt,
    onLine(listener) {
      listeners.push(listener);
    },
    onProblem(listener) {
      problemListeners.push(listener);
    },
    write(line) {
      if (child.stdin && !child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(`${line}\n`);
    },
    exited,
    stderrTail(lines = 20) {
      const all = stderr.replace(/\s+$/, '').split('\n');
      return all.slice(-lines).join('\n');
    },
    stop,
  };
}
