import type { Command } from '../command.js';
import { checkCommand } from './check.js';

/**
 * Every subcommand, in the order `probekit --help` lists them.
 * Each lives in its own module in this folder; add one line here per command.
 */
export const COMMANDS: readonly Command[] = [checkCommand];
