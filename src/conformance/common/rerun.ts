/** Characters a POSIX shell reads literally in an unquoted word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (sh, bash, zsh): bare when every character is literal,
 * otherwise in single quotes, with each `'` written as `'\''` (single quotes take everything
 * else literally, `$`, backslashes and newlines included).
 *
 * @example
 * shellQuote('--only'); // '--only'
 * shellQuote('python3 my checker.py'); // "'python3 my checker.py'"
 * shellQuote("it's"); // "'it'\\''s'"
 */
export function shellQuote(argument: string): string {
  if (SAFE_WORD.test(argument)) return argument;
  return `'${argument.replace(/'/g, "'\\''")}'`;
}

/**
 * A command line from a program and its arguments, every argument quoted for a POSIX shell.
 *
 * @example
 * commandLine(['probekit', 'conformance', 'checker', '--exec', 'node a.mjs', '--only', 'a,b']);
 * // "probekit conformance checker --exec 'node a.mjs' --only a,b"
 */
export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
