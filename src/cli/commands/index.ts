import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { conformanceCommand } from './conformance.js';
import { demoCommand } from './demo.js';
import { explainCommand } from './explain.js';
import { fixturesCommand } from './fixtures.js';
import { mockCommand } from './mock.js';
import { proxyCommand } from './proxy.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';

/**
 * Every subcommand, in the order `probekit --help` lists them.
 * Each lives in its own module in this folder; add one line here per command.
 */
export const COMMANDS: readonly Command[] = [
  checkCommand,
  fixturesCommand,
  mockCommand,
  proxyCommand,
  serveCommand,
  explainCommand,
  simulateCommand,
  demoCommand,
  conformanceCommand,
];
