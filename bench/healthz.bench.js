// Requests/s of probekit's control-plane healthz server (`createHealthzServer().run()`, with all
// its hardening) against a bare node:http server that answers the very same bytes, in the same
// run. Target: at least 0.95 of bare node:http.
//
//   npm run build && node bench/healthz.bench.js
//
// Each server runs in its own process on CPU 0 (taskset -c 0); each load run is a fresh wrk
// process on CPU 1 (taskset -c 1), keep-alive GET /healthz (wrk is installed from Debian when
// missing and we are root; otherwise autocannon with several workers stands in, and the report
// says so). Every run also checks that the load generator was not the bottleneck (its CPU share
// of its core under 90%) and measures again a run that other processes disturbed. Rounds alternate which
// server goes first; we print the median and spread (min–max) of req/s, p99 and the server's
// CPU time per request, and the candidate/baseline ratios per round.
// Before measuring, both servers must answer byte-identical responses (Date masked).
// --json: also print the whole result as one JSON line, last (for bench/run.js).
//
// Environment: BENCH_ROUNDS (10), BENCH_SECONDS (2 per run), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (10), BENCH_PIPELINING (1), BENCH_CONTROL (0; 1 also runs bare vs bare
// first, an A/A control whose ratio shows this machine's noise floor: far from 1.00 means the
// machine is too busy for the main ratio to mean much).

import process from 'node:process';
import { fileURLToPath } from 'node:url';
import {
  compareServers,
  failOnErrors,
  formatSpread,
  intEnv,
  printComparison,
  sameFirstResponse,
  startBareServer,
} from './lib/index.js';

const SELF = fileURLToPath(import.meta.url);

/** The candidate: probekit's server exactly as users run it, ready. */
export async function startProbekit() {
  const { createHealthzServer } = await import('../dist/index.js');
  let resolveUrl;
  const listening = new Promise((resolve) => {
    resolveUrl = resolve;
  });
  const healthz = createHealthzServer({
    logger: { info() {}, error() {} },
    onListening: ({ url }) => resolveUrl(url),
  });
  healthz.ready();
  const controller = new AbortController();
  const done = healthz.run(controller.signal, 0, '127.0.0.1');
  return {
    url: await listening,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

/**
 * The baseline: the least node:http code that sends the same bytes for a keep-alive
 * `GET /healthz` (Date, Content-Length: 0, no Connection header): Node's cached Date, its
 * implicit Content-Length, and the Connection header removed.
 */
export function startBare() {
  return startBareServer((_req, res) => {
    res.removeHeader('Connection');
    res.end();
  });
}

const checkSameBytes = () => sameFirstResponse([startBare, startProbekit]);

async function main() {
  const rounds = intEnv('BENCH_ROUNDS', 10);
  const load = {
    path: '/healthz',
    connections: intEnv('BENCH_CONNECTIONS', 10),
    pipelining: intEnv('BENCH_PIPELINING', 1),
    duration: intEnv('BENCH_SECONDS', 2),
    warmup: intEnv('BENCH_WARMUP_SECONDS', 2),
  };
  const bytes = await checkSameBytes();
  console.log(`Both servers answer a keep-alive GET /healthz with: ${JSON.stringify(bytes)}`);
  if (process.env.BENCH_CONTROL === '1') {
    const control = await compareServers({
      baseline: { name: 'bare node:http', module: SELF, export: 'startBare' },
      candidate: { name: 'bare node:http (again)', module: SELF, export: 'startBare' },
      rounds,
      load,
    });
    console.log(
      `A/A control, ratio req/s (bare / bare, per round): ${formatSpread(control.ratio.reqPerSec, 3)}`,
    );
    console.log(
      `A/A control, ratio server CPU per request: ${formatSpread(control.ratio.cpuMicrosPerRequest, 3)}`,
    );
  }
  const result = await compareServers({
    baseline: { name: 'bare node:http', module: SELF, export: 'startBare' },
    candidate: { name: 'probekit healthz', module: SELF, export: 'startProbekit' },
    rounds,
    load,
  });
  printComparison(result, { load, rounds, label: 'probekit', target: 0.95 });
  failOnErrors(result);
  // For bench/run.js: the whole result as the last line of stdout.
  if (process.argv.includes('--json'))
    console.log(JSON.stringify({ bench: 'healthz', load, rounds, bytes, result }));
}

if (process.argv[1] === SELF) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
