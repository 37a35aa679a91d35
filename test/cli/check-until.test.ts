import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

/** A real server on 127.0.0.1 that answers every request with `handler`, counting them. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer((req, res) => {
    served.requests++;
    handler(req, res);
  });
  const served = { server, url: '', requests: 0 };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  served.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  return served;
}

let healthy: Awaited<ReturnType<typeof serve>>;
let unhealthy: Awaited<ReturnType<typeof serve>>;
let hanging: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  healthy = await serve((_req, res) => res.writeHead(200, { 'content-length': '0' }).end());
  unhealthy = await serve((_req, res) => res.writeHead(503, { 'content-length': '0' }).end());
  // Never answers: no probe ever finishes, so no signal can come before the deadline.
  hanging = await serve(() => {});
});

afterAll(async () => {
  for (const { server } of [healthy, unhealthy, hanging]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const fast = ['--interval', '20ms', '--initial-delay', '0', '--timeout', '1s'];

/** Runs `probekit check …`; resolves with the exit code and the last line of stdout. */
async function check(args: string[]) {
  const t = memoryIo();
  const code = await main(['check', ...args], t.io);
  const lines = t.stdout().trimEnd().split('\n');
  return { code, lines, last: lines.at(-1) ?? '', stderr: t.stderr() };
}

describe('probekit check --until gates a pipeline on the first signal', () => {
  it('exits 0 at the first true with --until healthy, naming the last probe', async () => {
    const { code, lines, last } = await check([
      healthy.url,
      ...fast,
      '--until',
      'healthy',
      '--deadline',
      '30s',
    ]);
    expect(code).toBe(0);
    expect(last).toMatch(/ healthy: got true \(last probe: 200\)$/);
    // It stopped at the first signal: exactly one signal line was printed.
    expect(lines.filter((line) => / true {2}healthy$/.test(line))).toHaveLength(1);
  });

  it('exits 1 when false comes first with --until healthy, and says so', async () => {
    const { code, last } = await check([unhealthy.url, ...fast, '--until', 'healthy', '--deadline', '30s']);
    expect(code).toBe(1);
    expect(last).toMatch(/ not healthy: got false first \(last probe: 503\)$/);
  });

  it('mirrors it with --until unhealthy: 0 at the first false, 1 at a true', async () => {
    const down = await check([unhealthy.url, ...fast, '--until', 'unhealthy']);
    expect(down.code).toBe(0);
    expect(down.last).toMatch(/ unhealthy: got false \(last probe: 503\)$/);
    const up = await check([healthy.url, ...fast, '--until', 'unhealthy']);
    expect(up.code).toBe(1);
    expect(up.last).toMatch(/ not unhealthy: got true first \(last probe: 200\)$/);
  });

  it('exits 1 when the deadline passes before any signal, and says no probe finished', async () => {
    const { code, last } = await check([
      hanging.url,
      '--interval',
      '20ms',
      '--initial-delay',
      '0',
      '--timeout',
      '60s',
      '--until',
      'healthy',
      '--deadline',
      '200ms',
    ]);
    expect(code).toBe(1);
    expect(last).toMatch(
      / not healthy: the deadline of 200ms passed without a signal \(last probe: none finished\)$/,
    );
    expect(hanging.requests).toBeGreaterThan(0);
  });

  it('exits 1 when interrupted before the signal it waits for', async () => {
    const t = memoryIo();
    const running = main(['check', hanging.url, ...fast, '--timeout', '60s', '--until', 'healthy'], t.io);
    await new Promise<void>((resolve) => {
      const seen = () => {
        if (t.stdout().includes('checking ')) {
          t.io.stdout.off('data', seen);
          resolve();
        }
      };
      t.io.stdout.on('data', seen);
    });
    t.interrupt();
    expect(await running).toBe(1);
    expect(t.stdout()).toMatch(/ not healthy: interrupted before a signal \(last probe: none finished\)\n$/);
  });

  it.each([
    [['--deadline', '5s'], 'Failed to use --deadline: it bounds the wait of --until, which is missing.'],
    [
      ['--until', 'up'],
      'Failed to read --until "up": it is not a state. Use --until healthy or --until unhealthy.',
    ],
    [['--until', 'healthy', '--duration', '1s'], 'Failed to use --duration with --until'],
    [['--until', 'healthy', '--deadline', '800h'], '--deadline "800h"'],
  ])('refuses %j with exit code 2 before probing', async (flags, message) => {
    const before = healthy.requests;
    const { code, stderr, lines } = await check([healthy.url, ...fast, ...flags]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(lines).toEqual(['']);
    expect(healthy.requests).toBe(before);
  });
});

describe('probekit check refuses what would fail only at the end', () => {
  it('refuses a --trace in a folder that does not exist before the first probe (regression: a bare ENOENT after the whole run)', async () => {
    const before = healthy.requests;
    const { code, stderr, lines } = await check([
      healthy.url,
      ...fast,
      '--duration',
      '1s',
      '--trace',
      '/nonexistent-dir/x.json',
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'probekit: Failed to use --trace "/nonexistent-dir/x.json": the folder "/nonexistent-dir" does not exist. Create it first.\n',
    );
    expect(lines).toEqual(['']);
    expect(healthy.requests).toBe(before);
  });

  it('refuses an --interval past the longest timer instead of flooding TimeoutOverflowWarnings (regression)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const { code, stderr } = await check([healthy.url, '--interval', '800h']);
      expect(code).toBe(2);
      // The limit and the flag, whichever layer (args.ts or parseDuration) words it.
      expect(stderr).toMatch(
        /^probekit: Failed to \w+ --interval "800h": .*2147483647 ms \(about 24\.8 days\).*596h/,
      );
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });
});
