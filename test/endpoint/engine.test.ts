import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { explainDecision } from '../../src/endpoint/engine/decision.js';
import { type Cursor, compile, decide, INITIAL_CURSOR, refusal } from '../../src/endpoint/engine/engine.js';
import { ScriptPlayer } from '../../src/endpoint/engine/player.js';
import { parseScript } from '../../src/endpoint/script/dsl/index.js';

/** What the first `n` requests (one every ms, all at the same route) get, as short words. */
function play(script: string, n: number, seed = 0): string[] {
  const compiled = compile(parseScript(script), seed);
  const route = compiled.routes[0];
  if (!route) throw new Error('no route');
  let cursor: Cursor = INITIAL_CURSOR;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const outcome = decide(route, cursor, i, seed);
    cursor = outcome.cursor;
    out.push(outcome.refused ? 'refused' : word(outcome.decision));
  }
  return out;
}

function word(decision: { action: string; status: number; delay: number }): string {
  const what = decision.action === 'respond' ? String(decision.status) : decision.action;
  return decision.delay > 0 ? `${what}+${decision.delay}` : what;
}

describe('sequencing a script by request number', () => {
  it('plays steps, repeats and forever in order', () => {
    expect(play('200*2, 503*3, hang, 200...', 9)).toEqual([
      '200',
      '200',
      '503',
      '503',
      '503',
      'hang',
      '200',
      '200',
      '200',
    ]);
  });

  it('plays groups and nested repeats', () => {
    expect(play('(200, 503)*2, (reset, close*2)*2, malformed', 12)).toEqual([
      '200',
      '503',
      '200',
      '503',
      'reset',
      'close',
      'close',
      'reset',
      'close',
      'close',
      'malformed',
      'malformed',
    ]);
  });

  it('cycles a group marked with ...', () => {
    expect(play('204, (200, 503)...', 6)).toEqual(['204', '200', '503', '200', '503', '200']);
  });

  it('gives a fixed delay to every request of a delayed step', () => {
    expect(play('delay 120ms then 200, 503', 3)).toEqual(['200+120', '503', '503']);
  });

  it('handles huge repeat counts without expanding them', () => {
    const compiled = compile(parseScript('(200*1000000000, 503)*1000000000'), 0);
    const route = compiled.routes[0];
    if (!route) throw new Error('no route');
    const at = (position: number) => {
      const outcome = decide(route, { position, since: 0, received: position }, 0, 0);
      return outcome.refused ? 'refused' : word(outcome.decision);
    };
    expect(at(999_999_999)).toBe('200');
    expect(at(1_000_000_000)).toBe('503');
    expect(at(1_000_000_001)).toBe('200');
  });
});

describe('the end-of-script rule', () => {
  it('repeats the last step by default', () => {
    expect(play('200, (503, 502)', 5)).toEqual(['200', '503', '502', '502', '502']);
  });

  it('starts over with cycle', () => {
    expect(play('200, 503*2, cycle', 7)).toEqual(['200', '503', '503', '200', '503', '503', '200']);
  });

  it('answers 500 with an explanation once the script has run out, with end', () => {
    const compiled = compile(parseScript('/healthz: 200, end'), 42);
    const route = compiled.routes[0];
    if (!route) throw new Error('no route');
    const first = decide(route, INITIAL_CURSOR, 0, 42);
    const second = decide(route, first.cursor, 1, 42);
    expect(second.refused).toBe(false);
    if (second.refused) return;
    expect(second.decision.status).toBe(500);
    expect(second.decision.source).toBe('exhausted');
    expect(second.decision.body).toContain('the script has run out');
    expect(second.decision.body).toContain('Seed 42');
    expect(explainDecision(second.decision)).toBe('500 (script exhausted)');
  });

  it('answers 200 when the script is empty (only windows or a flap)', () => {
    expect(play('down from 1h', 2)).toEqual(['200', '200']);
  });
});

describe('random decisions from a seed', () => {
  const choices = '(200@9 | 503@1)...';

  it('replays the same decisions for the same seed', () => {
    expect(play(choices, 200, 42)).toEqual(play(choices, 200, 42));
    expect(play('delay 0..1000 then 200...', 50, 7)).toEqual(play('delay 0..1000 then 200...', 50, 7));
  });

  it('makes different decisions for a different seed', () => {
    expect(play(choices, 200, 42)).not.toEqual(play(choices, 200, 43));
  });

  it('picks options in proportion to their weights', () => {
    const picks = play(choices, 10_000, 1);
    const share = picks.filter((p) => p === '503').length / picks.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
  });

  it('draws whole-millisecond latencies within their distribution', () => {
    const delays = (spec: string) =>
      play(`delay ${spec} then 200...`, 4000, 3).map((w) => Number(w.split('+')[1] ?? 0));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const uniform = delays('50ms..150ms');
    expect(Math.min(...uniform)).toBe(50);
    expect(Math.max(...uniform)).toBe(150);
    expect(uniform.every(Number.isInteger)).toBe(true);
    expect(mean(delays('normal(100ms, 10ms)'))).toBeCloseTo(100, 0);
    expect(Math.abs(mean(delays('exp(100ms)')) - 100)).toBeLessThan(8);
    expect(Math.min(...delays('normal(5ms, 50ms)'))).toBe(0);
  });

  it('keys each route’s draws by its own request count, so traffic elsewhere changes nothing', () => {
    const clock = FakeTimers.createClock(0);
    const script = '/a: (200 | 503 | 502 | 504)...; /b: 200...';
    const alone = new ScriptPlayer(script, { clock, seed: 9 });
    const mixed = new ScriptPlayer(script, { clock, seed: 9 });
    const seen = (player: ScriptPlayer, withB: boolean) =>
      Array.from({ length: 30 }, () => {
        if (withB) player.receive('GET', '/b', clock.now);
        const r = player.receive('GET', '/a', clock.now);
        return r.refused ? 0 : r.decision.status;
      });
    expect(seen(mixed, true)).toEqual(seen(alone, false));
  });
});

describe('time windows and flapping on a virtual clock', () => {
  /** Sends one request at each virtual time and says what it got. */
  function at(script: string, times: number[]): string[] {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer(script, { clock });
    return times.map((t) => {
      clock.tick(t - clock.now);
      const r = player.receive('GET', '/healthz', clock.now);
      return r.refused ? 'refused' : word(r.decision);
    });
  }

  it('answers 503 inside a window and the script outside it', () => {
    expect(at('200..., down from 30s until 90s', [0, 29_999, 30_000, 89_999, 90_000])).toEqual([
      '200',
      '200',
      '503',
      '503',
      '200',
    ]);
  });

  it('keeps a window without an end open', () => {
    expect(at('200..., down from 1s as hang', [999, 1000, 1_000_000])).toEqual(['200', 'hang', 'hang']);
  });

  it('flaps: up for the up time, then down, repeating', () => {
    expect(at('up 10s, down 5s', [0, 9_999, 10_000, 14_999, 15_000, 25_000])).toEqual([
      '200',
      '200',
      '503',
      '503',
      '200',
      '503',
    ]);
  });

  it('lets the first open window win, then the flap', () => {
    expect(
      at('200..., down from 0 until 1s as reset, down from 0 as close, up 1s, down 1s', [0, 1000, 2000]),
    ).toEqual(['reset', 'close', 'close']);
  });

  it('moves the script on while a window masks it (the script is keyed by request number)', () => {
    expect(at('200, 201, 202, 203..., down from 1s until 2s', [0, 1000, 1500, 2000])).toEqual([
      '200',
      '503',
      '503',
      '203',
    ]);
  });

  it('counts time from when the script started', () => {
    const clock = FakeTimers.createClock(5000);
    const player = new ScriptPlayer('200..., down from 1s until 2s', { clock });
    clock.tick(1000);
    const r = player.receive('GET', '/', clock.now);
    expect(r.refused ? 0 : r.decision.status).toBe(503);
  });
});

describe('refusing connections', () => {
  it('refuses for the step’s duration from when it is reached, without counting refused requests', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('200, refuse 1s, 201...', { clock });
    const got = [0, 400, 999, 1400, 1500].map((t) => {
      clock.tick(t - clock.now);
      const r = player.receive('GET', '/', clock.now);
      return r.refused ? 'refused' : String(r.decision.status);
    });
    expect(got).toEqual(['200', 'refused', 'refused', '201', '201']);
    expect(player.journal.total).toBe(3);
  });

  it('starts the refuse step when the previous request arrives, not at the start', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('200, refuse 1s, 201...', { clock });
    clock.tick(5000);
    player.receive('GET', '/', clock.now);
    expect(player.refusal(clock.now)).toEqual({ refusing: true, changesAt: 6000 });
    clock.tick(999);
    expect(player.receive('GET', '/', clock.now).refused).toBe(true);
    clock.tick(1);
    expect(player.refusal(clock.now).refusing).toBe(false);
  });

  it('refuses during a window "as refuse", and says when that ends', () => {
    const compiled = compile(parseScript('200..., down from 1s until 2s as refuse'), 0);
    expect(refusal(compiled, [INITIAL_CURSOR], 500)).toEqual({ refusing: false, changesAt: 1000 });
    expect(refusal(compiled, [INITIAL_CURSOR], 1000)).toEqual({ refusing: true, changesAt: 2000 });
    expect(refusal(compiled, [INITIAL_CURSOR], 2000)).toEqual({
      refusing: false,
      changesAt: Number.POSITIVE_INFINITY,
    });
  });

  it('refuses while flapping down "as refuse", with the next edge as the change', () => {
    const compiled = compile(parseScript('up 10s, down 5s as refuse'), 0);
    expect(refusal(compiled, [INITIAL_CURSOR], 3000)).toEqual({ refusing: false, changesAt: 10_000 });
    expect(refusal(compiled, [INITIAL_CURSOR], 12_000)).toEqual({ refusing: true, changesAt: 15_000 });
  });

  it('refuses on every path while any route refuses (nobody is listening)', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('/a: 200...; /b: refuse 1s, 200...', { clock });
    expect(player.receive('GET', '/a', clock.now).refused).toBe(true);
    clock.tick(1000);
    expect(player.receive('GET', '/a', clock.now).refused).toBe(false);
  });

  it('lets a window answer during a refuse step without ending the step early', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('refuse 2s, 201..., down from 0 until 1s', { clock });
    const first = player.receive('GET', '/', clock.now);
    expect(first.refused ? 0 : first.decision.status).toBe(503);
    clock.tick(1500);
    expect(player.receive('GET', '/', clock.now).refused).toBe(true);
    clock.tick(500);
    const after = player.receive('GET', '/', clock.now);
    expect(after.refused ? 0 : after.decision.status).toBe(201);
  });
});

describe('the engine is a pure function', () => {
  it('gives equal results for equal inputs and leaves its inputs alone', () => {
    const compiled = compile(parseScript('(200 | 503)..., down from 5s until 6s'), 5);
    const route = compiled.routes[0];
    if (!route) throw new Error('no route');
    const cursor: Cursor = Object.freeze({ position: 3, since: 10, received: 3 });
    const a = decide(route, cursor, 5500, 5);
    const b = decide(route, cursor, 5500, 5);
    expect(a).toEqual(b);
    expect(cursor).toEqual({ position: 3, since: 10, received: 3 });
    expect(a.cursor).toEqual({ position: 4, since: 5500, received: 4 });
  });
});

describe('routing requests by path', () => {
  it('uses a path’s own route, then the * route, ignoring the query string', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('/healthz: 200...; *: 418...', { clock });
    const status = (path: string) => {
      const r = player.receive('GET', path, 0);
      return r.refused ? 0 : r.decision.status;
    };
    expect(status('/healthz?probe=1')).toBe(200);
    expect(status('/other')).toBe(418);
  });

  it('answers 404 with what was configured and what was received when nothing matches', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('/healthz: 200*2, 503...', { clock, seed: 7 });
    const r = player.receive('POST', '/nope?x=1', 0);
    expect(r.refused).toBe(false);
    if (r.refused) return;
    expect(r.decision.status).toBe(404);
    expect(r.decision.source).toBe('unmatched');
    expect(r.decision.body).toContain('no route matches POST /nope?x=1 (request #0, seed 7)');
    expect(r.decision.body).toContain('/healthz: 200 twice, then 503 forever');
  });
});

describe('replacing and resetting the script', () => {
  it('restarts the script and its time origin on setScript, keeping the journal', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('200, 503...', { clock });
    player.receive('GET', '/', 0);
    clock.tick(10_000);
    player.setScript('204, 205..., down from 1s until 2s');
    const statuses = [0, 1000].map((dt) => {
      clock.tick(dt);
      const r = player.receive('GET', '/', clock.now);
      return r.refused ? 0 : r.decision.status;
    });
    expect(statuses).toEqual([204, 503]);
    expect(player.journal.total).toBe(3);
  });

  it('clears the journal and counts from 0 again on reset', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('200, 503...', { clock });
    player.receive('GET', '/', 0);
    player.receive('GET', '/', 0);
    player.reset();
    const r = player.receive('GET', '/', 0);
    expect(r.refused ? -1 : r.index).toBe(0);
    expect(r.refused ? 0 : r.decision.status).toBe(200);
    expect(player.journal.entries()).toHaveLength(1);
  });
});
