import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../../time/clock.js';
import { terminateGroup } from './terminate.js';

/** How a spawned implementation ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it ended (clock ms). */
  readonly at: number;
  /** Set when the command could not be started at all (e.g. no shell). */
  readonly error?: Error;
}

/** A spawned implementation: its stdout lines, its stderr, and a way to end it. */
export interface ImplementationProcess {
  readonly pid: number | undefined;
  /** When it was spawned (clock ms). */
  readonly spawnedAt: number;
  /** Called with each complete stdout line and when it arrived (clock ms). */
  onLine(listener: (line: string, at: number) => void): void;
  /** Resolves when the process has exited (not necessarily its children). */
  readonly exited: Promise<ChildExit>;
  /** The last lines it wrote to stderr. */
  stderrTail(lines?: number): string;
  /**
   * Ends it and everything it started: SIGTERM to its process group, SIGKILL after `graceMs`.
   * Resolves once its output pipes are closed (or after a bounded wait). Idempotent.
   */
  stop(graceMs: number): Promise<void>;
}

/** Bytes of stderr kept for reports. */
const STDERR_KEEP = 16 * 1024;
/** A stdout line longer than this is cut there (the protocol's lines are a few bytes). */
const MAX_LINE = 4096;

/**
 * Runs `command` through `/bin/sh -c` (so quoting, `&&`, `cd dir && …` and `$VARS` work as in
 * CI scripts) in its own process group, so that stopping it also ends whatever it started
 * (`npm run`, `cargo run`, `mvn exec` …). stdin is `/dev/null`.
 *
 * @example
 * const child = spawnImplementation('python3 checker.py', { env, cwd, clock: systemClock });
 * child.onLine((line, at) => console.log(at, line));
 * await child.stop(1000);
 */
export function spawnImplementation(
  command: string,
  { env, cwd, clock }: { env: NodeJS.ProcessEnv; cwd?: string; clock: Clock },
): ImplementationProcess {
  const spawnedAt = clock.now;
  const child: ChildProcess = spawn(command, {
    shell: true,
    cwd,
    env,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const listeners: Array<(line: string, at: number) => void> = [];
  let partial = '';
  let stderr = '';
  let pipesOpen = 2;
  let onPipesClosed: (() => void) | undefined;
  const pipesClosed = new Promise<void>((resolve) => {
    onPipesClosed = resolve;
  });
  const pipeClosed = () => {
    if (--pipesOpen === 0) onPipesClosed?.();
  };

  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    // Every line in one chunk arrived at the same moment.
    const at = clock.now;
    partial += chunk;
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      for (const listener of listeners) listener(line, at);
      newline = partial.indexOf('\n');
    }
    if (partial.length > MAX_LINE) {
      const line = partial;
      partial = '';
      for (const listener of listeners) listener(line, at);
    }
  });
  child.stdout?.on('close', pipeClosed);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
  });
  child.stderr?.on('close', pipeClosed);

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

  let stopping: Promise<void> | undefined;
  const stop = (graceMs: number) => {
    stopping ??= terminateGroup({
      child,
      clock,
      graceMs,
      hasExited: exitedYet,
      gone: Promise.all([exited, pipesClosed]),
    });
    return stopping;
  };

  return {
    pid: child.pid,
    spawnedAt,
    onLine(listener) {
      listeners.push(listener);
    },
    exited,
    stderrTail(lines = 20) {
      const all = stderr.replace(/\s+$/, '').split('\n');
      return all.slice(-lines).join('\n');
    },
    stop,
  };
}
