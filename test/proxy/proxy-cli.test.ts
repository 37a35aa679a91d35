import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { viaNodeHttp } from '../endpoint/clients.js';
import { memoryIo } from '../support/cli-io.js';
import { startUpstream, type TestUpstream } from './upstream.js';

let upstream: TestUpstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

/** Runs `probekit proxy …` in process; resolves once it printed its URL and its control API's. */
async function proxyCli(args: string[]) {
  const cli = memoryIo();
  const exit = main(['proxy', ...args], cli.io);
  const control = /control API at (http:\/\/[^/]+)\/__probekit\//;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (cli.stdout().includes('\n') && control.test(cli.stderr())) resolve();
    };
    cli.io.stdout.on('data', check);
    cli.io.stderr.on('data', check);
    exit.then((code) => reject(new Error(`exited with ${code}: ${cli.stderr()}`)), reject);
  });
  const url = cli.stdout().split('\n')[0] as string;
  const controlUrl = (control.exec(cli.stderr()) as RegExpExecArray)[1] as string;
  return { ...cli, url, controlUrl, exit };
}

describe('probekit proxy', () => {
  it('plays "pass*2, 503, reset, pass..." in front of the upstream, journals the upstream status, and stops with 0', async () => {
    const run = await proxyCli([upstream.origin, 'pass*2, 503, reset, pass...', '--seed', '9']);
    expect(run.stderr()).toContain(`→ ${upstream.origin}: any path: pass to the upstream twice, then 503`);
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await viaNodeHttp(`${run.url}/ok`));
    expect(seen.map((s) => ('status' in s ? s.status : s.code))).toEqual([200, 200, 503, 'ECONNRESET', 200]);
    const journal = (await (await fetch(`${run.controlUrl}/__probekit/journal`)).json()) as {
      seed: number;
      entries: { upstream?: { status: number } }[];
    };
    expect(journal.seed).toBe(9);
    expect(journal.entries.map((e) => e.upstream?.status ?? null)).toEqual([200, 200, null, null, 200]);
    run.interrupt();
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain('stopped after 5 requests (seed 9)');
  });

  it.each([
    [['pass'], 'expected the upstream URL and one script, got 1 argument'],
    [['http://example.com', 'pass'], 'names a host that is not an IP address'],
    [['http://127.0.0.1:1', 'pass', '--upstream-timeout', 'soon'], '--upstream-timeout'],
    [['http://127.0.0.1:1', 'pass', '--host', 'localhost'], 'it is not an IP address'],
    [['http://127.0.0.1:1', 'pass', '--bandwidth-down', '0'], '--bandwidth-down "0": it is not from 1'],
    [['http://127.0.0.1:1', 'pass', '--limit-data', 'lots'], '--limit-data "lots": it is not a whole number'],
  ])('exits 2 with a probekit: message for bad input %j', async (args, text) => {
    const cli = memoryIo();
    expect(await main(['proxy', ...args], cli.io)).toBe(2);
    expect(cli.stderr()).toMatch(/^probekit: /);
    expect(cli.stderr()).toContain(text);
  });

  it('cuts a response after --limit-data bytes', async () => {
    const run = await proxyCli([
      upstream.origin,
      'pass...',
      '--limit-data',
      '5',
      '--bandwidth-down',
      '1000000',
    ]);
    expect(await viaNodeHttp(`${run.url}/ok`)).toMatchObject({ code: expect.any(String) });
    run.interrupt();
    expect(await run.exit).toBe(0);
  });

  it('exits 2 and shows where a script is wrong', async () => {
    const cli = memoryIo();
    expect(await main(['proxy', 'http://127.0.0.1:1', 'slow-headers pass'], cli.io)).toBe(2);
    expect(cli.stderr()).toContain('slow-headers cannot pass');
  });

  it('probekit mock refuses a script with pass with exit 2 and names the proxy', async () => {
    const cli = memoryIo();
    expect(await main(['mock', 'pass...'], cli.io)).toBe(2);
    expect(cli.stderr()).toContain('no upstream to pass to');
    expect(cli.stderr()).toContain('probekit proxy');
  });
});
