import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerCases, serverCaseFileProblems } from '../../src/conformance/healthz/cases.js';
import { LIMITS } from '../../src/endpoint/script/model.js';
import { ProbekitError } from '../../src/errors.js';
import { loadScenarios } from '../../src/scenario/fixtures.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { Scenario } from '../../src/scenario/types.js';
import { MAX_SIMULATED_TICKS, parseScenario, scenarioProblems } from '../../src/scenario/validate.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'probekit.js');
const work = mkdtempSync(join(tmpdir(), 'probekit-scenario-bounds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** JSON text nested `levels` deep (JSON.stringify itself overflows on such a value). */
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function firstFixture(folder: string): string {
  const dir = join(root, 'fixtures', folder);
  const name = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()[0] as string;
  return readFileSync(join(dir, name), 'utf8');
}

/** A shipped scenario with a 5,000-deep value inside its expected trace (which the schema lets through). */
const deepScenarioText = () =>
  firstFixture('checker').replace('"expected": {', `"expected": { "note": ${deepArray(5000)},`);

/** A folder holding one file with `text`. */
function folderWith(name: string, text: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'deep.json'), text);
  return dir;
}

function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const runnable: Scenario = {
  id: 'bounds',
  description: 'a scenario built in code',
  rules: [],
  level: 'core',
  options: { intervalMs: 100, initialDelayMs: 0 },
  script: '200, 503*3, 200',
  durationMs: 650,
};

describe('scenario input is bounded in depth before the schema runs', () => {
  it('names the depth limit for a scenario whose expected trace nests 5,000 deep (regression: it passed the schema, then fixtures check overflowed the stack)', () => {
    const value: unknown = JSON.parse(deepScenarioText());
    expect(scenarioProblems(value)).toEqual([
      expect.stringContaining(`nests more than ${LIMITS.maxJsonDepth} levels deep`),
    ]);
    const error = thrown(() => parseScenario(value, 'deep.json'));
    expect(error).toBeInstanceOf(ProbekitError);
    expect(error).toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_SCENARIO',
      message: expect.stringMatching(/^Failed to read deep\.json: \/expected\/note\/0\/0/),
    });
    expect((error as Error).message.length).toBeLessThan(600);
  });

  it('refuses a folder of scenarios holding one, with the file named', () => {
    const dir = folderWith('checker', deepScenarioText());
    expect(() => loadScenarios(dir)).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringContaining('deep.json'),
      }),
    );
  });

  it('refuses a healthz case file nested 5,000 deep (regression: ajv and the loader walked it unbounded)', () => {
    const text = firstFixture('healthz').replace(/^\{/, `{ "note": ${deepArray(5000)},`);
    expect(serverCaseFileProblems(JSON.parse(text))).toEqual([expect.stringContaining('levels deep')]);
    const dir = folderWith('healthz', text);
    expect(() => loadServerCases(dir)).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringContaining('levels deep'),
      }),
    );
  });

  it('says a value that is not an object is not one', () => {
    expect(scenarioProblems(42)).toEqual(['(root) is a number, not an object']);
    expect(scenarioProblems(null)).toEqual(['(root) is null, not an object']);
  });
});

describe('simulate() checks what a run reads before it runs', () => {
  it.each([
    ['null', null, /\(root\) is null/],
    ['a script that is a number', { ...runnable, script: 200 }, /\/script must be string/],
    ['no options', { ...runnable, options: undefined }, /must have required property 'options'/],
    ['a negative duration', { ...runnable, durationMs: -1 }, /\/durationMs must be > 0/],
    ['an interval over 2^31-1 ms', { ...runnable, options: { intervalMs: 3e9 } }, /\/options\/intervalMs/],
    ['a function in it', { ...runnable, seed: () => 1 }, /\/seed is a function/],
  ])(
    'refuses %s with a code (regression: TypeErrors from deep inside the run)',
    async (_name, value, message) => {
      await expect(simulate(value as unknown as Scenario)).rejects.toMatchObject({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringMatching(message),
      });
    },
  );

  it('refuses a run longer than MAX_SIMULATED_TICKS ticks instead of running for hours (regression: 2^31-1 ms at 1 ms looked like a hang)', async () => {
    const long = { ...runnable, options: { intervalMs: 1 }, durationMs: 2_147_483_647 };
    await expect(simulate(long)).rejects.toMatchObject({
      code: 'ERR_PROBEKIT_INVALID_SCENARIO',
      message: expect.stringContaining(`is over ${MAX_SIMULATED_TICKS} ticks`),
    });
  });

  it('still runs a scenario built in code without the metadata a fixture needs (no rules)', async () => {
    const trace = await simulate(runnable);
    expect(trace.probes.map((probe) => probe.outcome)).toEqual(['200', '503', '503', '503', '200', '200']);
    expect(trace.signals.map((signal) => signal.value)).toContain(false);
  });
});

describe('the CLI answers a scenario input nested 5,000 deep with a probekit error', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });

  it('fixtures check --dir reports the file and exits 1 (regression: "internal error: RangeError: Maximum call stack size exceeded")', () => {
    const result = run('fixtures', 'check', '--dir', folderWith('cli-checker', deepScenarioText()));
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('deep.json: /expected/note/0/0');
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).not.toContain('RangeError');
  });

  it('conformance checker --fixtures exits 2 with a "probekit:" message', () => {
    const dir = folderWith('cli-conformance', deepScenarioText());
    const result = run('conformance', 'checker', '--fixtures', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^probekit: Failed to read .*deep\.json: \/expected\/note\/0/);
  });

  it('explain --trace exits 2 with a "probekit:" message (regression: --format json blamed the layout and suggested --format json)', () => {
    const file = join(work, 'deep-trace.json');
    writeFileSync(file, `{ "durationMs": 100, "probes": [], "signals": [], "note": ${deepArray(5000)} }`);
    const result = run('explain', '--trace', file, '--format', 'json');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^probekit: Failed to read --trace ".*deep-trace\.json": \/note\/0\/0/);
    expect(result.stderr).toContain(`nests more than ${LIMITS.maxJsonDepth} levels deep`);
  });
});
