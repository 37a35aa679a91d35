import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

/** Waits until the command has printed `count` signal lines, then interrupts it. */
async function signalsThenStop(t: ReturnType<typeof memoryIo>, count: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const seen = () => {
      if ((t.stdout().match(/ (true|false) /g) ?? []).length >= count) {
        t.io.stdout.off('data', seen);
        resolve();
      }
    };
    t.io.stdout.on('data', seen);
    seen();
  });
  t.interrupt();
}

describe('probekit check --profile', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Always 503: dapr-1.0 says false once per streak, dapr-1.1 on every failure past the threshold.
    server = createServer((_req, res) => res.writeHead(503, { 'content-length': '0' }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('under dapr-1.1 repeats false on every failure past the threshold, against a real server', async () => {
    const t = memoryIo();
    const running = main(
      ['check', url, '--profile', 'dapr-1.1', '--interval', '20ms', '--initial-delay', '0'],
      t.io,
    );
    await signalsThenStop(t, 3);
    expect(await running).toBe(0);
    expect(t.stdout().match(/ false /g)?.length).toBeGreaterThanOrEqual(3);
    expect(t.stdout()).not.toMatch(/ true /);
  });

  it('rejects an unknown profile with exit code 2, listing the names', async () => {
    const t = memoryIo();
    expect(await main(['check', url, '--profile', 'dapr-2.0'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/--profile.*"dapr-2\.0".*dapr-0\.6, dapr-1\.0, dapr-1\.1/);
  });
});

describe('probekit conformance checker --profile and --identify', () => {
  it('passes probekit under dapr-1.13 judged as dapr-1.13, in process', async () => {
    const t = memoryIo();
    expect(await main(['conformance', 'checker', '--profile', 'dapr-1.13', '--level', 'core'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/judged as dapr-1\.13/);
  });

  it('identifies probekit under dapr-1.10.5 as dapr-1.10.5, with the ranking', async () => {
    const t = memoryIo();
    expect(await main(['conformance', 'checker', '--identify', '--profile', 'dapr-1.10.5'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^behaves like dapr-1\.10\.5 \(v1\.10\.5–v1\.12\.5\): (\d+)\/\1 cases$/m);
    expect(t.stdout()).toMatch(/differs from dapr-1\.0 \(v0\.11\.3–v1\.0\.1\) on \d+ cases/);
    for (const name of ['dapr-0.6', 'dapr-1.9', 'dapr-apphealth-1.16']) expect(t.stdout()).toContain(name);
  });

  it.each([
    [['--profile', 'v1.1'], /Failed to read --profile: .*no such profile/],
    [['--identify', '--repeat', '2', '--exec', 'true'], /--identify runs every case once/],
  ])('rejects %j with exit code 2', async (flags, message) => {
    const t = memoryIo();
    expect(await main(['conformance', 'checker', ...flags], t.io)).toBe(2);
    expect(t.stderr()).toMatch(message);
  });
});
