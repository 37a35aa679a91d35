import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LIMITS } from '../../src/endpoint/script/model.js';
import { memoryIo } from '../support/cli-io.js';
import { viaNodeHttp } from './clients.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-mock-endpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `probekit mock …` in process; resolves once it printed its URL and its control API's. */
async function mock(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cli = memoryIo(env);
  const exit = main(['mock', ...args], cli.io);
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

async function put(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { method: 'PUT', body, headers });
  await response.arrayBuffer();
  return response.status;
}

describe('probekit mock and its control API', () => {
  it('keeps --path after a PUT of a script without paths (regression: the new script answered every path)', async () => {
    const run = await mock(['200...', '--path', '/healthz']);
    expect(await put(`${run.controlUrl}/__probekit/script`, '503...')).toBe(200);
    const origin = run.url.replace('/healthz', '');
    expect(await viaNodeHttp(`${origin}/healthz`)).toMatchObject({ status: 503 });
    expect(await viaNodeHttp(`${origin}/other`)).toMatchObject({ status: 404 });
    run.interrupt();
    expect(await run.exit).toBe(0);
  });

  it('counts requests across a reset, in the singular for one (regression: "stopped after 1 requests" after three)', async () => {
    const run = await mock(['200...']);
    for (let i = 0; i < 2; i++) await viaNodeHttp(run.url);
    const reset = await fetch(`${run.controlUrl}/__probekit/reset`, {
      method: 'POST',
      headers: { 'x-probekit': '1' },
    });
    expect(reset.status).toBe(200);
    await viaNodeHttp(run.url);
    run.interrupt();
    await run.exit;
    expect(run.stderr()).toContain('stopped after 3 requests (seed 0)');

    const once = await mock(['200...']);
    await viaNodeHttp(once.url);
    once.interrupt();
    await once.exit;
    expect(once.stderr()).toContain('stopped after 1 request (seed 0)');
  });

  it('prints the control API on its own port, which answers while the script refuses', async () => {
    const run = await mock(['refuse 1h, 200...']);
    expect(run.controlUrl).not.toBe(run.url);
    expect(await viaNodeHttp(run.url)).toMatchObject({ code: 'ECONNREFUSED' });
    expect(await viaNodeHttp(`${run.controlUrl}/__probekit/journal`)).toMatchObject({ status: 200 });
    run.interrupt();
    expect(await run.exit).toBe(0);
  });

  it('requires the token from --control-token or PROBEKIT_CONTROL_TOKEN', async () => {
    const fromFlag = await mock(['200...', '--control-token', 'fl4g']);
    expect(fromFlag.stderr()).toContain('token required');
    expect(await put(`${fromFlag.controlUrl}/__probekit/script`, '503')).toBe(401);
    expect(
      await put(`${fromFlag.controlUrl}/__probekit/script`, '503', { authorization: 'Bearer fl4g' }),
    ).toBe(200);
    fromFlag.interrupt();
    await fromFlag.exit;

    const fromEnv = await mock(['200...'], { PROBEKIT_CONTROL_TOKEN: 'env-t0ken' });
    expect(await put(`${fromEnv.controlUrl}/__probekit/script`, '503')).toBe(401);
    expect(
      await put(`${fromEnv.controlUrl}/__probekit/script`, '503', { 'x-probekit-token': 'env-t0ken' }),
    ).toBe(200);
    fromEnv.interrupt();
    await fromEnv.exit;
  });
});

describe('probekit mock with a pathological definition', () => {
  it('exits 2 with a probekit: message for a definition nested 5,000 deep (regression: a bare RangeError, exit 1)', async () => {
    // Written as text: JSON.stringify itself would overflow the stack on it.
    const item = `${'{"kind":"repeat","times":2,"item":'.repeat(5000)}{"kind":"hang"}${'}'.repeat(5000)}`;
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"routes":[{"path":"*","script":[${item}]}]}`);
    const cli = memoryIo();
    expect(await main(['mock', '--config', file], cli.io)).toBe(2);
    expect(cli.stderr()).toMatch(/^probekit: /);
    expect(cli.stderr()).toContain(`nests more than ${LIMITS.maxJsonDepth} levels deep`);
    expect(cli.stderr()).not.toContain('RangeError');
  });

  it('exits 2 for a bad --control-token', async () => {
    const cli = memoryIo();
    expect(await main(['mock', '200', '--control-token', 'has space'], cli.io)).toBe(2);
    expect(cli.stderr()).toContain('--control-token');
  });
});
