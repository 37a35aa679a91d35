#!/usr/bin/env node
// The pictures of docs/profiles.md: for each change in Dapr's health checker, the same
// scenario simulated under the versions before and after it, drawn as lanes on one time axis.
// Each picture is exactly what its `probekit explain … --format svg` command draws (the same
// argument reader, simulator and renderer), with a title of its own.
//
//   npm run build && node scripts/profile-pictures.mjs           write docs/profiles/*.svg
//   npm run build && node scripts/profile-pictures.mjs --check   exit 1 if a file drifted
//
// test/teach/profile-pictures.test.ts regenerates each picture in memory and fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { readExplainArgs } = await import(pathToFileURL(join(root, 'dist/cli/commands/explain.js')).href);
const { simulate } = await import(pathToFileURL(join(root, 'dist/scenario/simulate.js')).href);
const { renderProfileLanes } = await import(pathToFileURL(join(root, 'dist/teach/profile-lanes.js')).href);

/** The command that regenerates the pictures, for messages. */
export const REGENERATE = 'npm run build && node scripts/profile-pictures.mjs';

/**
 * One picture per change, oldest first. `args` are `probekit explain`'s arguments (the
 * script first); docs/profiles.md shows them as commands.
 */
export const PICTURES = [
  {
    file: 'a-to-b-client-and-timeout.svg',
    title: 'v0.6–v0.11.2 → v0.11.3–v1.0.1: a new client, a longer timeout',
    args: [
      '302 [location="/ok"], 200, delay 800ms then 200, 200...',
      '--interval',
      '1s',
      '--initial-delay',
      '0',
      '--threshold',
      '1',
      '--until',
      '4500ms',
      '--profile',
      'dapr-0.6,dapr-1.0',
    ],
  },
  {
    file: 'b-to-c1-false-repeats.svg',
    title: 'v1.0 → v1.1: false on every failure past the threshold',
    args: [
      '200, 503*4, 200...',
      '--interval',
      '100ms',
      '--initial-delay',
      '30ms',
      '--timeout',
      '50ms',
      '--until',
      '800ms',
      '--profile',
      'dapr-1.0,dapr-1.1',
    ],
  },
  {
    file: 'c1-to-c2-timeout-0.svg',
    title: 'v1.1–v1.8 → v1.9–v1.10.4: a timeout of 0 no longer fails',
    args: [
      '200...',
      '--interval',
      '100ms',
      '--initial-delay',
      '30ms',
      '--timeout',
      '0',
      '--until',
      '600ms',
      '--profile',
      'dapr-1.1,dapr-1.9',
    ],
  },
  {
    file: 'c2-to-f-goroutine-per-tick.svg',
    title: 'v1.9–v1.10.4 → v1.10.5–v1.12.5: a goroutine per tick and net/http',
    args: [
      'hang*2, 302 [location="/ok"], 200...',
      '--interval',
      '100ms',
      '--initial-delay',
      '30ms',
      '--timeout',
      '250ms',
      '--read-delay',
      '700ms',
      '--until',
      '1s',
      '--profile',
      'dapr-1.9,dapr-1.10.5',
    ],
  },
  {
    file: 'f-to-i-phases.svg',
    title: 'v1.10.5–v1.12.5 → v1.13–v1.14: two phases, an unbuffered channel',
    args: [
      '200, 503*4, 200...',
      '--interval',
      '100ms',
      '--initial-delay',
      '30ms',
      '--timeout',
      '50ms',
      '--until',
      '1500ms',
      '--profile',
      'dapr-1.10.5,dapr-1.13',
    ],
  },
  {
    file: 'apphealth-1.12-to-1.16.svg',
    title: 'App health checks, v1.12 → v1.16: failures accumulate across successes',
    args: [
      '200, 503, 200, 503, 200, 503, 200...',
      '--interval',
      '100ms',
      '--timeout',
      '50ms',
      '--until',
      '900ms',
      '--profile',
      'dapr-apphealth-1.12,dapr-apphealth-1.16',
    ],
  },
];

/** A shell word: single-quoted unless it is plain. */
function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that draws a picture, as docs/profiles.md shows it.
 *
 * @example
 * commandOf(PICTURES[0]); // "probekit explain '302 …' --interval 1s … --format svg --out …"
 */
export function commandOf(picture) {
  const [script, ...flags] = picture.args;
  const words = [...flags, '--format', 'svg', '--out', picture.file].map(shellWord);
  // The script is always quoted: it is one argument, whatever it holds.
  return ['probekit', 'explain', `'${script.replaceAll("'", "'\\''")}'`, ...words].join(' ');
}

/** The SVG of one picture, drawn in memory. */
export async function renderPicture(picture) {
  const { scenario, profiles } = readExplainArgs([...picture.args, '--format', 'svg']);
  const lanes = [];
  for (const profile of profiles) lanes.push({ profile, trace: await simulate(scenario, { profile }) });
  return renderProfileLanes(lanes, { format: 'svg', title: picture.title });
}

/** Where a picture lives in the repository. */
export function pathOf(picture) {
  return join(root, 'docs', 'profiles', picture.file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  let drifted = 0;
  for (const picture of PICTURES) {
    const svg = await renderPicture(picture);
    const path = pathOf(picture);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== svg) {
        drifted++;
        console.log(`drifted: docs/profiles/${picture.file}`);
      }
    } else {
      writeFileSync(path, svg);
      console.log(`wrote docs/profiles/${picture.file}`);
    }
  }
  if (check && drifted > 0) {
    console.log(`${drifted} picture(s) drifted; regenerate with: ${REGENERATE}`);
    process.exitCode = 1;
  }
}
