import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { createConformanceCommand } from '../../src/cli/commands/conformance.js';
import { main } from '../../src/cli/main.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { memoryIo } from '../support/cli-io.js';

const scenarios = loadScenarios().map(({ scenario }) => scenario);
const perLevel = (level: string) => scenarios.filter((s) => s.level === level).length;

async function run(...args: string[]) {
  const t = memoryIo(process.env);
  const code = await main(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe('probekit conformance checker (the in-process reference)', () => {
  it('passes every scenario, showing each case and the counts per level', async () => {
    const result = await run('conformance', 'checker');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/in process, virtual time \(exact\)/);
    expect(result.stdout).toMatch(/^✓ \[timing\] delay-250-drops-tick-200 /m);
    for (const level of ['core', 'timing', 'backpressure']) {
      const n = perLevel(level);
      expect(result.stdout).toMatch(new RegExp(`^  ${level} +${n}/${n} passed$`, 'm'));
    }
    expect(result.stdout).toMatch(
      new RegExp(`${scenarios.length} scenarios: ${scenarios.length} passed, 0 failed, 0 errors`),
    );
  });

  it('runs only the chosen levels and ids, with the chosen reporter', async () => {
    const result = await run(
      'conformance',
      'checker',
      '--level',
      'timing',
      '--only',
      'delay-0-first-tick,delay-250-drops-tick-200',
      '--reporter',
      'tap',
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      'TAP version 14',
      '1..2',
      'ok 1 - [timing] delay-0-first-tick',
      'ok 2 - [timing] delay-250-drops-tick-200',
    ]);
  });
});

describe('probekit conformance arguments', () => {
  it('rejects an unknown suite, listing the known ones, with exit code 2', async () => {
    const result = await run('conformance', 'client');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/there is no suite "client"\. Use one of: checker/);
  });

  it('rejects real-time flags without --exec', async () => {
    const result = await run('conformance', 'checker', '--time-scale', '0.5', '--tolerance', '20ms');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--time-scale, --tolerance apply only with --exec/);
  });

  it('names a bad level, scale, reporter or scenario id', async () => {
    expect((await run('conformance', 'checker', '--level', 'core,fast')).stderr).toMatch(
      /"fast" is not a level/,
    );
    expect((await run('conformance', 'checker', '--exec', 'true', '--time-scale', '0')).stderr).toMatch(
      /--time-scale "0".*not a number from 0\.001 to 100/,
    );
    expect((await run('conformance', 'checker', '--reporter', 'xml')).stderr).toMatch(
      /--reporter "xml".*human, json, junit, tap/,
    );
    const unknown = await run('conformance', 'checker', '--only', 'hang-times-out,nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no scenario is called "nope"/);
  });

  it('rejects a selection that matches nothing', async () => {
    const result = await run('conformance', 'checker', '--level', 'timing', '--only', 'hang-times-out');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no scenario matches --level and --only together/);
  });
});

describe('adding a conformance suite', () => {
  it('takes one entry in the suite list, dispatched by name with its own arguments', async () => {
    const seen: string[][] = [];
    const fake: Command = {
      name: 'server',
      summary: 'the healthz servers',
      help: 'Usage: probekit conformance server',
      async run(args) {
        seen.push(args);
        return 0;
      },
    };
    const command = createConformanceCommand([fake]);
    const t = memoryIo();
    expect(await command.run(['server', '--profile', 'sidecar'], t.io)).toBe(0);
    expect(seen).toEqual([['--profile', 'sidecar']]);
    expect(command.help).toMatch(/server +the healthz servers/);
    expect(command.help).toMatch(/Usage: probekit conformance server/);
  });
});
