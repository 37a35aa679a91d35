import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritable } from '../../src/cli/writable.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-writable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkWritable judges a file flag before any work starts', () => {
  it('accepts a new file in an existing folder, an existing file, and no flag at all', async () => {
    await expect(checkWritable('trace', join(dir, 'new.json'))).resolves.toBeUndefined();
    writeFileSync(join(dir, 'old.json'), '{}');
    await expect(checkWritable('trace', join(dir, 'old.json'))).resolves.toBeUndefined();
    await expect(checkWritable('trace', undefined)).resolves.toBeUndefined();
  });

  it.each([
    [
      'a missing folder',
      () => join(dir, 'nope', 'x.json'),
      /the folder ".*nope" does not exist\. Create it first\.$/,
    ],
    ['a folder', () => dir, /: it is a folder\. Name a file inside it\.$/],
    ['an empty path', () => '', /: it is empty\. Write it like --out run\.json\.$/],
    ['a file used as a folder', () => join(dir, 'old.json', 'x.json'), /old\.json" is not a folder\./],
  ])('refuses %s with a usage error naming the flag', async (_what, path, message) => {
    writeFileSync(join(dir, 'old.json'), '{}');
    const error = await checkWritable('out', path()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_PROBEKIT_USAGE' });
    expect((error as Error).message).toMatch(/^Failed to use --out "/);
    expect((error as Error).message).toMatch(message);
  });
});
