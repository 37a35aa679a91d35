import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortWatcher, unwatchSignal, watchSignal } from '../../src/transport/signal-watch.js';

class Recorder extends AbortWatcher {
  readonly reasons: unknown[] = [];
  onAbort(reason: unknown): void {
    this.reasons.push(reason);
  }
}

describe('watchSignal tells every watcher of a signal when it aborts', () => {
  it('calls each watcher still watching once, with the reason', () => {
    const controller = new AbortController();
    const [first, second, third] = [new Recorder(), new Recorder(), new Recorder()];
    watchSignal(controller.signal, first);
    watchSignal(controller.signal, second);
    watchSignal(controller.signal, third);
    unwatchSignal(second);
    const reason = new Error('timeout');
    controller.abort(reason);
    controller.abort(new Error('again'));
    expect([first.reasons, second.reasons, third.reasons]).toEqual([[reason], [], [reason]]);
  });

  it('adds one listener per signal, however many watchers come and go', () => {
    const controller = new AbortController();
    const watchers = Array.from({ length: 50 }, () => new Recorder());
    for (const watcher of watchers) watchSignal(controller.signal, watcher);
    for (const watcher of watchers.slice(0, 25)) unwatchSignal(watcher);
    for (let i = 0; i < 100; i++) {
      const watcher = new Recorder();
      watchSignal(controller.signal, watcher);
      unwatchSignal(watcher);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(watchers.filter((watcher) => watcher.reasons.length === 1)).toHaveLength(25);
  });

  it('unlinks the head, the middle and the tail of the list alike', () => {
    const controller = new AbortController();
    const watchers = Array.from({ length: 5 }, () => new Recorder());
    for (const watcher of watchers) watchSignal(controller.signal, watcher);
    // Watchers are linked at the head: index 4 is the head, 0 the tail.
    for (const index of [4, 2, 0]) unwatchSignal(watchers[index] as Recorder);
    unwatchSignal(watchers[2] as Recorder);
    controller.abort();
    expect(watchers.map((watcher) => watcher.reasons.length)).toEqual([0, 1, 0, 1, 0]);
  });
});

describe('watchSignal refuses a signal that has already aborted', () => {
  it('returns false for a signal aborted before its first watcher', () => {
    const watcher = new Recorder();
    expect(watchSignal(AbortSignal.abort(), watcher)).toBe(false);
    expect(watcher.reasons).toEqual([]);
  });

  it('returns false for a signal that aborted while watched before', () => {
    const controller = new AbortController();
    expect(watchSignal(controller.signal, new Recorder())).toBe(true);
    controller.abort();
    const late = new Recorder();
    expect(watchSignal(controller.signal, late)).toBe(false);
    expect(late.reasons).toEqual([]);
  });
});
