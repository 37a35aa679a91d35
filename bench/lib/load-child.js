// The load generator, run as its own process (pinned to CPU 1 by the parent):
//
//   node bench/lib/load-child.js '<{ url, connections, pipelining, duration | amount, method, headers }>'
//
// Runs autocannon once (with `workers` threads when given) and prints one JSON line: requests,
// seconds, p50/p99 latency (ms), errors, timeouts, non-2xx responses, and this process's CPU time
// (all threads) over the run's length, to tell whether the load generator was the bottleneck.

import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');
const cpuStart = process.cpuUsage();
const result = await autocannon({
  url: options.url,
  method: options.method ?? 'GET',
  headers: options.headers,
  connections: options.connections ?? 10,
  pipelining: options.pipelining ?? 1,
  ...(options.workers ? { workers: options.workers } : {}),
  ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 3 }),
});
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    cpuShare: (cpu.user + cpu.system) / 1e6 / result.duration,
  })}\n`,
);
