import { ProbekitError } from '../../errors.js';
import type { Command } from '../command.js';
import { conformanceCheckerCommand } from './conformance-checker.js';
import { conformanceServerCommand } from './conformance-server.js';

/**
 * The suites `probekit conformance <suite>` knows, each a command in its own module
 * (`conformance-<suite>.ts`). Adding a suite is one import and one entry here.
 */
export const CONFORMANCE_SUITES: readonly Command[] = [conformanceCheckerCommand, conformanceServerCommand];

function overview(suites: readonly Command[]): string {
  const width = Math.max(...suites.map((s) => s.name.length));
  return [
    'Usage: probekit conformance <suite> [options]',
    '',
    'Runs a conformance suite against the built-in reference, or against any implementation',
    'through a process protocol (docs/conformance.md). Exit code 0 only when every case passes,',
    '1 when one fails or errors, 2 for bad arguments.',
    '',
    'Suites:',
    ...suites.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
  ].join('\n');
}

/**
 * Builds the `conformance` command over a list of suites (tests pass their own list).
 *
 * @example
 * const command = createConformanceCommand([conformanceCheckerCommand]);
 * await command.run(['checker', '--level', 'core'], io);
 */
export function createConformanceCommand(suites: readonly Command[] = CONFORMANCE_SUITES): Command {
  return {
    name: 'conformance',
    summary: `run a conformance suite (${suites.map((s) => s.name).join(', ')}) against an implementation`,
    // `probekit conformance <suite> --help` lands here (main answers --help with this text).
    help: [
      overview(suites),
      ...suites.map((s) => `\n── probekit conformance ${s.name} ──\n\n${s.help}`),
    ].join('\n'),
    async run(args, io) {
      const [name, ...rest] = args;
      const suite = suites.find((s) => s.name === name);
      if (!suite) {
        const known = suites.map((s) => s.name).join(', ');
        throw new ProbekitError(
          'ERR_PROBEKIT_USAGE',
          name === undefined
            ? `Failed to run a conformance suite: no suite named. Use one of: ${known}. See "probekit conformance --help".`
            : `Failed to run a conformance suite: there is no suite ${JSON.stringify(name)}. Use one of: ${known}. See "probekit conformance --help".`,
        );
      }
      return suite.run(rest, io);
    },
  };
}

export const conformanceCommand: Command = createConformanceCommand();
