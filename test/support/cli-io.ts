import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

/** An in-memory CliIo: what a command printed, and a controller standing in for Ctrl-C. */
export function memoryIo(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const interrupt = new AbortController();
  const io: CliIo = { stdout, stderr, stdin, env, signal: interrupt.signal, color: false };
  return {
    io,
    stdin,
    interrupt: () => interrupt.abort(),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
