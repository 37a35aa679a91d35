// Requests/s of probekit's mock server (`startMockServer('200...')`, journal on) against a bare
// node:http server that answers the very same bytes, in the same run. Target: at least 0.95.
// Then the memory a journal of a million requests takes.
//
//   npm run build && node bench/mock-server.bench.js
//
// Each server runs in its own process on CPU 0 (taskset -c 0); each load run is a fresh wrk
// process on CPU 1 (taskset -c 1), keep-alive GET /healthz (wrk is installed from Debian when
// missing and we are root; otherwise autocannon with several workers stands in, and the report
// says so). Every run also checks that the load generator was not the bottleneck (its CPU share
// of its core under 90%) and measures again a run that other processes disturbed. Rounds alternate which
// server goes first; we print the median and spread (min–max) of req/s, p99 and the server's
// CPU time per request, and the candidate/baseline ratios per round. Before measuring, both
// servers must answer byte-identical responses (Date masked).
//
// Memory: a child process (node --expose-gc) sends a million requests through the in-process
// transport of an endpoint whose journal keeps them all, and reports the heap growth per entry;
// then the same with the default journal size, to show that memory stays bounded.
//
// Environment: BENCH_ROUNDS (6), BENCH_SECONDS (3 per run), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (10), BENCH_PIPELINING (1), BENCH_JOURNALLED (1000000).

import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import {
  compareServers,
  failOnErrors,
  intEnv,
  printComparison,
  sameFirstResponse,
  startBareServer,
} from './lib/index.js';

const SELF = fileURLToPath(import.meta.url);

/** The endpoint API, from the built package (from its endpoint module until the root re-exports it). */
async function probekit() {
  const root = await import('../dist/index.js');
  if (typeof root.startMockServer === 'function') return root;
  return import('../dist/endpoint/index.js');
}

/** The candidate: the mock server as users run it, journal on (default size). */
export async function startMock() {
  const { startMockServer } = await probekit();
  const server = await startMockServer('200...');
  return { url: server.url, close: () => server.close() };
}

/** The baseline: the least node:http code that sends the same bytes. */
export function startBare() {
  return startBareServer((_req, res) => {
    res.writeHead(200);
    res.end();
  });
}

const checkSameBytes = () => sameFirstResponse([startBare, startMock]);

/** Runs in a child with --expose-gc: heap growth for `count` journalled requests. */
async function measureJournal(count, journalSize) {
  const { flakyEndpoint } = await probekit();
  const gc = globalThis.gc;
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const endpoint = flakyEndpoint('/healthz: 200...', journalSize === undefined ? {} : { journalSize });
  const signal = new AbortController().signal;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await endpoint.transport({ url: 'http://endpoint.test/healthz', timeout: 1000, signal });
  }
  const seconds = (performance.now() - started) / 1000;
  const after = used();
  if (endpoint.journal.total !== count)
    throw new Error(`journalled ${endpoint.journal.total}, expected ${count}`);
  process.stdout.write(
    `${JSON.stringify({ count, kept: endpoint.journal.size, dropped: endpoint.journal.dropped, bytes: after - before, seconds })}\n`,
  );
}

function journalMemory(count, journalSize) {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      SELF,
      '--journal',
      String(count),
      journalSize === undefined ? 'default' : String(journalSize),
    ],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

async function main() {
  const rounds = intEnv('BENCH_ROUNDS', 6);
  const load = {
    path: '/healthz',
    connections: intEnv('BENCH_CONNECTIONS', 10),
    pipelining: intEnv('BENCH_PIPELINING', 1),
    duration: intEnv('BENCH_SECONDS', 3),
    warmup: intEnv('BENCH_WARMUP_SECONDS', 2),
  };
  const bytes = await checkSameBytes();
  console.log(`Both servers answer a keep-alive GET /healthz with: ${JSON.stringify(bytes)}`);
  const result = await compareServers({
    baseline: { name: 'bare node:http', module: SELF, export: 'startBare' },
    candidate: { name: 'probekit mock (200..., journal on)', module: SELF, export: 'startMock' },
    rounds,
    load,
  });
  printComparison(result, { load, rounds, label: 'mock', target: 0.95 });

  const count = intEnv('BENCH_JOURNALLED', 1_000_000);
  const all = journalMemory(count, count);
  const bounded = journalMemory(count, undefined);
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  console.log('');
  console.log(`journal memory for ${count} requests (heap + array buffers, after GC):`);
  console.log(
    `  journalSize ${count}: ${mb(all.bytes)} MiB, ${(all.bytes / count).toFixed(1)} bytes/entry (${all.kept} kept; ${(count / all.seconds / 1000).toFixed(0)}k requests/s in process)`,
  );
  console.log(
    `  default journalSize: ${mb(bounded.bytes)} MiB (${bounded.kept} kept, ${bounded.dropped} dropped)`,
  );

  failOnErrors(result);
  // For bench/run.js: the whole result as the last line of stdout.
  if (process.argv.includes('--json'))
    console.log(
      JSON.stringify({ bench: 'mock-server', load, rounds, bytes, result, journal: { count, all, bounded } }),
    );
}

if (process.argv[1] === SELF) {
  const journal = process.argv.indexOf('--journal');
  const run =
    journal > 0
      ? measureJournal(
          Number(process.argv[journal + 1]),
          process.argv[journal + 2] === 'default' ? undefined : Number(process.argv[journal + 2]),
        )
      : main();
  run.catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
