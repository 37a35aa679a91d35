import type { ServerResponse } from 'node:http';
import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { get, useHarness } from './support/harness.js';
import type { ProbeServer } from './support/probe-server.js';

const harness = useHarness();
const ORIGINS = 10;

async function servers(count: number): Promise<ProbeServer[]> {
  return Promise.all(Array.from({ length: count }, () => harness.server()));
}

describe('httpTransport drops the pools of origins idle for longer than idleTimeout', () => {
  it('shrinks to the origins still in use, closing the others connections', async () => {
    const clock = FakeTimers.createClock(0);
    const transport = harness.transport({ clock, idleTimeout: 1000 });
    const targets = await servers(ORIGINS);
    for (const target of targets) await get(transport, target.url());
    expect(transport.pooledOrigins).toBe(ORIGINS);

    clock.tick(999);
    await get(transport, targets[0]?.url() as string);
    expect(transport.pooledOrigins).toBe(ORIGINS);

    clock.tick(2);
    await get(transport, targets[0]?.url() as string);
    expect(transport.pooledOrigins).toBe(1);
    await Promise.all(targets.slice(1).map((target) => target.until(() => target.stats.closed === 1)));
    expect(targets[0]?.stats).toMatchObject({ accepted: 1, closed: 0 });
  });

  it('keeps an origin idle for exactly idleTimeout (fasthttp drops only connections idle longer)', async () => {
    const clock = FakeTimers.createClock(0);
    const transport = harness.transport({ clock, idleTimeout: 1000 });
    const [first, second] = (await servers(2)) as [ProbeServer, ProbeServer];
    await get(transport, first.url());
    clock.tick(1000);
    await get(transport, second.url());
    expect(transport.pooledOrigins).toBe(2);
    await get(transport, first.url('/again'));
    expect(first.stats.accepted).toBe(1);
  });

  it('opens a fresh pool for a pruned origin when it is probed again', async () => {
    const clock = FakeTimers.createClock(0);
    const transport = harness.transport({ clock, idleTimeout: 1000 });
    const [first, second] = (await servers(2)) as [ProbeServer, ProbeServer];
    await get(transport, first.url());
    await get(transport, second.url());
    clock.tick(1001);
    await get(transport, first.url());
    expect(transport.pooledOrigins).toBe(1);
    await expect(get(transport, second.url('/again'))).resolves.toEqual({ status: 200 });
    expect(transport.pooledOrigins).toBe(2);
    expect(second.stats.accepted).toBe(2);
  });

  it('keeps the pool of an origin whose probe is still in flight, however long it takes', async () => {
    const clock = FakeTimers.createClock(0);
    const transport = harness.transport({ clock, idleTimeout: 1000 });
    const held: ServerResponse[] = [];
    const slow = await harness.server((_request, response) => held.push(response));
    const other = await harness.server();
    const pending = get(transport, slow.url());
    await slow.until(() => held.length === 1);
    clock.tick(5000);
    await get(transport, other.url());
    expect(transport.pooledOrigins).toBe(2);
    held[0]?.writeHead(204, { 'content-length': 0 }).end();
    await expect(pending).resolves.toEqual({ status: 204 });
  });
});
