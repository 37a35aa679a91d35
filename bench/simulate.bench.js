// Probes per second of `simulate()` — the reference checker's semantics on the discrete-event
// simulator (docs/decisions/0010), probing the in-process endpoint's engine, with the trace
// recorded — against a bare fake-timers loop that fires as many timers as the same run through
// the async checker on a fake-timers clock creates, in the same run.
//
//   npm run build && node bench/simulate.bench.js [--json]
//
// Both run in this process (CPU-bound, no sockets). A first unmeasured pass counts the timers the
// async simulation creates (by wrapping fake-timers' createClock) and warms the JIT up; then each
// round times one simulation and one bare loop, alternating which goes first. We print the
// median and spread (min–max) of each, and of the per-round ratio. With --json, the last line
// of stdout is the result as JSON (what bench/run.js reads).
//
// Environment: BENCH_PROBES (10000 per run), BENCH_ROUNDS (7).

import process from 'node:process';
import FakeTimers from '@sinonjs/fake-timers';
import { formatSpread, machineNotes, spread } from './lib/index.js';

const PROBES = intEnv('BENCH_PROBES', 10_000);
const ROUNDS = intEnv('BENCH_ROUNDS', 7);
const INTERVAL = 100;

/** A scenario mixing what probes meet: successes, a failure streak, a slow answer, a hang. */
function scenario(probes) {
  return {
    id: 'bench-simulate',
    description: 'simulate() throughput',
    rules: [],
    level: 'core',
    options: { intervalMs: INTERVAL, initialDelayMs: 0, requestTimeoutMs: 50, failureThreshold: 2 },
    script: '(200, 503*3, delay 10ms then 200, hang)...',
    durationMs: probes * INTERVAL + INTERVAL / 2,
  };
}

/** Timers a simulation of `probes` probes creates, counted on every clock it makes. */
async function countTimers(simulate, probes) {
  const original = FakeTimers.createClock;
  let timers = 0;
  FakeTimers.createClock = (...args) => {
    const clock = original(...args);
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (...rest) => {
      timers++;
      return setTimeout(...rest);
    };
    return clock;
  };
  try {
    const trace = await simulate(scenario(probes));
    if (trace.probes.length !== probes)
      throw new Error(`simulated ${trace.probes.length} probes, expected ${probes}`);
  } finally {
    FakeTimers.createClock = original;
  }
  return timers;
}

/** One timed simulation: probes per second of wall time. */
async function timeSimulation(simulate) {
  const started = performance.now();
  const trace = await simulate(scenario(PROBES));
  const seconds = (performance.now() - started) / 1000;
  if (trace.probes.length !== PROBES) throw new Error(`simulated ${trace.probes.length} probes`);
  return PROBES / seconds;
}

/**
 * The baseline: a fresh fake-timers clock and a chain of `timers` setTimeout callbacks over the
 * same virtual span, driven by tickAsync as simulate() drives its clock. Reported per probe
 * (probes / wall time) so the two rows compare directly.
 */
async function timeBareLoop(timers) {
  const clock = FakeTimers.createClock(0);
  const span = PROBES * INTERVAL;
  const step = Math.max(1, Math.floor(span / timers));
  let fired = 0;
  const next = () => {
    fired++;
    if (fired < timers) clock.setTimeout(next, step);
  };
  const started = performance.now();
  clock.setTimeout(next, step);
  await clock.tickAsync(step * timers + INTERVAL);
  const seconds = (performance.now() - started) / 1000;
  if (fired !== timers) throw new Error(`fired ${fired} timers, expected ${timers}`);
  return PROBES / seconds;
}

async function main() {
  const { simulate } = await import('../dist/index.js');
  // simulate() runs on the event simulator, which makes no timers: count the async checker's.
  const { simulateAsync } = await import('../dist/scenario/simulate.js');
  const json = process.argv.includes('--json');
  const timersPerRun = await countTimers(simulateAsync, PROBES);
  // Warm-up, unmeasured.
  await timeSimulation(simulate);
  await timeBareLoop(timersPerRun);

  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let simulated;
    let bare;
    if (round % 2 === 1) {
      simulated = await timeSimulation(simulate);
      bare = await timeBareLoop(timersPerRun);
    } else {
      bare = await timeBareLoop(timersPerRun);
      simulated = await timeSimulation(simulate);
    }
    rounds.push({ round, simulated, bare, ratio: simulated / bare });
    console.error(
      `round ${round}/${ROUNDS}: simulate ${Math.round(simulated)} probes/s, bare loop ${Math.round(bare)} /s ` +
        `(ratio ${(simulated / bare).toFixed(3)})`,
    );
  }
  const result = {
    bench: 'simulate',
    probes: PROBES,
    timers: timersPerRun,
    rounds,
    simulated: spread(rounds.map((r) => r.simulated)),
    bare: spread(rounds.map((r) => r.bare)),
    ratio: spread(rounds.map((r) => r.ratio)),
    machine: machineNotes(false),
  };
  console.log(
    `${new Date().toISOString().slice(0, 10)} · ${result.machine} · ${PROBES} probes per run ` +
      `(${(timersPerRun / PROBES).toFixed(2)} timers per probe), ${ROUNDS} rounds`,
  );
  console.log('');
  console.log('| run | probes/s median (min–max) |');
  console.log('|---|---|');
  console.log(`| simulate() | ${formatSpread(result.simulated)} |`);
  console.log(`| bare fake-timers loop, ${timersPerRun} timers | ${formatSpread(result.bare)} |`);
  console.log('');
  console.log(`ratio (simulate / bare loop, per round): ${formatSpread(result.ratio, 3)}`);
  if (json) console.log(JSON.stringify(result));
}

function intEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
