import { machineNotes } from './compare-servers.js';
import { formatSpread } from './stats.js';

/**
 * Prints a `compareServers` result: the machine and load, one table row per side, and the
 * per-round ratios (`label` names the candidate in the ratio lines, `target` its req/s goal).
 */
export function printComparison(result, { load, rounds, label, target }) {
  const date = new Date().toISOString().slice(0, 10);
  console.log('');
  console.log(
    `${date} · ${machineNotes(result.pinned)} · ${generatorText(result.loadCheck)} ${load.connections} connections, pipelining ${load.pipelining}, ${rounds} rounds × ${load.duration} s`,
  );
  console.log('');
  console.log(
    '| server | req/s median (min–max) | p99 ms median | server CPU µs/request median (min–max) | errors | non-2xx |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const side of [result.baseline, result.candidate]) {
    console.log(
      `| ${side.name} | ${formatSpread(side.reqPerSec)} | ${side.p99.median.toFixed(2)} | ${formatSpread(side.cpuMicrosPerRequest, 1)} | ${side.errors} | ${side.non2xx} |`,
    );
  }
  console.log('');
  console.log(
    `ratio req/s (${label} / bare, per round): ${formatSpread(result.ratio.reqPerSec, 3)}  (target ≥ ${target})`,
  );
  console.log(
    `ratio server CPU per request (${label} / bare, per round): ${formatSpread(result.ratio.cpuMicrosPerRequest, 3)}  (lower is better)`,
  );
  console.log(loadCheckText(result));
}

function generatorText(check) {
  return check.generator === 'wrk' ? 'wrk (1 thread)' : `autocannon (${check.note})`;
}

const percent = (share) => `${Math.round(share * 100)}%`;
const percentSpread = (s) => `${percent(s.median)} (${percent(s.min)}–${percent(s.max)})`;

/**
 * One line: whether the load generator could have been the bottleneck (its CPU share of its core
 * in every run against the limit), and how busy each server's core was.
 */
export function loadCheckText(result) {
  const { loadCheck: check, baseline, candidate } = result;
  const verdict = check.ok
    ? `under ${percent(check.limit)} in every run: the load generator was not the bottleneck`
    : `reached ${percent(check.max)} (limit ${percent(check.limit)}): the load generator may be the bottleneck, read the CPU-per-request rows`;
  return (
    `load generator check: ${check.generator} used at most ${percent(check.max)} of its core, ${verdict}; ` +
    `server process CPU ${baseline.name} ${percentSpread(baseline.serverCpuShare)}, ${candidate.name} ${percentSpread(candidate.serverCpuShare)} of its core, ` +
    `the server's core busy (interrupts included) ${percentSpread(baseline.serverCoreBusy)} and ${percentSpread(candidate.serverCoreBusy)}; ` +
    `${check.disturbedRuns} of ${check.runs} runs disturbed (other processes over ${percent(check.foreignLimit)} of the server's core or ${percent(check.foreignLoadLimit)} of the load generator's) after ${check.retries} re-run(s).`
  );
}

/** Errors or non-2xx answers on either side make the benchmark fail (exit code 1). */
export function failOnErrors(result) {
  const failures =
    result.baseline.errors + result.candidate.errors + result.baseline.non2xx + result.candidate.non2xx;
  if (failures > 0) {
    console.error(`warning: ${failures} errors or non-2xx responses during the runs`);
    process.exitCode = 1;
  }
}
