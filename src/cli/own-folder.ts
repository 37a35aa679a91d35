import { isAbsolute, relative, resolve, sep } from 'node:path';
import { usageError } from './args.js';

/**
 * Refuses to rewrite `dir` unless it lies inside the project being worked on (`cwd`) and not
 * inside an installed package: `probekit fixtures update` without `--dir` would otherwise
 * rewrite the fixtures shipped in `node_modules/probekit`, which the next install silently
 * puts back (and which every other project on a global install shares).
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE`, naming the folder and what to pass instead.
 * @example
 * checkOwnFolder('update', CHECKER_FIXTURES_DIR, process.cwd());
 */
export function checkOwnFolder(action: string, dir: string, cwd: string): void {
  const path = relative(resolve(cwd), resolve(dir));
  const outside = path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path);
  const installed = path.split(sep).includes('node_modules');
  if (!outside && !installed) return;
  const reason = installed
    ? 'they belong to the installed probekit package'
    : `they are outside the folder you run it in (${cwd})`;
  throw usageError(
    `Failed to ${action} the fixtures shipped with probekit in ${JSON.stringify(dir)}: ${reason}. Pass --dir <your scenarios folder>, or run it from a clone of probekit.`,
  );
}
