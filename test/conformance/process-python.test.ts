import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'docs/examples/dapr_checker.py');

function python(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 8)'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return undefined;
  }
}

const interpreter = python();

// Real time on a machine that runs other test files at once, at the default tolerance: core
// scenarios are judged on behaviour (see process-runner.test.ts). Short ones that cover counting,
// a timeout, a fault and a redirect.
describe.skipIf(!interpreter)('the Python port of Dapr v1.0 (docs/examples/dapr_checker.py)', () => {
  it('passes core scenarios through the process protocol', async () => {
    const t = memoryIo(process.env);
    const code = await main(
      [
        'conformance',
        'checker',
        '--exec',
        `${interpreter} ${JSON.stringify(script)}`,
        '--only',
        'all-503-single-false,hang-times-out,connection-reset,redirect-302-not-followed',
      ],
      t.io,
    );
    expect(t.stdout()).toMatch(/4 scenarios: 4 passed, 0 failed, 0 errors/);
    expect(code).toBe(0);
  });
});

describe.skipIf(interpreter)('the Python port (skipped)', () => {
  it.skip('needs python3 ≥ 3.8 on PATH to run', () => {});
});
