import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProbekitError } from '../../../errors.js';

let written = 0;

/**
 * Writes a report page atomically: to a temporary file beside `path`, then renamed over it, so
 * a reader (a CI artefact upload, a browser reloading) sees the old page or the new one, never
 * half of one, and an interrupted write leaves no partial file behind.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` naming the path when the folder is
 * missing or not writable, or the disk is full.
 * @example
 * await writeHtmlReport('report.html', renderHtmlReport(model));
 */
export async function writeHtmlReport(path: string, html: string): Promise<void> {
  // Same folder, so the rename stays on one file system (and so is atomic); pid and a counter
  // keep two writers of the same path apart without randomness.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${++written}.tmp`);
  try {
    await writeFile(temporary, html, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to write the report ${JSON.stringify(path)}: ${(error as Error).message}. Check that its folder exists, is writable and has room.`,
      { cause: error },
    );
  }
}
