import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startMockServer } from '../../src/endpoint/backends/server/server.js';
import { memoryIo } from '../support/cli-io.js';

const root = new URL('../../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'probekit-mock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `probekit mock …` in process; resolves with the URL it printed first. */
async function mock(args: string[]) {
  const cli = memoryIo();
  const exit = main(['mock', ...args], cli.io);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const line = cli.stdout().split('\n')[0];
      if (cli.stdout().includes('\n') && line) {
        cli.io.stdout.off('data', check);
        resolve(line);
      }
    };
    cli.io.stdout.on('data', check);
    exit.then((code) => reject(new Error(`exited with ${code}: ${cli.stderr()}`)), reject);
  });
  return { ...cli, url, exit };
}

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('probekit mock', () => {
  it('serves the script on the printed URL until interrupted', async () => {
    const run = await mock(['200*2, 503...', '--path', '/healthz', '--seed', '42']);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/healthz$/);
    expect([await status(run.url), await status(run.url), await status(run.url)]).toEqual([200, 200, 503]);
    expect(await status(run.url.replace('/healthz', '/other'))).toBe(404);
    run.interrupt();
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain('/healthz: 200 twice, then 503 forever (seed 42)');
    expect(run.stderr()).toContain('stopped after 4 requests (seed 42)');
    const afterStop = await new Promise<string | undefined>((resolve) => {
      get(run.url, { agent: false }, () => resolve('answered')).on('error', (e: Error & { code?: string }) =>
        resolve(e.code),
      );
    });
    expect(afterStop).toBe('ECONNREFUSED');
  });

  it('prints each request and its decision with --verbose', async () => {
    const run = await mock(['200, delay 1ms then 503...', '--verbose']);
    await status(`${run.url}/a`);
    await status(`${run.url}/b?x=1`);
    run.interrupt();
    await run.exit;
    const lines = run.stdout().trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\+\d+\.\d{3}s #0 GET \/a → 200$/);
    expect(lines[1]).toMatch(/^\+\d+\.\d{3}s #1 GET \/b\?x=1 → 503 after 1ms$/);
  });

  it('reads a JSON definition with --config', async () => {
    const file = join(dir, 'endpoint.json');
    writeFileSync(
      file,
      JSON.stringify({ routes: [{ path: '/v1.0/healthz', script: [{ kind: 'status', status: 204 }] }] }),
    );
    const run = await mock(['--config', file, '--port', '0']);
    expect(run.url).toMatch(/\/v1\.0\/healthz$/);
    expect(await status(run.url)).toBe(204);
    run.interrupt();
    expect(await run.exit).toBe(0);
  });

  it('documents the DSL with examples in --help', async () => {
    const cli = memoryIo();
    expect(await main(['mock', '--help'], cli.io)).toBe(0);
    for (const example of [
      'delay 120ms then 503',
      'refuse 2s',
      '(200@9 | 503)',
      'down from 30s until 90s',
      'up 10s, down 5s',
      'docs/dsl.md',
    ]) {
      expect(cli.stdout()).toContain(example);
    }
  });
});

describe('probekit mock as a process', () => {
  it('prints the URL, serves, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, ['bin/probekit.js', 'mock', '503, 200...', '--path', '/healthz'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0] as string);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect([await status(url), await status(url)]).toEqual([503, 200]);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('probekit mock with bad input', () => {
  async function fails(args: string[]) {
    const cli = memoryIo();
    const code = await main(['mock', ...args], cli.io);
    return { code, stderr: cli.stderr() };
  }

  it('shows a script error with its column and a caret, and exits 2', async () => {
    const { code, stderr } = await fails(['200, 503*']);
    expect(code).toBe(2);
    expect(stderr).toContain('at column 10: expected a repeat count after "*"');
    expect(stderr).toContain('  200, 503*\n           ^');
  });

  it('needs exactly one of a script and --config', async () => {
    expect((await fails([])).stderr).toContain('give a script, or --config');
    expect((await fails(['200', '--config', 'x.json'])).code).toBe(2);
    expect((await fails(['200', '503'])).stderr).toContain('expected one script, got 2');
  });

  it('names a bad config file, seed, path or control value', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(await fails(['--config', file])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not valid JSON'),
    });
    expect(await fails(['--config', join(dir, 'missing.json')])).toMatchObject({ code: 2 });
    writeFileSync(
      file,
      JSON.stringify({ routes: [{ path: '*', script: [{ kind: 'status', status: 99 }] }] }),
    );
    expect(await fails(['--config', file])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('/routes/0/script/0/status'),
    });
    expect(await fails(['200', '--seed=-1'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--seed -1'),
    });
    expect(await fails(['200', '--seed', '4294967296'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('0 to 4294967295'),
    });
    expect(await fails(['/a: 200', '--path', '/b'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('already names its paths'),
    });
    expect(await fails(['200', '--path', 'healthz'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--path /healthz'),
    });
    expect(await fails(['200', '--control', 'all'])).toMatchObject({ code: 2 });
    expect(await fails(['200', '--port', 'x'])).toMatchObject({ code: 2 });
  });

  it.each([
    [['--port', '65536'], 'Failed to read --port "65536": it is not from 0 to 65535.'],
    [['--port', '-1'], 'Failed to read --port "-1": it is not from 0 to 65535.'],
    [
      ['--journal-size', '100000001'],
      'Failed to read --journal-size "100000001": it is not from 0 to 100000000',
    ],
    [['--host', ''], 'Failed to read --host "": it is not an IP address.'],
    [['--host', 'localhost'], 'Failed to read --host "localhost": it is not an IP address.'],
  ])(
    'refuses %j with exit code 2 before listening (regression: exit 1, or "argument is ambiguous")',
    async (flags, message) => {
      const { code, stderr } = await fails(['200', ...flags]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    },
  );

  it('exits 1 when the port is taken', async () => {
    const other = await startMockServer('200');
    try {
      const { code, stderr } = await fails(['200', '--port', String(other.port)]);
      expect(code).toBe(1);
      expect(stderr).toContain('the port is in use');
    } finally {
      await other.close();
    }
  });
});
