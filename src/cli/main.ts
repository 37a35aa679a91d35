import { readFileSync } from 'node:fs';
import { ProbekitError, type ProbekitErrorCode } from '../errors.js';
import { wantsColor } from './color.js';
import { type CliIo, type Command, EXIT } from './command.js';
import { COMMANDS } from './commands/index.js';
import { nearest } from './suggest.js';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'probekit — Dapr-faithful HTTP health checking, flaky endpoints and conformance suites',
    '',
    'Usage: probekit <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "probekit <command> --help" for the options of one command,',
    '"probekit --version" for the version.',
    '',
    'Exit codes: 0 ok, 1 failure (check: the wrong signal or the deadline; conformance: a case',
    'failed), 2 bad input (a flag, a value, a script or a file).',
    '',
  ].join('\n');
}

/** The process's own io, with SIGINT/SIGTERM turned into an abort. */
function processIo(): { io: CliIo; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new ProbekitError('ERR_PROBEKIT_ABORTED', 'Interrupted.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // `probekit … | head`: once the reader is gone, stop the command as Ctrl-C would, quietly.
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    controller.abort(new ProbekitError('ERR_PROBEKIT_ABORTED', 'The output was closed.'));
  };
  process.stdout.on('error', onOutputError);
  const color = wantsColor(process.env, Boolean(process.stdout.isTTY));
  return {
    io: {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      signal: controller.signal,
      color,
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Keep swallowing EPIPE: writes may still be queued after the command returns.
      if (!controller.signal.aborted) process.stdout.off('error', onOutputError);
    },
  };
}

/** Error codes that mean the caller's input was wrong: exit code 2, like a bad flag. */
const INPUT_ERRORS: ReadonlySet<ProbekitErrorCode> = new Set([
  'ERR_PROBEKIT_USAGE',
  'ERR_PROBEKIT_INVALID_DURATION',
  'ERR_PROBEKIT_INVALID_OPTION',
  'ERR_PROBEKIT_INVALID_SCRIPT',
  'ERR_PROBEKIT_INVALID_SCENARIO',
]);

/** The version in package.json (src/cli/ and dist/cli/ both sit two folders below it). */
function version(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * Runs `probekit <args>` and resolves with the exit code: 0 ok, 1 failure, 2 usage error.
 *
 * @example
 * process.exitCode = await main(['check', 'http://127.0.0.1:8080/healthz']);
 */
export async function main(
  args: string[],
  io?: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const own = io ? undefined : processIo();
  const effectiveIo = io ?? (own as { io: CliIo }).io;
  try {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
      effectiveIo.stdout.write(target ? `${target.help}\n` : usage(commands));
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      effectiveIo.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) {
      const names = commands.map((c) => c.name);
      const guess = nearest(name, names);
      effectiveIo.stderr.write(
        `probekit: Failed to run ${JSON.stringify(name)}: there is no such command. ${guess ? `Did you mean ${guess}? ` : ''}Commands: ${names.join(', ')}.\n`,
      );
      return EXIT.usage;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      effectiveIo.stdout.write(`${command.help}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, effectiveIo);
  } catch (error) {
    if (error instanceof ProbekitError) {
      effectiveIo.stderr.write(`probekit: ${error.message}\n`);
      return INPUT_ERRORS.has(error.code) ? EXIT.usage : EXIT.failure;
    }
    throw error;
  } finally {
    own?.dispose();
  }
}
