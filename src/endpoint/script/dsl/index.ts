export { describeToken, type Token, type TokenKind, tokenize } from './lexer.js';
export { parseScript } from './parser.js';
export { printItem, printScript, printStep } from './printer.js';
export { positionOf, ScriptSyntaxError, type SourcePosition } from './syntax-error.js';
