import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import FakeTimers from '@sinonjs/fake-timers';
import { afterEach, describe, expect, it } from 'vitest';
import { createServeCommand } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../support/cli-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves with the text a stream has produced once `until` holds for it. */
function waitForText(
  stream: Readable,
  until: (text: string) => boolean,
  seen: { text: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (until(seen.text)) {
        stream.off('data', onData);
        stream.off('end', onEnd);
        resolve(seen.text);
        return true;
      }
      return false;
    };
    const onData = () => check();
    const onEnd = () => {
      if (!check()) reject(new Error(`stream ended; got ${JSON.stringify(seen.text)}`));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    check();
  });
}

function collect(stream: Readable): { text: string } {
  const seen = { text: '' };
  stream.on('data', (chunk: Buffer | string) => {
    seen.text += chunk.toString();
  });
  return seen;
}

async function status(url: string, path = '/healthz'): Promise<number> {
  const response = await fetch(`${url}${path}`, { headers: { connection: 'close' } });
  await response.arrayBuffer();
  return response.status;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/;

/** Runs `probekit serve` in process with a virtual clock and fake signals. */
async function serveInProcess(args: string[]) {
  const clock = FakeTimers.createClock(0);
  const signals = new EventEmitter();
  const io = memoryIo();
  const stdout = io.io.stdout as unknown as Readable;
  const out = collect(stdout);
  const err = collect(io.io.stderr as unknown as Readable);
  const exit = main(['serve', '--port', '0', '--host', '127.0.0.1', ...args], io.io, [
    createServeCommand({ clock, signals }),
  ]);
  const text = await Promise.race([
    waitForText(stdout, (t) => LISTENING.test(t), out),
    exit.then((code) => Promise.reject(new Error(`exited ${code}: ${io.stderr()}`))),
  ]);
  const url = LISTENING.exec(text)?.[1] as string;
  let answers = 0;
  const send = async (line: string): Promise<string> => {
    io.stdin.write(`${line}\n`);
    answers += 1;
    const all = await waitForText(stdout, (t) => t.split('\n').length - 2 >= answers, out);
    return all.split('\n')[answers] as string;
  };
  return { clock, signals, io, url, exit, send, out, err };
}

describe('probekit serve --help', () => {
  it('documents every flag, the stdin commands and the signals', async () => {
    const io = memoryIo();
    expect(await main(['serve', '--help'], io.io)).toBe(0);
    for (const text of [
      '--flavour',
      '--port',
      '--host',
      '--ready ',
      '--not-ready',
      '--ready-after',
      '--app-id',
      '--outbound',
      '--grace',
      '--quiet',
      'ready | not-ready',
      'status',
      'SIGUSR1',
      'SIGUSR2',
      'SIGTERM',
    ]) {
      expect(io.stdout()).toContain(text);
    }
  });
});

describe('probekit serve rejects bad flags with exit code 2', () => {
  it.each([
    [['--flavour', 'edge'], '--flavour "edge"'],
    [['--port', '70000'], '--port 70000'],
    [['--port', 'http'], '--port "http"'],
    [['--ready', '--not-ready'], 'exclude each other'],
    [['--ready', '--ready-after', '1s'], 'exclude each other'],
    [['--ready-after', 'soon'], '"soon"'],
    [['--app-id', 'orders'], '--app-id needs --flavour sidecar'],
    [['--outbound'], '--outbound needs --flavour sidecar'],
    [['extra'], 'unexpected argument "extra"'],
  ])('%j', async (args, message) => {
    const io = memoryIo();
    expect(await main(['serve', ...args], io.io)).toBe(2);
    expect(io.stderr()).toContain(message);
  });
});

describe('probekit serve on a port that is in use', () => {
  it('exits 1 and says which port', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const io = memoryIo();
      expect(await main(['serve', '--port', String(port), '--host', '127.0.0.1'], io.io)).toBe(1);
      expect(io.stderr()).toContain(`port ${port}`);
    } finally {
      blocker.close();
    }
  });
});

describe('probekit serve readiness control (in process)', () => {
  let stop: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('flips readiness with stdin commands, one answer line each, in effect before the answer', async () => {
    const run = await serveInProcess([]);
    stop = async () => {
      run.io.interrupt();
      return run.exit;
    };
    expect(await status(run.url)).toBe(503);
    expect(await run.send('ready')).toBe('ok');
    expect(await status(run.url)).toBe(200);
    expect(await run.send('status')).toBe('ok ready');
    expect(await run.send('  not-ready\r')).toBe('ok');
    expect(await status(run.url)).toBe(503);
    expect(await run.send('reboot')).toBe(
      'error unknown command "reboot": expected one of ready, not-ready, status',
    );
    run.io.interrupt();
    expect(await run.exit).toBe(0);
    stop = undefined;
  });

  it('--ready-after becomes ready on the clock, unless a command takes control first', async () => {
    const run = await serveInProcess(['--ready-after', '3s']);
    stop = async () => {
      run.io.interrupt();
      return run.exit;
    };
    await run.clock.tickAsync(2999);
    expect(await status(run.url)).toBe(503);
    await run.clock.tickAsync(1);
    expect(await status(run.url)).toBe(200);
    expect(run.err.text).toContain('readiness → ready (after 3s)');

    const second = await serveInProcess(['--ready-after', '3s']);
    expect(await second.send('not-ready')).toBe('ok');
    await second.clock.tickAsync(5000);
    expect(await status(second.url)).toBe(503);
    second.io.interrupt();
    expect(await second.exit).toBe(0);
  });

  it('SIGUSR1 makes it ready and SIGUSR2 not ready', async () => {
    const run = await serveInProcess(['--ready']);
    stop = async () => {
      run.io.interrupt();
      return run.exit;
    };
    expect(await status(run.url)).toBe(200);
    run.signals.emit('SIGUSR2');
    expect(await status(run.url)).toBe(503);
    run.signals.emit('SIGUSR1');
    expect(await status(run.url)).toBe(200);
    run.io.interrupt();
    expect(await run.exit).toBe(0);
    stop = undefined;
    expect(run.signals.listenerCount('SIGUSR1') + run.signals.listenerCount('SIGUSR2')).toBe(0);
  });

  it('the sidecar flavour serves /v1.0/healthz and takes the outbound commands', async () => {
    const run = await serveInProcess(['--flavour', 'sidecar', '--outbound', '--app-id', 'orders']);
    stop = async () => {
      run.io.interrupt();
      return run.exit;
    };
    expect(await status(run.url, '/v1.0/healthz')).toBe(500);
    expect(await run.send('ready')).toBe('ok');
    expect(await status(run.url, '/v1.0/healthz')).toBe(204);
    expect(await status(run.url, '/v1.0/healthz?appid=billing')).toBe(500);
    expect(await status(run.url, '/v1.0/healthz/outbound')).toBe(500);
    expect(await run.send('outbound-ready')).toBe('ok');
    expect(await status(run.url, '/v1.0/healthz/outbound')).toBe(204);
    expect(await run.send('status')).toBe('ok ready outbound-ready');
  });
});

describe('probekit serve end to end (node bin/probekit.js)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('starts, flips readiness over stdin and SIGUSR1, and exits 0 on SIGTERM after a graceful shutdown', async () => {
    expect(existsSync(`${root}dist/cli/main.js`), 'dist/ is missing: run "npm run build" first').toBe(true);
    child = spawn(
      process.execPath,
      ['bin/probekit.js', 'serve', '--port', '0', '--host', '127.0.0.1', '--grace', '1s'],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
    const out = collect(child.stdout);
    const err = collect(child.stderr);
    const exited = once(child, 'exit');
    const text = await waitForText(child.stdout, (t) => LISTENING.test(t), out);
    const url = LISTENING.exec(text)?.[1] as string;
    expect(err.text).toMatch(/Healthz server is listening on :\d+/);

    expect(await status(url)).toBe(503);
    child.stdin.write('ready\n');
    await waitForText(child.stdout, (t) => t.endsWith('ok\n'), out);
    expect(await status(url)).toBe(200);
    child.stdin.write('not-ready\n');
    await waitForText(child.stdout, (t) => t.split('ok\n').length === 3, out);
    expect(await status(url)).toBe(503);

    child.kill('SIGUSR1');
    await waitForText(child.stderr, (t) => t.includes('readiness → ready (SIGUSR1)'), err);
    expect(await status(url)).toBe(200);

    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(err.text).toContain('Healthz server is shutting down');
  });
});
