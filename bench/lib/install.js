// The tools some benchmarks need beyond npm's (wrk, Go's fasthttp) come from Debian: when one is
// missing and we are root on a Debian-like system, install it; otherwise say what is missing and
// let the benchmark fall back (autocannon) or skip the row (Go).

import { spawnSync } from 'node:child_process';
import process from 'node:process';

/**
 * Whether `command` is on PATH.
 * @param {string} command
 */
export function hasCommand(command) {
  return spawnSync('sh', ['-c', 'command -v "$0"', command], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs a Debian package with apt-get when we may (root, apt-get present); runs
 * `apt-get update` once if the first try fails (a fresh machine has no package lists).
 *
 * @example
 * if (!hasCommand('wrk') && !aptInstall('wrk', console.error)) useAutocannon();
 *
 * @param {string} name  the Debian package
 * @param {(line: string) => void} [say]  progress
 * @returns {boolean}  whether apt-get installed it
 */
export function aptInstall(name, say = () => {}) {
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', name], { stdio: 'ignore', env }).status === 0;
  say(`installing ${name} (apt-get install -y ${name})`);
  if (install()) return true;
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  return install();
}
