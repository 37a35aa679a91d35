import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { scaleScenario } from '../../src/conformance/checker/process/scale.js';
import { ProbekitError } from '../../src/errors.js';
import { findCoincidences } from '../../src/scenario/coincidences.js';
import { CHECKER_FIXTURES_DIR, loadScenarios } from '../../src/scenario/fixtures.js';
import { RULES } from '../../src/scenario/rules.js';
import { simulate } from '../../src/scenario/simulate.js';
import { scenarioProblems } from '../../src/scenario/validate.js';
import { memoryIo } from '../support/cli-io.js';

const files = loadScenarios();

describe('the checker fixtures', () => {
  it('hold at least 40 valid scenarios with unique ids, at every level', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    const levels = new Set(files.map((f) => f.scenario.level));
    expect([...levels].sort()).toEqual(['backpressure', 'core', 'timing']);
  });

  it('cover every rule of the catalogue', () => {
    const covered = new Set(files.flatMap((f) => f.scenario.rules));
    expect(Object.keys(RULES).filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it.each(files.map((f) => [f.scenario.id, f.scenario] as const))(
    '%s: the expected trace has not drifted from simulate()',
    async (_, scenario) => {
      expect(await simulate(scenario)).toEqual(scenario.expected);
    },
  );
});

describe('virtual-only fixtures', () => {
  const marked = files.filter((f) => f.scenario.virtualOnly !== undefined);

  it('mark the answer due at the very instant of the timeout, and keep the tick-first rule real-time', () => {
    const ids = marked.map((f) => f.scenario.id);
    expect(ids).toContain('delay-equal-timeout-fails');
    expect(ids).not.toContain('delay-200-tie-tick-first');
    // The real-time counterpart of the timeout tie runs everywhere.
    expect(files.find((f) => f.scenario.id === 'delay-too-slow-fails')?.scenario.virtualOnly).toBeUndefined();
  });

  it.each([0.5, 2, 3])(
    'stay free of unmarked coincidences at --time-scale %s (rescaled and re-simulated)',
    async (scale) => {
      const found: string[] = [];
      for (const { scenario } of files) {
        if (scenario.virtualOnly !== undefined) continue;
        const { scenario: scaled, expected } = await scaleScenario(scenario, scale);
        for (const c of findCoincidences(scaled, expected)) found.push(`${scenario.id}: ${c.what}`);
      }
      expect(found).toEqual([]);
    },
  );

  it('keep reads off the ticks (regression: late-consumer reads at 1000 and 800 were Go races)', () => {
    for (const id of ['late-consumer-no-loss', 'late-consumer-flapping-threshold-1']) {
      const scenario = files.find((f) => f.scenario.id === id)?.scenario;
      expect(scenario?.virtualOnly, id).toBeUndefined();
      expect((scenario?.readDelayMs ?? 0) % 100, id).not.toBe(0);
    }
  });
});

describe('scenario validation', () => {
  it('names the field that is wrong', () => {
    const problems = scenarioProblems({
      id: 'Bad Id',
      description: 'x',
      rules: ['nope'],
      level: 'fast',
      options: {},
      script: '200',
      durationMs: 0,
    });
    expect(problems.join('\n')).toMatch(/\/id must match pattern/);
    expect(problems.join('\n')).toMatch(/\/level must be equal to one of the allowed values/);
    expect(problems.join('\n')).toMatch(/\/durationMs must be > 0/);
  });

  it('rejects a rule that is not in the catalogue', () => {
    const problems = scenarioProblems({
      id: 'x',
      description: 'x',
      rules: ['count.bogus'],
      level: 'core',
      options: {},
      script: '200',
      durationMs: 10,
    });
    expect(problems).toEqual(['/rules unknown rule "count.bogus"']);
  });
});

describe('probekit fixtures check', () => {
  it('passes on the shipped fixtures', async () => {
    const t = memoryIo();
    expect(await main(['fixtures', 'check'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(
      new RegExp(`${files.length} of ${files.length} scenarios valid and up to date`),
    );
    expect(t.stdout()).toMatch(/\d+ healthz cases valid/);
  });

  it('rejects a healthz case file that breaks its schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-healthz-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ cases: [{ id: 'x' }] }));
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--healthz-dir', dir], t.io)).toBe(1);
    expect(t.stderr()).toMatch(/bad\.json: .*healthz-case\.schema\.json/);
  });

  it('rejects a duplicate id, naming both files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-fixtures-'));
    await cp(join(CHECKER_FIXTURES_DIR, 'hang-times-out.json'), join(dir, 'a.json'));
    await cp(join(CHECKER_FIXTURES_DIR, 'hang-times-out.json'), join(dir, 'b.json'));
    expect(() => loadScenarios(dir)).toThrow(ProbekitError);
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', dir], t.io)).toBe(1);
    expect(t.stderr()).toMatch(/b\.json: the id "hang-times-out" is already used by .*a\.json/);
  });

  it('reports an expected trace that drifted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-fixtures-'));
    const scenario = JSON.parse(await readFile(join(CHECKER_FIXTURES_DIR, 'hang-times-out.json'), 'utf8'));
    scenario.expected.signals[0].at += 1;
    await writeFile(join(dir, 'drifted.json'), JSON.stringify(scenario));
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', dir], t.io)).toBe(1);
    expect(t.stdout()).toMatch(/✗ hang-times-out: the expected trace drifted/);
    expect(t.stdout()).toMatch(/signal time #0/);
  });

  it('rejects a fixture whose read is due exactly on a tick, naming it, both instants and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-fixtures-'));
    const scenario = JSON.parse(
      await readFile(join(CHECKER_FIXTURES_DIR, 'late-consumer-no-loss.json'), 'utf8'),
    );
    scenario.readDelayMs = 1000;
    scenario.expected = await simulate(scenario);
    await writeFile(join(dir, 'tie.json'), JSON.stringify(scenario));
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', dir], t.io)).toBe(1);
    expect(t.stdout()).toMatch(/✗ late-consumer-no-loss: its result depends on instants that coincide/);
    expect(t.stdout()).toMatch(/read at 1000 ms .* tick due at 1000 ms/);
    expect(t.stdout()).toMatch(/fix: move readDelayMs/);
    expect(t.stdout()).toMatch(/"virtualOnly"/);
    expect(t.stdout()).toMatch(/0 of 1 scenarios valid/);

    scenario.virtualOnly = 'tests the read-and-tick tie itself';
    await writeFile(join(dir, 'tie.json'), JSON.stringify(scenario));
    const marked = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', dir], marked.io)).toBe(0);
  });

  it('warns on update about a coincidence that is not marked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-fixtures-'));
    const scenario = JSON.parse(
      await readFile(join(CHECKER_FIXTURES_DIR, 'delay-equal-timeout-fails.json'), 'utf8'),
    );
    delete scenario.virtualOnly;
    await writeFile(join(dir, 'tie.json'), JSON.stringify(scenario));
    const t = memoryIo();
    expect(await main(['fixtures', 'update', '--dir', dir], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/warning: delay-equal-timeout-fails: .*\n.*answer is due at 190 ms/);
  });

  it('rejects an invalid scenario file with the schema problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probekit-fixtures-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ id: 'bad', level: 'core' }));
    const t = memoryIo();
    expect(await main(['fixtures', 'check', '--dir', dir], t.io)).toBe(1);
    expect(t.stderr()).toMatch(/bad\.json: .*must have required property 'description'/);
  });
});
