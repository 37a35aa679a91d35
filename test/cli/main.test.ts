import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

async function run(args: string[]) {
  const t = memoryIo();
  const code = await main(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe('probekit --version', () => {
  it.each([['--version'], ['-V']])(
    'prints the version from package.json with %s and exits 0',
    async (flag) => {
      expect(await run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    },
  );

  it('points to --version and the exit codes in the top-level help', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('"probekit --version"');
    expect(stdout).toMatch(/Exit codes: 0 ok, 1 failure .*, 2 bad input/s);
  });
});

describe('probekit names what is wrong with a command line', () => {
  it('suggests the nearest command for a misspelt one, with exit code 2', async () => {
    const { code, stderr } = await run(['chekc', 'http://127.0.0.1:9/']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'probekit: Failed to run "chekc": there is no such command. Did you mean check? Commands: check, fixtures, mock, proxy, serve, explain, simulate, demo, conformance.\n',
    );
  });

  it('lists the commands without a guess when nothing is close', async () => {
    const { code, stderr } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).not.toContain('Did you mean');
    expect(stderr).toContain('Commands: check, ');
  });

  it.each([
    [
      ['mock', '200', '--prot', '8080'],
      'Failed to read --prot: "probekit mock" has no such flag. Did you mean --port?',
    ],
    [['explain', '200', '--formt', 'svg'], 'Did you mean --format?'],
    [['explain', '200', '--no-colour'], 'Did you mean --no-color?'],
    [['check', 'http://127.0.0.1:9/', '--thresh', '3'], 'Did you mean --threshold?'],
    [['demo', '--fats'], 'Did you mean --fast?'],
    [['check', 'http://127.0.0.1:9/', '-x'], 'Failed to read -x: "probekit check" has no such flag.'],
  ])('names the unknown flag in %j and suggests the nearest known one', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('parseArgs');
    expect(stderr).not.toContain("To specify a positional argument starting with a '-'");
  });

  it.each([
    [['mock', '200', '--port'], 'Failed to read --port: it needs a value.'],
    [
      ['explain', '200', '--out', '--format', 'svg'],
      'Failed to read --out: it needs a value, but the next argument is "--format".',
    ],
    [
      ['check', 'http://127.0.0.1:9/', '--verbose=yes'],
      'Failed to read --verbose=yes: --verbose is a switch and takes no value.',
    ],
    [
      ['demo', 'now'],
      'Failed to read the arguments of "probekit demo": it takes no argument without a flag, got "now".',
    ],
  ])('says what is missing or extra in %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('reads a negative number after a flag as its value, so the flag says what is wrong (regression: "argument is ambiguous")', async () => {
    const { code, stderr } = await run(['mock', '200', '--port', '-1']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'probekit: Failed to read --port "-1": it is not from 0 to 65535. Use a whole number from 0 to 65535 (0: any free port).\n',
    );
  });
});
