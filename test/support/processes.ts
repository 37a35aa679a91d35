import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether a process is still running. A killed process whose parent died too stays a zombie
 * until init reaps it; it runs nothing, so it counts as gone.
 */
export function running(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
