// Probes per second of the discrete-event simulator (`simulateEvents`, what simulate() runs for
// whole-millisecond scenarios) against a bare fake-timers loop that fires as many timers as the
// async checker's simulation of the same run creates, at several run lengths, in the same
// process. The async checker itself (`simulateAsync`) is timed too where it is short enough.
//
//   npm run build && node bench/simulate-des.bench.js [--json]
//
// Three unmeasured warm-up runs, then for each size one more, then BENCH_ROUNDS rounds alternating which goes first;
// medians and min–max of probes/s and of the per-round ratio.
//
// Environment: BENCH_SIZES (10000,40000,200000,1000000), BENCH_ROUNDS (3),
// BENCH_ASYNC_MAX (40000: the longest run also timed through the async checker).

import process from 'node:process';
import FakeTimers from '@sinonjs/fake-timers';
import { formatSpread, machineNotes, spread } from './lib/index.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,40000,200000,1000000').split(',').map(Number);
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const ASYNC_MAX = intEnv('BENCH_ASYNC_MAX', 40_000);
const INTERVAL = 100;

/** The same mix as bench/simulate.bench.js: successes, a failure streak, a slow answer, a hang. */
function scenario(probes) {
  return {
    id: 'bench-simulate-des',
    description: 'simulate() throughput',
    rules: [],
    level: 'core',
    options: { intervalMs: INTERVAL, initialDelayMs: 0, requestTimeoutMs: 50, failureThreshold: 2 },
    script: '(200, 503*3, delay 10ms then 200, hang)...',
    durationMs: probes * INTERVAL + INTERVAL / 2,
  };
}

/** Timers the async simulation of `probes` probes creates, counted on every clock it makes. */
async function countTimers(simulateAsync, probes) {
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
    await simulateAsync(scenario(probes));
  } finally {
    FakeTimers.createClock = original;
  }
  return timers;
}

async function timed(probes, run) {
  const started = performance.now();
  const trace = await run(scenario(probes));
  const seconds = (performance.now() - started) / 1000;
  if (trace.probes.length !== probes)
    throw new Error(`simulated ${trace.probes.length} probes, expected ${probes}`);
  return probes / seconds;
}

/** A chain of `timers` setTimeout callbacks over the same virtual span, driven by tickAsync. */
async function timeBareLoop(probes, timers) {
  const clock = FakeTimers.createClock(0);
  const step = Math.max(1, Math.floor((probes * INTERVAL) / timers));
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
  return probes / seconds;
}

async function main() {
  const { simulateEvents } = await import('../dist/scenario/des/index.js');
  const { simulateAsync } = await import('../dist/scenario/simulate.js');
  const events = (s) => simulateEvents(s);
  const json = process.argv.includes('--json');
  const base = Math.min(...SIZES);
  const timersPerProbe = (await countTimers(simulateAsync, base)) / base;
  // The JIT needs a few runs before the simulator's hot path is optimised.
  for (let run = 0; run < 3; run++) await timed(base, events);
  const rows = [];
  for (const probes of SIZES) {
    const timers = Math.round(timersPerProbe * probes);
    const withAsync = probes <= ASYNC_MAX;
    await timed(probes, events);
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let des;
      let bare;
      if (round % 2 === 1) {
        des = await timed(probes, events);
        bare = await timeBareLoop(probes, timers);
      } else {
        bare = await timeBareLoop(probes, timers);
        des = await timed(probes, events);
      }
      const asyncRate = withAsync ? await timed(probes, simulateAsync) : undefined;
      rounds.push({ des, bare, asyncRate, ratio: des / bare });
      console.error(
        `${probes} probes, round ${round}/${ROUNDS}: events ${Math.round(des)}/s, bare loop ${Math.round(bare)}/s` +
          (asyncRate ? `, async ${Math.round(asyncRate)}/s` : '') +
          ` (ratio ${(des / bare).toFixed(2)})`,
      );
    }
    rows.push({
      probes,
      timers,
      des: spread(rounds.map((r) => r.des)),
      bare: spread(rounds.map((r) => r.bare)),
      async: withAsync ? spread(rounds.map((r) => r.asyncRate)) : undefined,
      ratio: spread(rounds.map((r) => r.ratio)),
    });
  }
  const machine = machineNotes(false);
  console.log(
    `${new Date().toISOString().slice(0, 10)} · ${machine} · ${timersPerProbe.toFixed(2)} timers per probe, ${ROUNDS} rounds`,
  );
  console.log('');
  console.log('| probes | event simulator, probes/s | bare fake-timers loop | ratio | async checker |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    console.log(
      `| ${row.probes} | ${formatSpread(row.des)} | ${formatSpread(row.bare)} | ${formatSpread(row.ratio, 2)} | ${row.async ? formatSpread(row.async) : '—'} |`,
    );
  }
  if (json) console.log(JSON.stringify({ bench: 'simulate-des', rows, machine }));
}

function intEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
