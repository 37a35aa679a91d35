import type { ChildProcess } from 'node:child_process';
import { type Clock, sleep } from '../../time/clock.js';

/** How long to wait for a SIGKILLed group to be gone before giving up on it. */
const KILL_WAIT_MS = 2000;

/**
 * Sends `signal` to the process group `child` leads (it was spawned detached), so whatever it
 * started goes too. A group that is gone already is not an error.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    // A negative pid is the process group the child leads.
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

/**
 * Ends an implementation's process group: SIGTERM (unless it has exited), then SIGKILL after
 * `graceMs` — always, since something it started may still hold the group — and waits (bounded)
 * for its exit and pipes. Every timer it arms is cleared.
 */
export async function terminateGroup(options: {
  child: ChildProcess;
  clock: Clock;
  graceMs: number;
  hasExited: boolean;
  gone: Promise<unknown>;
}): Promise<void> {
  const { child, clock, graceMs, hasExited, gone } = options;
  if (!hasExited) signalGroup(child, 'SIGTERM');
  const grace = new AbortController();
  const ended = await Promise.race([
    gone.then(() => true),
    sleep(clock, graceMs, grace.signal).then(
      () => false,
      () => false,
    ),
  ]);
  grace.abort();
  signalGroup(child, 'SIGKILL');
  if (!ended) {
    const wait = new AbortController();
    await Promise.race([gone, sleep(clock, KILL_WAIT_MS, wait.signal).catch(() => undefined)]);
    wait.abort();
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
}
