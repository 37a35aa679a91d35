/**
 * Whether the CLI colours its output, from the environment and whether stdout is a terminal.
 *
 * - `FORCE_COLOR` set and not empty forces colour on, even in a pipe (force-color.org); its
 *   values `0` and `false` force it off, as Node.js and supports-color read them. It wins over
 *   `NO_COLOR`, as it does in Node.js.
 * - Otherwise `NO_COLOR` set and not empty turns colour off (no-color.org: an empty `NO_COLOR=`
 *   does not count).
 * - Otherwise colour is on only on a terminal that is not `TERM=dumb`.
 *
 * @example
 * wantsColor({ NO_COLOR: '1' }, true); // false
 * wantsColor({ FORCE_COLOR: '1' }, false); // true
 */
export function wantsColor(env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return isTerminal && env.TERM !== 'dumb';
}

/**
 * Whether one command colours its output: never with its own `--no-color`, otherwise as
 * {@link wantsColor} says for the command's environment and `io.color` (which `main` already
 * derived from the same rules, so applying them again changes nothing for a real process; it
 * keeps a hand-made io in tests honest too).
 *
 * @example
 * const color = commandColor(io, values['no-color'] === true);
 */
export function commandColor(io: { env: NodeJS.ProcessEnv; color: boolean }, noColorFlag: boolean): boolean {
  return !noColorFlag && wantsColor(io.env, io.color);
}
