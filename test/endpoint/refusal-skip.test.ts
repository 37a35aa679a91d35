import FakeTimers from '@sinonjs/fake-timers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atomAt,
  type Cursor,
  compile,
  INITIAL_CURSOR,
  refusal,
  settle,
} from '../../src/endpoint/engine/engine.js';
import { ScriptPlayer } from '../../src/endpoint/engine/player.js';
import { parseScript } from '../../src/endpoint/script/dsl/index.js';
import type { EndpointDefinition, EndRule, Item } from '../../src/endpoint/script/model.js';

/** The reference: move past ended refuse steps one at a time (what the engine did before). */
function settleOneByOne(route: Parameters<typeof settle>[0], cursor: Cursor, t: number): Cursor {
  let { position, since } = cursor;
  for (let guard = 0; guard < 100_000; guard++) {
    const atom = atomAt(route, position);
    if (atom?.kind !== 'refuse') break;
    const end = since + (atom.for ?? 0);
    if (t < end) break;
    position++;
    since = end;
  }
  return { position, since, received: cursor.received };
}

const refuse: fc.Arbitrary<Item> = fc.integer({ min: 1, max: 4 }).map((ms) => ({ kind: 'refuse', for: ms }));
const status: fc.Arbitrary<Item> = fc.constantFrom<Item>({ kind: 'status', status: 200 }, { kind: 'hang' });
const { item } = fc.letrec<{ item: Item }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    refuse,
    refuse,
    status,
    fc.record({
      kind: fc.constant('repeat' as const),
      times: fc.integer({ min: 1, max: 6 }),
      item: tie('item'),
    }),
    fc.record({
      kind: fc.constant('group' as const),
      items: fc.array(tie('item'), { minLength: 1, maxLength: 3 }),
    }),
  ),
}));
const route = fc.record({
  script: fc.array(item, { minLength: 1, maxLength: 4 }),
  end: fc.constantFrom<EndRule | 'forever'>('last', 'cycle', 'end', 'forever'),
});

describe('skipping refuse steps', () => {
  it('answers 200 at 100,001 ms after refuse 1ms*100001 (regression: it gave up after 100,000 steps and refused forever)', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('refuse 1ms*100001, 200...', { clock });
    clock.tick(100_000);
    expect(player.receive('GET', '/', clock.now).refused).toBe(true);
    clock.tick(1);
    const answer = player.receive('GET', '/', clock.now);
    expect(answer.refused ? 'refused' : answer.decision.status).toBe(200);
  });

  it('skips a block repeated 10^9 times in a constant number of steps', () => {
    let reads = 0;
    const step = new Proxy(
      { kind: 'refuse', for: 1 },
      {
        get(target, key) {
          reads++;
          return target[key as keyof typeof target];
        },
      },
    ) as Item;
    const definition: EndpointDefinition = {
      routes: [
        {
          path: '*',
          script: [
            { kind: 'repeat', times: 1_000_000_000, item: step },
            { kind: 'status', status: 200 },
          ],
        },
      ],
    };
    const compiled = compile(definition, 0);
    const routeOf = compiled.routes[0] as (typeof compiled.routes)[0];
    reads = 0;
    const late = settle(routeOf, INITIAL_CURSOR, 999_999_999);
    const done = settle(routeOf, INITIAL_CURSOR, 1_000_000_000);
    expect(late).toMatchObject({ position: 999_999_999, since: 999_999_999 });
    expect(done).toMatchObject({ position: 1_000_000_000, since: 1_000_000_000 });
    expect(atomAt(routeOf, done.position)).toEqual({ kind: 'status', status: 200 });
    expect(reads).toBeLessThan(50);
  });

  it('says refusing changes when the whole run of refuse steps ends, not at each step (regression: a timer every ms kept an idle mock busy)', () => {
    const compiled = compile(parseScript('refuse 1*1000000000, 200'), 0);
    expect(refusal(compiled, [INITIAL_CURSOR], 5)).toEqual({ refusing: true, changesAt: 1_000_000_000 });
    const forever = compile(parseScript('200, refuse 1ms...'), 0);
    expect(refusal(forever, [{ position: 1, since: 10, received: 1 }], 20)).toEqual({
      refusing: true,
      changesAt: Number.POSITIVE_INFINITY,
    });
  });

  it('moves to the same place as skipping one step at a time, for any script and time', () => {
    fc.assert(
      fc.property(route, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 200 }), (r, start, t) => {
        const script =
          r.end === 'forever'
            ? [...r.script.slice(0, -1), { kind: 'forever', item: r.script.at(-1) }]
            : r.script;
        const definition = {
          routes: [{ path: '*', script, ...(r.end === 'forever' || r.end === 'last' ? {} : { end: r.end }) }],
        } as EndpointDefinition;
        const compiled = compile(definition, 0);
        const routeOf = compiled.routes[0] as (typeof compiled.routes)[0];
        const cursor = { position: start, since: 0, received: 0 };
        expect(settle(routeOf, cursor, t)).toEqual(settleOneByOne(routeOf, cursor, t));
      }),
      { numRuns: 500 },
    );
  });
});
