import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes; the real process in production, streams in tests. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT / SIGTERM (the process wiring lives in main.ts). */
  readonly signal: AbortSignal;
  /** Whether stdout is a colour-capable terminal (false in CI logs and with NO_COLOR). */
  readonly color: boolean;
}

/** One `probekit <name>` subcommand. `run` resolves with the exit code. */
export interface Command {
  readonly name: string;
  /** One line for `probekit --help`. */
  readonly summary: string;
  /** The full text of `probekit <name> --help`. */
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * Exit codes shared by every command (the table is in docs/cli.md). 130 is the shell's code
 * for Ctrl-C (128 + SIGINT), for work that was abandoned rather than finished or stopped.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
