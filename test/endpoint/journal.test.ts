import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/endpoint/engine/decision.js';
import {
  Journal,
  type JournalEntry,
  MAX_JOURNAL_PATH_CHARS,
  truncateMarked,
} from '../../src/endpoint/engine/journal.js';
import { flakyEndpoint } from '../../src/endpoint/flaky-endpoint.js';
import { ProbekitError } from '../../src/errors.js';

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
const SLOW: Decision = { ...OK, status: 503, delay: 120 };

describe('journalling requests in a bounded ring', () => {
  it('keeps every entry, oldest first, until it is full', () => {
    const journal = new Journal({ capacity: 10, seed: 42 });
    journal.record(5, 'GET', '/healthz', OK, 0);
    journal.record(7, 'HEAD', '/healthz?x=1', SLOW, 1);
    expect(journal.entries()).toEqual([
      {
        index: 0,
        time: 5,
        method: 'GET',
        path: '/healthz',
        position: 0,
        decision: OK,
        explain: '200',
        fate: 'pending',
        endedAt: undefined,
      },
      {
        index: 1,
        time: 7,
        method: 'HEAD',
        path: '/healthz?x=1',
        position: 1,
        decision: SLOW,
        explain: '503 after 120ms',
        fate: 'pending',
        endedAt: undefined,
      },
    ]);
  });

  it('drops the oldest entries once full, and counts them', () => {
    const journal = new Journal({ capacity: 3, seed: 0 });
    for (let i = 0; i < 8; i++) journal.record(i * 10, 'GET', `/${i}`, OK, i);
    expect(journal.total).toBe(8);
    expect(journal.size).toBe(3);
    expect(journal.dropped).toBe(5);
    expect(journal.entries().map((e) => [e.index, e.time, e.path])).toEqual([
      [5, 50, '/5'],
      [6, 60, '/6'],
      [7, 70, '/7'],
    ]);
    expect(journal.at(4)).toBeUndefined();
    expect(journal.at(6)?.path).toBe('/6');
    expect(journal.entries(2).map((e) => e.index)).toEqual([6, 7]);
  });

  it('grows past its first allocation without losing entries', () => {
    const journal = new Journal({ capacity: 5000, seed: 0 });
    for (let i = 0; i < 4500; i++) journal.record(i, 'GET', '/', OK, i);
    expect(journal.entries().map((e) => e.time)).toEqual(Array.from({ length: 4500 }, (_, i) => i));
  });

  it('counts requests but keeps none with a capacity of 0', () => {
    const journal = new Journal({ capacity: 0, seed: 0 });
    const seen: JournalEntry[] = [];
    journal.subscribe((entry) => seen.push(entry));
    journal.record(1, 'GET', '/', OK, 0);
    expect(journal.total).toBe(1);
    expect(journal.dropped).toBe(1);
    expect(journal.entries()).toEqual([]);
    expect(seen.map((e) => e.index)).toEqual([0]);
  });
});

describe('recording what became of each request', () => {
  it('records completion or abort with its time, once', () => {
    const journal = new Journal({ capacity: 10, seed: 0 });
    const a = journal.record(0, 'GET', '/', OK, 0);
    const b = journal.record(0, 'GET', '/', SLOW, 1);
    journal.settle(a, 'completed', 3);
    journal.settle(b, 'aborted', 50);
    journal.settle(b, 'completed', 120);
    expect(journal.entries().map((e) => [e.fate, e.endedAt])).toEqual([
      ['completed', 3],
      ['aborted', 50],
    ]);
  });

  it('ignores a fate for an entry that was already dropped', () => {
    const journal = new Journal({ capacity: 1, seed: 0 });
    const old = journal.record(0, 'GET', '/', OK, 0);
    journal.record(1, 'GET', '/', OK, 1);
    journal.settle(old, 'completed', 5);
    expect(journal.entries()[0]?.fate).toBe('pending');
  });
});

describe('reading the journal', () => {
  it('tells subscribers about each new entry until they unsubscribe', () => {
    const journal = new Journal({ capacity: 10, seed: 0 });
    const seen: number[] = [];
    const unsubscribe = journal.subscribe((entry) => seen.push(entry.index));
    journal.record(0, 'GET', '/', OK, 0);
    unsubscribe();
    journal.record(0, 'GET', '/', OK, 1);
    expect(seen).toEqual([0]);
  });

  it('serialises with its seed and what was dropped', () => {
    const journal = new Journal({ capacity: 1, seed: 42 });
    journal.record(0, 'GET', '/', OK, 0);
    journal.record(1, 'GET', '/', OK, 1);
    const json = JSON.parse(JSON.stringify(journal));
    expect(json).toMatchObject({ seed: 42, capacity: 1, total: 2, dropped: 1 });
    expect(json.entries).toHaveLength(1);
    expect(json.entries[0].index).toBe(1);
  });

  it('starts again from index 0 after clear', () => {
    const journal = new Journal({ capacity: 4, seed: 0 });
    journal.record(0, 'GET', '/a', OK, 0);
    journal.clear();
    expect(journal.total).toBe(0);
    journal.record(1, 'GET', '/b', OK, 0);
    expect(journal.entries().map((e) => [e.index, e.path])).toEqual([[0, '/b']]);
    expect(journal.recorded).toBe(2);
  });

  it('rejects a size that is not a whole number', () => {
    expect(() => new Journal({ capacity: -1, seed: 0 })).toThrow(ProbekitError);
    expect(() => new Journal({ capacity: 1.5, seed: 0 })).toThrow(/journalSize 1.5 is not a whole number/);
  });
});

describe('a journal across a clear', () => {
  it('lets a request in flight across a clear settle nothing after it (regression: it settled the new request #0)', () => {
    const journal = new Journal({ capacity: 4, seed: 0 });
    const before = journal.record(0, 'GET', '/slow', SLOW, 0);
    journal.clear();
    const after = journal.record(10, 'GET', '/new', OK, 0);
    journal.settle(before, 'aborted', 20);
    expect(journal.at(0)).toMatchObject({ path: '/new', fate: 'pending', endedAt: undefined });
    journal.settle(after, 'completed', 30);
    expect(journal.at(0)).toMatchObject({ fate: 'completed', endedAt: 30 });
  });
});

describe('a request in flight across a reset, through a real backend', () => {
  it('aborting the old request leaves the new request #0 pending (regression: it marked #0 aborted)', async () => {
    const clock = FakeTimers.createClock(0);
    const endpoint = flakyEndpoint('delay 1s then 200...', { clock });
    const old = new AbortController();
    const first = endpoint.transport({ url: 'http://endpoint.test/a', timeout: 5000, signal: old.signal });
    endpoint.reset();
    const second = endpoint.transport({
      url: 'http://endpoint.test/b',
      timeout: 5000,
      signal: new AbortController().signal,
    });
    old.abort(new Error('gave up'));
    await expect(first).rejects.toThrow('gave up');
    expect(endpoint.journal.at(0)).toMatchObject({ path: '/b', fate: 'pending' });
    await clock.tickAsync(1000);
    await expect(second).resolves.toEqual({ status: 200 });
    expect(endpoint.journal.at(0)).toMatchObject({ fate: 'completed', endedAt: 1000 });
  });
});

describe('a journal bounded in bytes', () => {
  it('cuts a long path with a marker saying how much was cut', () => {
    const journal = new Journal({ capacity: 2, seed: 0 });
    journal.record(0, 'GET', `/${'p'.repeat(15_000)}`, OK, 0);
    const path = journal.at(0)?.path as string;
    expect(path.length).toBeLessThan(MAX_JOURNAL_PATH_CHARS + 20);
    expect(path).toBe(
      `/${'p'.repeat(MAX_JOURNAL_PATH_CHARS - 1)}...[+${15_001 - MAX_JOURNAL_PATH_CHARS} chars]`,
    );
  });

  it('keeps a short path as it came', () => {
    expect(truncateMarked('/healthz?x=1')).toBe('/healthz?x=1');
  });
});

describe('reading the journal a page at a time', () => {
  const journal = new Journal({ capacity: 5, seed: 0 });
  for (let i = 0; i < 8; i++) journal.record(i, 'GET', `/${i}`, OK, i);

  it('pages from an index on, starting at the oldest kept entry', () => {
    expect(journal.page(0, 2).map((e) => e.index)).toEqual([3, 4]);
    expect(journal.page(5, 2).map((e) => e.index)).toEqual([5, 6]);
    expect(journal.page(7).map((e) => e.index)).toEqual([7]);
    expect(journal.page(8)).toEqual([]);
  });

  it.each([0.5, -1, Number.NaN])(
    'refuses a count of %s with a ProbekitError (regression: 0.5 threw a TypeError)',
    (bad) => {
      expect(() => journal.entries(bad)).toThrow(ProbekitError);
      expect(() => journal.page(bad)).toThrow(/is not a whole number of 0 or more/);
    },
  );
});
