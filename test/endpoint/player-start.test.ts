import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/endpoint/engine/player.js';

describe('a script restarted at an instant already past', () => {
  it('counts its windows from that instant (a start line stamped before it arrived)', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('refuse 250ms, 200...', { clock, seed: 0 });
    clock.tick(100);
    player.setScript('refuse 250ms, 200...', { startedAt: 40 });
    expect(player.startedAt).toBe(40);
    expect(player.refusal(clock.now)).toEqual({ refusing: true, changesAt: 290 });
  });

  it('never starts in the future: a later instant is taken as now', () => {
    const clock = FakeTimers.createClock(0);
    const player = new ScriptPlayer('refuse 250ms, 200...', { clock, seed: 0 });
    clock.tick(100);
    player.setScript('refuse 250ms, 200...', { startedAt: 500 });
    expect(player.startedAt).toBe(100);
  });
});
