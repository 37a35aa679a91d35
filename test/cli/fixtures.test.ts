import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOwnFolder } from '../../src/cli/own-folder.js';
import { ProbekitError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const elsewhere = mkdtempSync(join(tmpdir(), 'probekit-fixtures-'));
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

function refusal(action: string, dir: string, cwd: string): string | undefined {
  try {
    checkOwnFolder(action, dir, cwd);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_USAGE');
    return (error as ProbekitError).message;
  }
}

describe('probekit fixtures update rewrites the shipped fixtures only in a clone of probekit', () => {
  it('allows the fixtures inside the folder it runs in', () => {
    expect(refusal('update', '/work/probekit/fixtures/checker/', '/work/probekit')).toBeUndefined();
  });

  it('refuses the fixtures of an installed package (regression: it rewrote node_modules/probekit)', () => {
    expect(refusal('update', '/app/node_modules/probekit/fixtures/checker/', '/app')).toBe(
      'Failed to update the fixtures shipped with probekit in "/app/node_modules/probekit/fixtures/checker/": they belong to the installed probekit package. Pass --dir <your scenarios folder>, or run it from a clone of probekit.',
    );
  });

  it('refuses fixtures outside the folder it runs in (a global install)', () => {
    expect(refusal('update', '/usr/lib/probekit/fixtures/checker/', '/home/me/app')).toContain(
      'they are outside the folder you run it in (/home/me/app)',
    );
  });

  it('exits 2 from another folder and leaves every shipped fixture untouched', () => {
    const folder = join(root, 'fixtures', 'checker');
    const before = readdirSync(folder).map((f) => [
      f,
      statSync(join(folder, f)).mtimeMs,
      readFileSync(join(folder, f), 'utf8'),
    ]);
    const result = spawnSync(process.execPath, [join(root, 'bin', 'probekit.js'), 'fixtures', 'update'], {
      cwd: elsewhere,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^probekit: Failed to update the fixtures shipped with probekit in ".*fixtures\/checker\/?": they are outside the folder you run it in/,
    );
    expect(result.stdout).toBe('');
    const after = readdirSync(folder).map((f) => [
      f,
      statSync(join(folder, f)).mtimeMs,
      readFileSync(join(folder, f), 'utf8'),
    ]);
    expect(after).toEqual(before);
  });
});
