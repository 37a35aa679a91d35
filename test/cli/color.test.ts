import { describe, expect, it } from 'vitest';
import { commandColor, wantsColor } from '../../src/cli/color.js';

describe('wantsColor follows no-color.org and FORCE_COLOR', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ TERM: 'dumb' }, true, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: 'anything' }, true, false],
    // Regression: an empty NO_COLOR= turned colour off; no-color.org says it must not count.
    [{ NO_COLOR: '' }, true, true],
    // Regression: FORCE_COLOR was ignored; set and not empty, it colours even a pipe.
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: '' }, false, false],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '1', TERM: 'dumb' }, false, true],
  ] as Array<[NodeJS.ProcessEnv, boolean, boolean]>)(
    'with %j on a terminal: %s gives colour %s',
    (env, terminal, expected) => {
      expect(wantsColor(env, terminal)).toBe(expected);
    },
  );
});

describe('commandColor adds a command’s --no-color', () => {
  it('turns colour off with --no-color even when FORCE_COLOR is set', () => {
    expect(commandColor({ env: { FORCE_COLOR: '1' }, color: true }, true)).toBe(false);
    expect(commandColor({ env: {}, color: true }, false)).toBe(true);
  });
});
