import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../src/checker/profiles/catalogue.js';
import { main } from '../../src/cli/main.js';
import type { Trace } from '../../src/scenario/types.js';
import { memoryIo } from '../support/cli-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probekit-explain-profile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function explain(args: string[]) {
  const t = memoryIo({});
  const code = await main(['explain', ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

const streaks = [
  '200, 503*4, 200...',
  '--interval',
  '100ms',
  '--initial-delay',
  '30ms',
  '--timeout',
  '50ms',
  '--until',
  '800ms',
];

describe('probekit explain --profile simulates other Dapr versions', () => {
  it('draws one lane per profile in the text timeline, each named with its versions', async () => {
    const { code, stdout, stderr } = await explain([
      ...streaks,
      '--profile',
      'dapr-1.0,dapr-1.1,dapr-1.13',
      '--format',
      'timeline',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const name of [
      'dapr-1.0 (v0.11.3–v1.0.1)',
      'dapr-1.1 (v1.1.0–v1.8.7)',
      'dapr-1.13 (v1.13.0–v1.14.5)',
    ]) {
      expect(stdout).toContain(`── ${name}`);
    }
    expect(stdout).toContain('signals: true@100, false@300, false@400, false@500, true@600');
  });

  it('prints { profile: trace } as JSON for every profile with --profile all', async () => {
    const { code, stdout } = await explain([...streaks, '--profile', 'all', '--format', 'json']);
    expect(code).toBe(0);
    const traces = JSON.parse(stdout) as Record<string, Trace>;
    expect(Object.keys(traces)).toEqual([...PROFILE_NAMES]);
    expect(traces['dapr-1.1']?.signals.filter((s) => !s.value).map((s) => s.at)).toEqual([300, 400, 500]);
    expect(traces['dapr-1.0']?.signals.filter((s) => !s.value).map((s) => s.at)).toEqual([300]);
  });

  it("takes one profile's defaults for the options left out, and names it in the header", async () => {
    const table = await explain(['200...', '--profile', 'dapr-1.13']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^dapr-1\.13 \(v1\.13\.0–v1\.14\.5\) · interval 3000 ms · threshold 2 · timeout 2000 ms$/m,
    );
    const json = await explain(['200...', '--profile', 'dapr-1.13', '--format', 'json']);
    const trace = JSON.parse(json.stdout) as Trace;
    // No initial delay, 3 s healthy interval: a probe at once, then every 3 s for 10 intervals.
    expect(trace.durationMs).toBe(30_000);
    expect(trace.probes.map((p) => p.start).slice(0, 3)).toEqual([0, 3000, 6000]);
  });

  it('writes the lanes as an SVG picture to --out', async () => {
    const out = join(dir, 'lanes.svg');
    const { code, stdout } = await explain([
      ...streaks,
      '--profile',
      'dapr-1.9,dapr-1.10.5',
      '--format',
      'svg',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote the svg of 2 profiles \(\d+ probes\) to .*lanes\.svg$/m);
    const svg = await readFile(out, 'utf8');
    expect(svg.match(/<g class="lane" data-profile="[^"]+"/g)).toEqual([
      '<g class="lane" data-profile="dapr-1.9"',
      '<g class="lane" data-profile="dapr-1.10.5"',
    ]);
    expect(svg).toContain('<title id="lanes-title">probekit explain &quot;200, 503*4, 200...&quot;</title>');
  });

  it('exits 2 on an unknown profile, naming it and listing the names', async () => {
    const { code, stdout, stderr } = await explain([...streaks, '--profile', 'dapr-1.0,dapr-9.9']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `probekit: Failed to read --profile "dapr-1.0,dapr-9.9": there is no profile "dapr-9.9". Use one or more of ${PROFILE_NAMES.join(', ')} (comma-separated), or all.\n`,
    );
  });

  it('exits 2 on a profile named twice or an empty name', async () => {
    const twice = await explain([...streaks, '--profile', 'dapr-1.1,dapr-1.1']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('dapr-1.1 is named twice');
    const empty = await explain([...streaks, '--profile', 'dapr-1.1,']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('a name is empty');
  });

  it('exits 2 when a profile refuses the options, naming the profile', async () => {
    const { code, stderr } = await explain([
      '200...',
      '--interval',
      '100ms',
      '--timeout',
      '200ms',
      '--profile',
      'dapr-1.0,dapr-apphealth-1.12',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^probekit: Failed to .*dapr-apphealth-1\.12/);
  });

  it('explains a recorded trace by one profile, and refuses several with --trace', async () => {
    const json = await explain([...streaks, '--profile', 'dapr-1.1', '--format', 'json']);
    const file = join(dir, 'v1.1.json');
    await writeFile(file, json.stdout);
    const one = await explain(['--trace', file, '--profile', 'dapr-1.1', '--width', '120']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/#4 → 503 +1 +503 ≠ 200 → failure, count 1 → emit false; at 2 or more/);
    const two = await explain(['--trace', file, '--profile', 'dapr-1.0,dapr-1.1']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--trace draws one recorded run, so it takes one --profile');
  });
});
