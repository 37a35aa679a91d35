import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/endpoint/decision.js';
import { Journal, type JournalEntry } from '../../src/endpoint/journal.js';
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
    expect(journal.record(1, 'GET', '/b', OK, 0)).toBe(0);
    expect(journal.entries().map((e) => e.path)).toEqual(['/b']);
  });

  it('rejects a size that is not a whole number', () => {
    expect(() => new Journal({ capacity: -1, seed: 0 })).toThrow(ProbekitError);
    expect(() => new Journal({ capacity: 1.5, seed: 0 })).toThrow(/journalSize 1.5 is not a whole number/);
  });
});
