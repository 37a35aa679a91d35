// A page in headless Chromium, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: Chromium reads commands on fd 3 and writes replies and events on
// fd 4, each a JSON message ended by a NUL byte). No port is opened and no library is needed:
// the handful of commands the report check uses fit here. Every request the page makes is
// recorded (Network.requestWillBeSent), and so is every console or CSP message (Log.entryAdded).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium's flags: headless, no sandbox (root in CI), no GPU, and none of its own network chatter. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--hide-scrollbars',
  '--remote-debugging-pipe',
];

type Message = { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string } & {
  result?: Record<string, unknown>;
  error?: { message: string };
};

export interface OpenedPage {
  /** Every URL the page asked for, its own document included, in order. */
  readonly requests: string[];
  /** Console and browser log lines (a CSP violation lands here). */
  readonly log: string[];
  /** Evaluates an expression in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Opens `url` in a fresh headless Chromium with a viewport of `width` × `height` CSS px and
 * resolves once the page's load event has fired. Bounded: every command gives up after
 * `timeoutMs`, and close() kills the browser.
 */
export async function openPage(
  url: string,
  { width, height, timeoutMs = 60_000 }: { width: number; height: number; timeoutMs?: number },
): Promise<OpenedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'probekit-chromium-'));
  const child: ChildProcess = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    // Its own process group, so a fallback kill reaches its helper processes too.
    detached: true,
  });
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let nextId = 0;
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners: Array<(m: Message) => void> = [];
  let buffered = '';
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end)) as Message;
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(`Chromium: ${message.error.message}`));
        else waiter?.resolve(message);
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`Chromium exited: ${stderr}`));
    pending.clear();
  });

  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) => {
    const id = ++nextId;
    const reply = new Promise<Message>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
    return withTimeout(reply, timeoutMs, `${method} got no reply`).then((m) => m.result ?? {});
  };
  // Browser.close lets Chromium end its own helper processes (a SIGKILL to the browser alone
  // leaves them writing into the profile); the kill of its process group is the fallback.
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        input.write(`${JSON.stringify({ id: ++nextId, method: 'Browser.close', params: {} })}\0`);
        await withTimeout(exited, 10_000, 'Chromium did not close').catch(() => {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          return exited;
        });
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    })();
    return closing;
  };

  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const requests: string[] = [];
    const log: string[] = [];
    let loaded: () => void = () => {};
    const load = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Network.requestWillBeSent') {
        requests.push(String((m.params?.request as { url?: string } | undefined)?.url));
      } else if (m.method === 'Log.entryAdded') {
        const entry = m.params?.entry as { level?: string; text?: string } | undefined;
        log.push(`${entry?.level}: ${entry?.text}`);
      } else if (m.method === 'Runtime.consoleAPICalled') {
        log.push(`console: ${JSON.stringify(m.params?.args)}`);
      } else if (m.method === 'Page.loadEventFired') {
        loaded();
      }
    });
    for (const domain of ['Network', 'Page', 'Log', 'Runtime']) await send(`${domain}.enable`, {}, sessionId);
    await send(
      'Emulation.setDeviceMetricsOverride',
      { width, height, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    await send('Page.navigate', { url }, sessionId);
    await withTimeout(load, timeoutMs, `${url} did not finish loading`);
    return {
      requests,
      log,
      async evaluate<T>(expression: string) {
        const result = (await send(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          sessionId,
        )) as { result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: unknown } };
        if (result.exceptionDetails) {
          throw new Error(
            `the page threw: ${JSON.stringify(result.exceptionDetails.exception ?? result.exceptionDetails.text)}`,
          );
        }
        return result.result?.value as T;
      },
      async screenshot() {
        const { data } = (await send('Page.captureScreenshot', { format: 'png' }, sessionId)) as {
          data: string;
        };
        return Buffer.from(data, 'base64');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
