// npm run bench: runs every benchmark, one after another, and prints one table. Each row is a
// ratio against a baseline measured in the same run (the median of several rounds, with the
// spread min–max), with the date and machine notes, ready to paste into the README.
//
//   npm run bench                      (builds first; about 5 minutes)
//   node bench/run.js --only simulate  (a comma list: healthz, mock-server, proxy, fanout, simulate)
//
// Each benchmark runs as its own process, `node bench/<name>.bench.js --json`, which prints its
// usual report (forwarded here to stderr, as progress) and, last, one JSON line with its
// samples; this runner only turns those into rows. Servers are pinned to CPU 0 and load
// generators to CPU 1 by the benchmarks themselves (taskset), when the machine allows it.
// The environment below sizes each benchmark so that the whole run stays under 5 minutes;
// anything already set in the environment wins.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { canPin } from './lib/index.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Every benchmark: its file, the environment that sizes it for this run, and how its JSON
 * becomes rows.
 */
const BENCHES = [
  {
    name: 'healthz',
    file: 'healthz.bench.js',
    // 10 rounds: single rounds of these servers swing by ±30% on this kind of machine.
    env: { BENCH_ROUNDS: '10', BENCH_SECONDS: '2', BENCH_WARMUP_SECONDS: '2' },
    rows: (data) => serverRows('healthz server vs bare node:http', data),
    notes: (data) => [loadNote('healthz', data.result)],
  },
  {
    name: 'mock-server',
    file: 'mock-server.bench.js',
    env: { BENCH_ROUNDS: '10', BENCH_SECONDS: '2', BENCH_WARMUP_SECONDS: '2', BENCH_JOURNALLED: '200000' },
    rows: (data) => serverRows('mock server (200..., journal on) vs bare node:http', data),
    notes: (data) => {
      const { count, all, bounded } = data.journal;
      const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
      return [
        loadNote('mock server', data.result),
        `mock server journal: ${(all.bytes / count).toFixed(0)} bytes per kept entry (${count} requests ` +
          `journalled in process); with the default size it stays at ${mib(bounded.bytes)} MiB ` +
          `(${bounded.kept} kept, ${bounded.dropped} dropped).`,
      ];
    },
  },
  {
    name: 'proxy',
    file: 'proxy.bench.js',
    // Issue 14's target: at least 0.9 of the bare proxy's requests/s.
    env: { BENCH_ROUNDS: '10', BENCH_SECONDS: '2', BENCH_WARMUP_SECONDS: '1' },
    rows: (data) => serverRows("fault proxy ('pass...', journal on) vs a bare node:http reverse proxy", data),
    notes: (data) => [loadNote('fault proxy', data.result)],
  },
  {
    name: 'fanout',
    file: 'transport.bench.js',
    // The checker fan-out, the Go pattern (Dapr v1.0's loop with fasthttp, when go is installed)
    // and the bare loop of the checks' default HTTP client, the raw engine (the undici baseline
    // of that benchmark always runs too): 1,000 endpoints every 100 ms, 8 s measured per run
    // after 3 s of warm-up: starting 1,000 checks (connections, the JIT) keeps Node's core
    // saturated for about 1.3 s, and a 1 s warm-up let that tail into the measured p99.
    env: {
      BENCH_CLIENTS: 'probekit-raw,checker,go',
      BENCH_ENDPOINTS: '1000',
      BENCH_INTERVAL_MS: '100',
      BENCH_SECONDS: '8',
      BENCH_WARMUP_SECONDS: '3',
      BENCH_ROUNDS: '3',
      BENCH_MAX_RETRIES: '2',
    },
    rows: fanoutRows,
    notes: (data) => {
      const limit = data.maxForeignShare ?? Number.POSITIVE_INFINITY;
      const runs = Object.values(data.results).flat();
      const clean = runs.filter((run) => !(run.foreignShare > limit)).length;
      const failures = runs.reduce((sum, run) => sum + (run.failures ?? 0), 0);
      const go = data.results.go?.[0];
      return [
        `fan-out: ${clean} of ${runs.length} client runs undisturbed (other processes under ` +
          `${Math.round(limit * 100)}% of the client's CPU); ${failures} failed probes in all. Lateness ` +
          'rows show the per-round difference from the baseline (probe start minus its tick).',
        data.skipped?.go
          ? `the Go pattern: skipped: ${data.skipped.go}.`
          : `the Go pattern: bench/go/dapr-loop (${go?.goVersion ?? 'go'}, GOMAXPROCS ${go?.gomaxprocs ?? '?'}, ` +
            'fasthttp from Debian), one goroutine, ticker and fasthttp.Client per endpoint, DoTimeout per tick.',
      ];
    },
  },
  {
    name: 'simulate',
    file: 'simulate.bench.js',
    env: { BENCH_PROBES: '10000', BENCH_ROUNDS: '7' },
    rows: (data) => [
      {
        bench: `simulate() vs a bare fake-timers loop of as many timers (${(data.timers / data.probes).toFixed(2)} per probe)`,
        measure: 'probes/s',
        candidate: data.simulated.median,
        baseline: data.bare.median,
        ratio: data.ratio,
        better: 'higher',
        digits: 0,
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Rows

/** Per-round ratios of `pick(candidate) / pick(baseline)`, as a spread. */
function roundRatios(rounds, pick) {
  return spreadOf(rounds.map((r) => pick(r.candidate) / pick(r.baseline)));
}

/** compareServers() results: req/s, p99 latency and server CPU per request. */
function serverRows(title, { result, load }) {
  const generator = result.loadCheck?.generator ?? 'autocannon';
  const bench = `${title} (${generator}, ${load.connections} keep-alive connections)`;
  return [
    {
      bench,
      measure: 'requests/s',
      candidate: result.candidate.reqPerSec.median,
      baseline: result.baseline.reqPerSec.median,
      ratio: result.ratio.reqPerSec,
      better: 'higher',
      digits: 0,
    },
    {
      bench: '',
      measure: 'p99 latency, ms',
      candidate: result.candidate.p99.median,
      baseline: result.baseline.p99.median,
      ratio: roundRatios(result.rounds, (sample) => Math.max(sample.p99, 0.5)),
      better: 'lower',
      digits: 1,
    },
    {
      bench: '',
      measure: 'server CPU, µs/request',
      candidate: result.candidate.cpuMicrosPerRequest.median,
      baseline: result.baseline.cpuMicrosPerRequest.median,
      ratio: result.ratio.cpuMicrosPerRequest,
      better: 'lower',
      digits: 1,
    },
  ];
}

/** The load-generator check of a server comparison, as one note. */
function loadNote(name, result) {
  const check = result.loadCheck;
  if (!check) return `${name}: no load-generator check in this result.`;
  const pct = (share) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '?');
  const range = (spread) => (spread ? `${pct(spread.min)}–${pct(spread.max)}` : '?');
  const shares = (label, side) =>
    `${label} ${range(side.serverCpuShare)} of its core (${range(side.serverCoreBusy)} with interrupts)`;
  return (
    `${name}: ${check.generator}${check.note ? ` (${check.note})` : ''} used at most ${pct(check.max)} of its core ` +
    `(${check.ok ? 'under' : 'NOT under'} ${pct(check.limit)}: ${check.ok ? 'not' : 'possibly'} the bottleneck); ` +
    `servers: ${shares('bare', result.baseline)}, ${shares('probekit', result.candidate)}; ` +
    `${check.disturbedRuns} of ${check.runs} runs disturbed by other processes (over 10% of the server's core or 25% of wrk's) after ${check.retries} re-run(s).`
  );
}

/**
 * transport.bench.js results: the checker fan-out against the Go pattern (Dapr v1.0's loop with
 * fasthttp) and against the bare loop of httpTransport. As
 * that benchmark does, runs that other processes disturbed (over `maxForeignShare` of the
 * client's CPU) are left out when a row has undisturbed ones, and ratios pair runs of one round.
 */
function fanoutRows(data) {
  const limit = data.maxForeignShare ?? Number.POSITIVE_INFINITY;
  const clean = (run) => !(run.foreignShare > limit);
  const usable = (runs) => (runs.some(clean) ? runs.filter(clean) : runs);
  const checker = data.results.checker ?? [];
  // The bare loop of the checks' default client (the raw engine); older runs measured undici's.
  const bare = data.results['probekit-raw'] ?? data.results.probekit ?? [];
  const bareName = data.results['probekit-raw'] ? "httpTransport({ engine: 'raw' })" : 'httpTransport()';
  const undici = data.results[data.baseline] ?? [];
  // Runs of the same round, both undisturbed when there are such pairs.
  const pairsOf = (a, b) => {
    const pairs = a
      .map((run) => [run, b.find((o) => o.round === run.round)])
      .filter(([, other]) => other !== undefined);
    const cleanPairs = pairs.filter(([run, other]) => clean(run) && clean(other));
    return cleanPairs.length > 0 ? cleanPairs : pairs;
  };
  const paired = (a, b, pick) =>
    pairsOf(a, b)
      .map(([run, other]) => pick(run) / pick(other))
      .filter(Number.isFinite);
  const differences = (a, b, pick) => pairsOf(a, b).map(([run, other]) => pick(run) - pick(other));
  const med = (runs, pick) => medianOf(usable(runs).map(pick));
  const go = data.results.go ?? [];
  const shape = `${data.endpoints} checkers every ${data.interval} ms, ${data.seconds} s`;
  const lateness = (q) => (r) => r[`lateness${q}`];
  const vsGo = data.skipped?.go
    ? [
        {
          bench: `checker fan-out vs the Go pattern (Dapr v1.0 loop, fasthttp): ${shape}`,
          skipped: data.skipped.go,
        },
      ]
    : [
        {
          bench: `checker fan-out vs the Go pattern (Dapr v1.0 loop, fasthttp): ${shape}`,
          measure: 'client CPU, µs/probe',
          candidate: med(checker, (r) => r.cpuUsPerProbe),
          baseline: med(go, (r) => r.cpuUsPerProbe),
          ratio: spreadOf(paired(checker, go, (r) => r.cpuUsPerProbe)),
          better: 'lower',
          digits: 1,
        },
        {
          bench: '',
          measure: `probes/s (target ${Math.round((data.endpoints * 1000) / data.interval)})`,
          candidate: med(checker, (r) => r.probesPerSecond),
          baseline: med(go, (r) => r.probesPerSecond),
          ratio: spreadOf(paired(checker, go, (r) => r.probesPerSecond)),
          better: 'higher',
          digits: 0,
        },
        ...['P50', 'P99'].map((q) => ({
          bench: '',
          measure: `probe-start lateness ${q.toLowerCase()}, ms`,
          candidate: med(checker, lateness(q)),
          baseline: med(go, lateness(q)),
          // Both are near zero on an idle core (even negative for Node: its timers fire early), so
          // a ratio would be noise; the per-round difference says what the checker adds.
          difference: spreadOf(differences(checker, go, lateness(q))),
          better: 'lower',
          digits: 2,
        })),
      ];
  return [
    ...vsGo,
    {
      bench: `checker fan-out vs a bare loop of the same client (${bareName}): ${shape}`,
      measure: 'client CPU, µs/probe',
      candidate: med(checker, (r) => r.cpuUsPerProbe),
      baseline: med(bare, (r) => r.cpuUsPerProbe),
      ratio: spreadOf(paired(checker, bare, (r) => r.cpuUsPerProbe)),
      better: 'lower',
      digits: 1,
    },
    {
      bench: '',
      measure: 'probe-start lateness p99, ms',
      candidate: med(checker, lateness('P99')),
      baseline: med(bare, lateness('P99')),
      difference: spreadOf(differences(checker, bare, lateness('P99'))),
      better: 'lower',
      digits: 2,
    },
    {
      bench: `${bareName} vs undici Pool.request (same loops, same load)`,
      measure: 'client CPU, µs/probe',
      candidate: med(bare, (r) => r.cpuUsPerProbe),
      baseline: med(undici, (r) => r.cpuUsPerProbe),
      ratio: spreadOf(paired(bare, undici, (r) => r.cpuUsPerProbe)),
      better: 'lower',
      digits: 1,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Running

function runBench(bench) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${HERE}${bench.file}`, '--json'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...bench.env, ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const forward = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '' && !line.startsWith('{')) process.stderr.write(`  [${bench.name}] ${line}\n`);
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      forward(chunk);
    });
    child.stderr.on('data', forward);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (!line) {
        resolve({ error: `exited with code ${code} without a JSON result (is --json supported?)`, seconds });
        return;
      }
      try {
        resolve({ data: JSON.parse(line), code, seconds });
      } catch (error) {
        resolve({ error: `printed bad JSON: ${error.message}`, seconds });
      }
    });
  });
}

function machine() {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? model;
  } catch {
    // Not Linux: os.cpus() has the model too.
  }
  const pinned = os.availableParallelism() >= 2 && canPin(0) && canPin(1);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return {
    cpu: model,
    cores: os.availableParallelism(),
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
    pinned,
    load,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(value, digits) {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratioText(row) {
  const { ratio, better, difference } = row;
  if (difference) {
    const signed = (n) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(2)}`;
    return `${signed(difference.median)} ms (${signed(difference.min)}–${signed(difference.max)}), a difference`;
  }
  if (!ratio || !Number.isFinite(ratio.median)) return '—';
  return `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}), ${better} is better`;
}

function table(rows) {
  const lines = [
    '| benchmark | measure | probekit (median) | baseline (median) | ratio probekit / baseline (min–max) |',
    '|---|---|---:|---:|---|',
  ];
  for (const row of rows) {
    if (row.error) {
      lines.push(`| ${row.bench} | failed: ${row.error} | | | |`);
      continue;
    }
    if (row.skipped) {
      lines.push(`| ${row.bench} | skipped: ${row.skipped} | | | |`);
      continue;
    }
    lines.push(
      `| ${row.bench} | ${row.measure} | ${fmt(row.candidate, row.digits)} | ${fmt(row.baseline, row.digits)} | ${ratioText(row)} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex > 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : undefined;
  const selected = only ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  if (selected.length === 0) {
    console.error(`Unknown benchmark in --only. Choose from: ${BENCHES.map((b) => b.name).join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  const host = machine();
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const started = performance.now();
  const rows = [];
  const durations = [];
  const notes = [];
  let failed = false;
  for (const bench of selected) {
    process.stderr.write(`\n▶ ${bench.file}\n`);
    const outcome = await runBench(bench);
    durations.push(`${bench.name} ${Math.round(outcome.seconds)} s`);
    if (outcome.error) {
      failed = true;
      rows.push({ bench: bench.file, error: outcome.error });
      continue;
    }
    try {
      rows.push(...bench.rows(outcome.data));
      notes.push(...(bench.notes?.(outcome.data) ?? []));
    } catch (error) {
      failed = true;
      rows.push({ bench: bench.file, error: `unexpected result shape (${error.message})` });
    }
    if (outcome.code !== 0) {
      // The bench measured, but flagged something (errors or non-2xx during the load runs).
      failed = true;
      rows.push({ bench: bench.file, error: `exited with code ${outcome.code}; see its report above` });
    }
  }
  const total = Math.round((performance.now() - started) / 1000);
  console.log('');
  console.log(`Benchmarks, ${date} UTC, ${total} s in all (${durations.join(', ')}).`);
  console.log(
    `Machine: ${host.cpu}, ${host.cores} cores, ${host.os}, Node ${host.node}; load average ` +
      `${host.load} at the start; ${host.pinned ? 'servers on CPU 0, load generators and clients on CPU 1 (taskset)' : 'unpinned (no taskset or one CPU)'}.`,
  );
  console.log('');
  console.log(table(rows));
  console.log('');
  console.log(
    'Ratios are per round (candidate and baseline measured back to back, alternating order), then ' +
      'the median and the min–max over the rounds.',
  );
  for (const note of notes) console.log(note);
  if (failed) process.exitCode = 1;
}

function medianOf(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function spreadOf(values) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  return { median: medianOf(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
