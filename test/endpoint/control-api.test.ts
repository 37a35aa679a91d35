import { request } from 'node:http';
import FakeTimers from '@sinonjs/fake-timers';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_PAGE, MAX_CONTROL_SCRIPT_BYTES } from '../../src/endpoint/backends/server/control-api.js';
import {
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from '../../src/endpoint/backends/server/server.js';
import type { Decision } from '../../src/endpoint/engine/decision.js';
import { MAX_JOURNAL_PATH_CHARS } from '../../src/endpoint/engine/journal.js';
import { viaNodeHttp } from './clients.js';

const running: MockServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(script: string, options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer(script, options);
  running.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

/** One request over its own connection with exactly these headers (node:http lets us set Host and Origin). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(body) as Record<string, unknown>;
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', (error: Error & { code?: string }) =>
          resolve({ error: error.code ?? error.message }),
        );
      },
    );
    req.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }));
    req.end(options.body);
  });
}

async function answer(url: string, options?: Parameters<typeof send>[1]): Promise<Answer> {
  const result = await send(url, options);
  if ('error' in result) throw new Error(`no answer from ${url}: ${result.error}`);
  return result;
}

function errorMessage(result: Answer): string {
  return (result.json.error as { message: string }).message;
}

const WRITE = { 'x-probekit': '1' };

const OK: Decision = {
  action: 'respond',
  status: 200,
  headers: undefined,
  body: undefined,
  delay: 0,
  dribble: undefined,
  over: 0,
  source: 'script',
  route: '*',
};

describe('the control API on its own listener', () => {
  it('stays reachable while the script refuses connections (regression: it closed with the endpoint)', async () => {
    const server = await start('refuse 1h, 200...');
    expect(server.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.controlUrl).not.toBe(server.url);
    expect(await viaNodeHttp(server.url)).toMatchObject({ code: 'ECONNREFUSED' });
    const journal = await answer(`${server.controlUrl}/__probekit/journal`);
    expect(journal.status).toBe(200);
    const replaced = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'PUT',
      body: '204...',
    });
    expect(replaced.json.dsl).toBe('204...');
    let seen: unknown;
    for (let i = 0; i < 200 && (seen as { status?: number } | undefined)?.status !== 204; i++) {
      seen = await viaNodeHttp(server.url);
    }
    expect(seen).toMatchObject({ status: 204 });
  });

  it('serves only the control API, and names the endpoint for anything else', async () => {
    const server = await start('200...');
    const other = await answer(`${server.controlUrl}/healthz`);
    expect(other.status).toBe(404);
    expect(other.body).toContain(`The endpoint is at ${server.url}.`);
    expect(server.journal.total).toBe(0);
  });

  it('has none with control off', async () => {
    const server = await start('200...', { control: 'off' });
    expect(server.controlUrl).toBeUndefined();
  });

  it('answers a PUT on the main port that starts a refusal, then closes that connection (regression: "Empty reply from server")', async () => {
    const server = await start('200...');
    const put = await answer(`${server.url}/__probekit/script`, { method: 'PUT', body: 'refuse 1h, 200...' });
    expect(put.status).toBe(200);
    expect(put.json.dsl).toBe('refuse 1h, 200...');
    expect(put.headers.connection).toBe('close');
    expect(await viaNodeHttp(server.url)).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers a reset on the main port that starts a refusal (on a virtual clock)', async () => {
    const clock = FakeTimers.createClock(0);
    const server = await start('refuse 1h, 200...', { clock });
    clock.tick(3_600_000);
    let first: unknown;
    for (let i = 0; i < 200 && (first as { status?: number } | undefined)?.status !== 200; i++) {
      first = await viaNodeHttp(server.url);
    }
    expect(first).toMatchObject({ status: 200 });
    const reset = await answer(`${server.url}/__probekit/reset`, { method: 'POST', headers: WRITE });
    expect(reset.status).toBe(200);
    expect(reset.json.reset).toBe(true);
    expect(await viaNodeHttp(server.url)).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the control API refuses what a web page could send', () => {
  it('refuses a foreign Origin, even with a simple text/plain POST that would replace the script (regression: it replaced it)', async () => {
    const server = await start('200...');
    const evil = await answer(`${server.url}/__probekit/script`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: '500...',
    });
    expect(evil.status).toBe(403);
    expect(errorMessage(evil)).toContain('"http://evil.example"');
    expect(server.definition).toEqual({
      routes: [{ path: '*', script: [{ kind: 'forever', item: { kind: 'status', status: 200 } }] }],
    });
  });

  it('refuses a Host that is not the server (DNS rebinding), and accepts its IP or localhost', async () => {
    const server = await start('200...');
    const rebound = await answer(`${server.url}/__probekit/journal`, {
      headers: { host: `evil.example:${server.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(errorMessage(rebound)).toContain('DNS rebinding');
    expect(
      (await answer(`${server.url}/__probekit/journal`, { headers: { host: `localhost:${server.port}` } }))
        .status,
    ).toBe(200);
    const otherPort = await answer(`${server.url}/__probekit/journal`, { headers: { host: '127.0.0.1:1' } });
    expect(otherPort.status).toBe(403);
  });

  it('accepts an Origin that is the server itself', async () => {
    const server = await start('200...');
    const own = await answer(`${server.controlUrl}/__probekit/journal`, {
      headers: { origin: server.controlUrl as string },
    });
    expect(own.status).toBe(200);
  });

  it('needs a JSON content type or an X-Probekit header to POST, and takes PUT as it is', async () => {
    const server = await start('200...');
    const plain = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '500...',
    });
    expect(plain.status).toBe(403);
    expect(errorMessage(plain)).toContain('X-Probekit: 1');
    const bare = await answer(`${server.controlUrl}/__probekit/reset`, { method: 'POST' });
    expect(bare.status).toBe(403);
    const withHeader = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...WRITE },
      body: '501...',
    });
    expect(withHeader.json.dsl).toBe('501...');
    const asJson = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routes: [{ path: '*', script: [{ kind: 'status', status: 502 }] }] }),
    });
    expect(asJson.json.dsl).toBe('502');
    const put = await answer(`${server.controlUrl}/__probekit/script`, { method: 'PUT', body: '503...' });
    expect(put.json.dsl).toBe('503...');
  });

  it('asks for the token when one is set, by either header', async () => {
    const server = await start('200...', { controlToken: 's3cret' });
    const none = await answer(`${server.controlUrl}/__probekit/journal`);
    expect(none.status).toBe(401);
    expect(errorMessage(none)).toContain('carries no token');
    const wrong = await answer(`${server.controlUrl}/__probekit/journal`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('s3cret');
    expect(
      (
        await answer(`${server.controlUrl}/__probekit/journal`, {
          headers: { authorization: 'Bearer s3cret' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await answer(`${server.url}/__probekit/journal`, { headers: { 'x-probekit-token': 's3cret' } }))
        .status,
    ).toBe(200);
  });
});

describe('bad control requests', () => {
  it('says what is wrong with limit=0.5 (regression: it answered with an internal TypeError)', async () => {
    const server = await start('200...');
    const half = await answer(`${server.controlUrl}/__probekit/journal?limit=0.5`);
    expect(half.status).toBe(400);
    expect(errorMessage(half)).toBe(
      'Failed to read the journal: limit "0.5" is not a whole number of 0 or more. Write ?limit=100.',
    );
    const huge = await answer(`${server.controlUrl}/__probekit/journal?limit=${JOURNAL_PAGE.max + 1}`);
    expect(errorMessage(huge)).toContain(`is more than ${JOURNAL_PAGE.max}`);
  });

  it('refuses a script body over the limit with 413, keeping the script (regression: 1 MiB stalled the server)', async () => {
    const server = await start('200...');
    const big = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'PUT',
      body: `200, ${'x'.repeat(MAX_CONTROL_SCRIPT_BYTES)}`,
    });
    expect(big.status).toBe(413);
    expect(errorMessage(big)).toContain(`larger than the limit of ${MAX_CONTROL_SCRIPT_BYTES} bytes`);
    expect(server.definition.routes[0]?.script).toEqual([
      { kind: 'forever', item: { kind: 'status', status: 200 } },
    ]);
  });

  it('quotes a window of a long bad line, not the whole line', async () => {
    const server = await start('200...');
    const bad = await answer(`${server.controlUrl}/__probekit/script`, {
      method: 'PUT',
      body: `${'200, '.repeat(5000)}hng`,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.length).toBeLessThan(2000);
    expect((bad.json.error as { column: number }).column).toBe(25_001);
  });
});

describe('reading the journal over HTTP', () => {
  it('pages with since and limit, and says where the next page starts', async () => {
    const server = await start('200...');
    for (let i = 0; i < 5; i++) await viaNodeHttp(`${server.url}/${i}`);
    const first = await answer(`${server.controlUrl}/__probekit/journal?since=0&limit=2`);
    const entries = (page: Answer) =>
      (page.json.entries as Array<{ index: number; path: string }>).map((e) => e.path);
    expect(entries(first)).toEqual(['/0', '/1']);
    expect(first.json.next).toBe(2);
    const rest = await answer(`${server.controlUrl}/__probekit/journal?since=${first.json.next}&limit=10`);
    expect(entries(rest)).toEqual(['/2', '/3', '/4']);
    expect(rest.json.next).toBe(5);
    const tail = await answer(`${server.controlUrl}/__probekit/journal?limit=1`);
    expect(entries(tail)).toEqual(['/4']);
  });

  it('cuts a page at about a megabyte, and the next pages carry on where it stopped', async () => {
    const server = await start('200...');
    for (let i = 0; i < 3000; i++) server.journal.record(i, 'GET', `/${i}/${'p'.repeat(2000)}`, OK, i);
    const first = await answer(`${server.controlUrl}/__probekit/journal?since=0`);
    const count = (first.json.entries as unknown[]).length;
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(JOURNAL_PAGE.default);
    expect(first.body.length).toBeLessThan(JOURNAL_PAGE.bytes * 1.2);
    expect(first.json.next).toBe(count);
    const seen = (first.json.entries as Array<{ index: number }>).map((e) => e.index);
    let next = first.json.next as number;
    for (let pages = 0; pages < 20 && next < 3000; pages++) {
      const page = await answer(`${server.controlUrl}/__probekit/journal?since=${next}`);
      seen.push(...(page.json.entries as Array<{ index: number }>).map((e) => e.index));
      next = page.json.next as number;
    }
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('gives times in ms since the server started, and ISO wall-clock times', async () => {
    const clock = FakeTimers.createClock(5000);
    const wall = Date.parse('2026-01-01T00:00:00.000Z');
    const server = await start('200...', { clock, wallClock: () => wall });
    clock.tick(1500);
    await viaNodeHttp(`${server.url}/healthz`);
    const page = await answer(`${server.controlUrl}/__probekit/journal`);
    expect(page.json).toMatchObject({ startedAt: '2026-01-01T00:00:00.000Z', now: 1500 });
    expect(page.json.entries).toEqual([
      expect.objectContaining({
        time: 1500,
        at: '2026-01-01T00:00:01.500Z',
        endedAt: 1500,
        fate: 'completed',
      }),
    ]);
    expect(server.journal.at(0)?.time).toBe(6500);
  });

  it('keeps a 15 KB path cut short, in memory and in the JSON (regression: 10,000 of them took 170 MB)', async () => {
    const server = await start('/healthz: 200...');
    const path = `/${'p'.repeat(15_000)}`;
    expect(await viaNodeHttp(`${server.url}${path}`)).toMatchObject({ status: 404 });
    const kept = server.journal.at(0);
    expect(kept?.path.length).toBeLessThan(MAX_JOURNAL_PATH_CHARS + 20);
    expect(kept?.decision.body?.length).toBeLessThan(MAX_JOURNAL_PATH_CHARS + 500);
    const page = await answer(`${server.controlUrl}/__probekit/journal`);
    expect(page.body.length).toBeLessThan(3000);
  });
});
