#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Interrupted work may still be running in the background (a simulation cannot be
    // aborted mid-way): leave now, as Ctrl-C asked. Writes to files, terminals and (on Linux)
    // pipes are synchronous, so nothing written is lost.
    if (code === 130) process.exit(code);
  },
  (error) => {
    // main() answers every ProbekitError itself; anything that reaches here is a bug in probekit.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`probekit: internal error (please report it with the command line): ${detail}`);
    process.exitCode = 1;
  },
);
