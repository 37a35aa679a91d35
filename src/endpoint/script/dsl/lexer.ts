import { clip, ScriptSyntaxError } from './syntax-error.js';

/** Kinds of token in the script DSL. */
export type TokenKind = 'number' | 'word' | 'string' | 'path' | 'punct' | 'eof';

/** One token with its place in the source (`start` is a 0-based offset). */
export interface Token {
  readonly kind: TokenKind;
  /** The token as written (for strings: with quotes; for numbers: without the unit). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** A number's unit letters written right after it (`s` in `1.5s`), or `''`. */
  readonly unit: string;
  /** A string's decoded value. */
  readonly value: string;
}

const PUNCTUATION = ['...', '..', ',', ';', ':', '*', '|', '@', '(', ')', '[', ']', '='];
const NUMBER = /\d+(?:\.\d+)?/y;
const UNIT = /[A-Za-zµ]+/y;
const WORD = /[A-Za-z][A-Za-z0-9_-]*/y;
// `*` is a glob in a path (`/v1.0/*`); paths only ever stand before a route's ":".
const PATH = /\/[A-Za-z0-9._~%/+!$&'=@*-]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Describes a token for error messages: `"*"`, `the word "hng"`, `the end of the script`.
 *
 * @example
 * describeToken(tokenize('hng')[0]); // 'the word "hng"'
 */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the script';
    case 'word':
      return `the word ${JSON.stringify(clip(token.text, 40))}`;
    case 'string':
      return `the string ${token.text.length > 24 ? `${token.text.slice(0, 21)}..."` : token.text}`;
    case 'number':
      return JSON.stringify(clip(token.text + token.unit, 40));
    default:
      return JSON.stringify(clip(token.text, 40));
  }
}

/**
 * Splits a script into tokens. Whitespace (including newlines) separates tokens; `#` starts a
 * comment that runs to the end of the line.
 *
 * @throws {ScriptSyntaxError} on a character that starts no token, or an unterminated string.
 * @example
 * tokenize('200*2').map((t) => t.text); // ['200', '*', '2', '']
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, unit = '', value = '', text?: string) => {
    tokens.push({ kind, text: text ?? source.slice(start, end), start, end, unit, value });
  };
  const sticky = (re: RegExp, at: number): string | undefined => {
    re.lastIndex = at;
    return re.exec(source)?.[0];
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const digits = sticky(NUMBER, i) as string;
      const unit = sticky(UNIT, i + digits.length) ?? '';
      push('number', i, i + digits.length + unit.length, unit, '', digits);
      i += digits.length + unit.length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const word = sticky(WORD, i) as string;
      push('word', i, i + word.length);
      i += word.length;
      continue;
    }
    if (c === '/') {
      const path = sticky(PATH, i) as string;
      push('path', i, i + path.length);
      i += path.length;
      continue;
    }
    if (c === '"') {
      const end = stringEnd(source, i);
      if (end === undefined) throw unterminated(source, i);
      const literal = source.slice(i, end);
      push('string', i, end, '', JSON.parse(literal) as string);
      i = end;
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (punct !== undefined) {
      push('punct', i, i + punct.length);
      i += punct.length;
      continue;
    }
    throw new ScriptSyntaxError(source, i, {
      reason: `unexpected character ${JSON.stringify(String.fromCodePoint(source.codePointAt(i) as number))}`,
      found: JSON.stringify(c),
      hint: 'Steps are separated by "," and written like 200, 503*3, hang, delay 120ms then 200, 200...; strings go in double quotes',
    });
  }
  push('eof', source.length, source.length);
  return tokens;
}

/**
 * Where the string starting at `start` ends (after its closing quote), following JSON's string
 * grammar so strings round-trip through JSON.stringify; `undefined` if it is not a valid string.
 * A loop, not a regular expression: a regex overflows the stack on a long string.
 */
function stringEnd(source: string, start: number): number | undefined {
  let i = start + 1;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return undefined;
    if (c === 0x5c) {
      const next = source[i + 1];
      if (next === 'u') {
        if (!HEX4.test(source.slice(i + 2, i + 6))) return undefined;
        i += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) return undefined;
      i += 2;
      continue;
    }
    i++;
  }
  return undefined;
}

function unterminated(source: string, start: number): ScriptSyntaxError {
  // Find where the string goes wrong: an unescaped control character or a bad escape.
  let i = start + 1;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '"') break;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === 'u') {
        if (!HEX4.test(source.slice(i + 2, i + 6))) {
          return new ScriptSyntaxError(source, i, {
            reason: 'the \\u escape needs four hex digits',
            hint: 'Write it like "\\u00e9"',
          });
        }
        i += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) {
        return new ScriptSyntaxError(source, i, {
          reason: `the escape "\\${next ?? ''}" is not valid in a string`,
          hint: 'Strings follow JSON: use \\" \\\\ \\n \\t or \\uXXXX',
        });
      }
      i += 2;
      continue;
    }
    if (c.charCodeAt(0) < 0x20) {
      return new ScriptSyntaxError(source, i, {
        reason: 'a string cannot contain a raw control character (such as a newline)',
        hint: 'Write a newline as \\n inside the quotes',
      });
    }
    i++;
  }
  return new ScriptSyntaxError(source, start, {
    reason: 'the string is not closed',
    expected: 'a closing "',
    found: 'the end of the script',
    hint: 'Add a " at the end of the string',
  });
}
