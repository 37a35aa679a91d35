import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../src/cli/suggest.js';

describe('editDistance counts the edits between two flag names', () => {
  it.each([
    ['interval', 'interval', 0],
    ['intreval', 'interval', 1],
    ['intervl', 'interval', 1],
    ['intervall', 'interval', 1],
    ['inteval', 'interval', 1],
    ['', 'port', 4],
    ['port', 'host', 2],
  ])('from %j to %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearest suggests a known name only when it looks like a typo', () => {
  const flags = ['interval', 'timeout', 'threshold', 'initial-delay', 'trace', 'verbose', 'port'];

  it('finds the flag one or two letters away', () => {
    expect(nearest('intreval', flags)).toBe('interval');
    expect(nearest('timout', flags)).toBe('timeout');
    expect(nearest('prot', flags)).toBe('port');
  });

  it('finds the flag a prefix stands for', () => {
    expect(nearest('thresh', flags)).toBe('threshold');
    expect(nearest('initial', flags)).toBe('initial-delay');
  });

  it('suggests nothing for a word that is not close to any flag', () => {
    expect(nearest('colour', flags)).toBeUndefined();
    expect(nearest('x', flags)).toBeUndefined();
    expect(nearest('bogus', flags)).toBeUndefined();
  });
});
