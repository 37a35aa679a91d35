import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { usageError } from './args.js';

/**
 * Checks, before any work starts, that a file flag (`--trace x.json`, `--out t.svg`) names a
 * file this process can write: its folder exists and is writable, and the file, if it is
 * there already, is a writable file. A run of a minute should not end in a bare ENOENT.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_USAGE`, naming the flag, the path and what is wrong.
 * @example
 * await checkWritable('trace', values.trace);
 */
export async function checkWritable(flag: string, path: string | undefined): Promise<void> {
  if (path === undefined) return;
  const fail = (reason: string, hint: string) =>
    usageError(`Failed to use --${flag} ${JSON.stringify(path)}: ${reason}. ${hint}.`);
  if (path === '') throw fail('it is empty', `Write it like --${flag} run.json`);
  const folder = dirname(resolve(path));
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw fail('it is a folder', 'Name a file inside it');
  if (existing) {
    if (
      !(await access(path, constants.W_OK).then(
        () => true,
        () => false,
      ))
    ) {
      throw fail('the file is not writable', 'Pick another file, or change its permissions');
    }
    return;
  }
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat) throw fail(`the folder ${JSON.stringify(folder)} does not exist`, 'Create it first');
  if (!folderStat.isDirectory()) throw fail(`${JSON.stringify(folder)} is not a folder`, 'Pick another path');
  if (
    !(await access(folder, constants.W_OK).then(
      () => true,
      () => false,
    ))
  ) {
    throw fail(`the folder ${JSON.stringify(folder)} is not writable`, 'Pick a folder you can write to');
  }
}
