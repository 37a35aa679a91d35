import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Trace } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';

let server: Server;
let url: string;
let count = 0;

beforeAll(async () => {
  // 200, 503, 503, then 200 for ever.
  server = createServer((_req, res) => {
    const status = [200, 503, 503][count++] ?? 200;
    res.writeHead(status, { 'content-length': '0' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('probekit check', () => {
  it('prints every signal, every probe with --verbose, writes the trace and stops after --duration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-check-'));
    const tracePath = join(dir, 'trace.json');
    const t = memoryIo();
    const code = await main(
      [
        'check',
        url,
        '--interval',
        '40ms',
        '--initial-delay',
        '0',
        '--timeout',
        '1s',
        '--duration',
        '400ms',
        '--verbose',
        '--trace',
        tracePath,
      ],
      t.io,
    );
    expect(code).toBe(0);
    const out = t.stdout();
    expect(out).toMatch(/checking http:\/\/127\.0\.0\.1:\d+\/healthz every 40ms \(timeout 1s, threshold 2/);
    const signals = out.split('\n').filter((line) => / (true|false) {1,2}(un)?healthy/.test(line));
    expect(signals[0]).toMatch(/true {2}healthy/);
    expect(signals[1]).toMatch(/false unhealthy/);
    expect(out).toMatch(/probe #1 → 503: failure \(≠ 200\), failures in a row: 1/);
    expect(out).toMatch(/stopped\n$/);
    const trace = JSON.parse(await readFile(tracePath, 'utf8')) as Trace;
    expect(trace.probes.slice(0, 3).map((p) => p.outcome)).toEqual(['200', '503', '503']);
    expect(trace.signals.slice(0, 2).map((s) => s.value)).toEqual([true, false]);
    // The options in force travel with the trace, so explain --trace can draw the threshold.
    expect(trace.options).toEqual({
      initialDelayMs: 0,
      intervalMs: 40,
      requestTimeoutMs: 1000,
      failureThreshold: 2,
      successStatusCode: 200,
    });
    // Times are rounded to the microsecond: no float noise such as 2006.1338170000001.
    const times = [trace.durationMs, ...trace.probes.flatMap((p) => [p.start, p.end ?? 0])];
    expect(times.filter((ms) => Math.round(ms * 1000) / 1000 !== ms)).toEqual([]);
  });

  it('stops cleanly with exit code 0 when interrupted', async () => {
    const t = memoryIo();
    const running = main(['check', url, '--interval', '20ms', '--initial-delay', '0'], t.io);
    await new Promise<void>((resolve) => {
      const seen = () => {
        if (/ (true|false) /.test(t.stdout())) {
          t.io.stdout.off('data', seen);
          resolve();
        }
      };
      t.io.stdout.on('data', seen);
    });
    t.interrupt();
    expect(await running).toBe(0);
    expect(t.stdout()).toMatch(/stopped\n$/);
  });

  it.each([
    [['check'], /expected exactly one URL, got 0/],
    [
      ['check', 'http://127.0.0.1:9/healthz', '--interval', '5x'],
      /--interval "5x": unexpected "x" at column 2/,
    ],
    [['check', 'http://127.0.0.1:9/healthz', '--interval', '0s'], /interval 0 is not positive/],
    [
      ['check', 'http://127.0.0.1:9/healthz', '--threshold', 'two'],
      /--threshold "two": it is not a whole number/,
    ],
    [['check', 'http://127.0.0.1:9/healthz', '--success-status', '700'], /successStatusCode 700/],
    [
      ['check', 'http://127.0.0.1:9/healthz', '--bogus'],
      /Failed to read --bogus: "probekit check" has no such flag\. Its flags are --interval, /,
    ],
    [
      ['check', 'http://127.0.0.1:9/healthz', '--intreval', '1s'],
      /Failed to read --intreval: "probekit check" has no such flag\. Did you mean --interval\?/,
    ],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const t = memoryIo();
    expect(await main(args as string[], t.io)).toBe(2);
    expect(t.stderr()).toMatch(message);
  });

  it('documents every flag in --help', async () => {
    const t = memoryIo();
    expect(await main(['check', '--help'], t.io)).toBe(0);
    for (const flag of [
      '--interval',
      '--timeout',
      '--threshold',
      '--initial-delay',
      '--success-status',
      '--verbose',
    ]) {
      expect(t.stdout()).toContain(flag);
    }
  });
});
