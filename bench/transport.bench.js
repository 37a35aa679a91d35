// CPU cost per probe of HTTP clients, probing like Dapr's health checks do: N endpoints, each
// probed every INTERVAL ms by its own sequential loop (a GET, body drained, keep-alive).
//
//   npm run build && node bench/transport.bench.js
//
// The servers run in one child process pinned to CPU 0 (`taskset -c 0`); each measurement runs
// in a fresh client process pinned to CPU 1 (`taskset -c 1`) and reports its own
// process.cpuUsage() (all threads) over the measured window, divided by the probes it made.
// Rounds alternate the order of the clients; we print the median, the spread (min–max) and the
// ratio to the bare undici loop measured in the same round. A run during which other processes
// used over 10% of the client's CPU (read from /proc/stat) is measured again, at most
// BENCH_MAX_RETRIES (2) times per bench; runs still disturbed are left out of a row's statistics
// when it has undisturbed ones (the `clean runs` column says how many it had).
//
// Environment: BENCH_ENDPOINTS (1000), BENCH_INTERVAL_MS (100), BENCH_SECONDS (measured seconds
// per run, 2), BENCH_WARMUP_SECONDS (1), BENCH_ROUNDS (3), BENCH_CLIENTS (comma list of
// probekit, probekit-raw, undici-request, undici-dispatch, node-http, fetch, checker, checker-raw,
// checker-undici, go, and `harness`: the
// bench's loops with no request, i.e. what every loop-driven row pays on top of its client),
// BENCH_CLIENT_NODE_FLAGS (node flags for the client processes, e.g. --cpu-prof), BENCH_GOPATH
// (/usr/share/gocode: where Debian's golang-github-valyala-fasthttp-dev puts
// fasthttp).
//
// `go` is the Go pattern the checkers are measured against: Dapr v1.0's health-check loop with
// fasthttp (bench/go/dapr-loop/main.go), one goroutine per endpoint, same endpoints, same start
// offsets, measured the same way. It is built once per run in a temporary folder, offline
// (GO111MODULE=off against Debian's Go sources; fasthttp is installed with apt-get when missing
// and we are root). Without `go` on PATH the row is skipped and the report says so.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, hasCommand } from './lib/install.js';

const SELF = fileURLToPath(import.meta.url);
const ENDPOINTS = intEnv('BENCH_ENDPOINTS', 1000);
const INTERVAL = intEnv('BENCH_INTERVAL_MS', 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const BASELINE = 'undici-request';
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLOCK_TICKS = 100; // USER_HZ: /proc/stat counts in 1/100 s on Linux
// A run whose CPU had more than this share of other work on it is measured again (bounded).
const MAX_FOREIGN_SHARE = 0.1;
const MAX_RETRIES = Number(process.env.BENCH_MAX_RETRIES ?? 2);
const DEFAULT_CLIENTS =
  'probekit,probekit-raw,undici-request,undici-dispatch,node-http,fetch,checker,checker-undici,go';
/**
 * The checker fan-out rows: the default transport (the raw engine since decision 0017), and
 * each check given its own `httpTransport` on a named engine.
 */
const CHECKER_ROWS = { checker: undefined, 'checker-raw': 'raw', 'checker-undici': 'undici' };
// Extra node flags for the client processes only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
// (NODE_OPTIONS refuses --cpu-prof).
const CLIENT_NODE_FLAGS = (process.env.BENCH_CLIENT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const GO_SOURCE = fileURLToPath(new URL('./go/dapr-loop/', import.meta.url));
const GO_PATH = process.env.BENCH_GOPATH ?? '/usr/share/gocode';
const FASTHTTP_PACKAGE = 'golang-github-valyala-fasthttp-dev';

/** Each client: how to make one probe function per endpoint. Runs inside the client process. */
const CLIENTS = {
  // The harness alone: the loops and their timers, no request (what every row also pays).
  async harness(ports) {
    return { probes: ports.map(() => () => Promise.resolve(200)), close: async () => {} };
  },
  // (a) ours, as the checker calls it (one long-lived signal per endpoint, never aborted).
  async probekit(ports, engine) {
    const { httpTransport } = await importTransport();
    const transport = httpTransport(engine === undefined ? {} : { engine });
    const probes = ports.map((port) => {
      const request = {
        url: `http://127.0.0.1:${port}/healthz`,
        timeout: 2000,
        signal: new AbortController().signal,
      };
      return () => transport(request);
    });
    return { probes, close: () => transport.close() };
  },
  // (a') ours on the raw engine (docs/decisions/0017-raw-probe-client.md).
  async 'probekit-raw'(ports) {
    return CLIENTS.probekit(ports, 'raw');
  },
  // (b) the baseline: an undici Pool per origin, request() and body.dump(), no timeout.
  async 'undici-request'(ports) {
    const { Pool } = await import('undici');
    const pools = ports.map(
      (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 5, pipelining: 1 }),
    );
    const options = { path: '/healthz', method: 'GET' };
    const probes = pools.map((pool) => async () => {
      const { statusCode, body } = await pool.request(options);
      await body.dump();
      return statusCode;
    });
    return { probes, close: () => Promise.all(pools.map((pool) => pool.destroy())) };
  },
  // (b') the floor: the same Pool, dispatch() with a minimal handler (no abort support at all).
  async 'undici-dispatch'(ports) {
    const { Pool } = await import('undici');
    const pools = ports.map(
      (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 5, pipelining: 1 }),
    );
    const options = { path: '/healthz', method: 'GET' };
    const probes = pools.map(
      (pool) => () =>
        new Promise((resolve, reject) => {
          let status = 0;
          pool.dispatch(options, {
            onConnect() {},
            onHeaders(code) {
              status = code;
              return true;
            },
            onData() {
              return true;
            },
            onComplete() {
              resolve(status);
            },
            onError: reject,
          });
        }),
    );
    return { probes, close: () => Promise.all(pools.map((pool) => pool.destroy())) };
  },
  // (c) node:http with a keep-alive agent, 5 sockets per host.
  async 'node-http'(ports) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 5 });
    const probes = ports.map((port) => {
      const options = { host: '127.0.0.1', port, path: '/healthz', agent };
      return () =>
        new Promise((resolve, reject) => {
          http
            .get(options, (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode));
            })
            .on('error', reject);
        });
    });
    return { probes, close: async () => agent.destroy() };
  },
  // (d) global fetch (Node's bundled undici), redirects not followed, body read.
  async fetch(ports) {
    const probes = ports.map((port) => {
      const url = `http://127.0.0.1:${port}/healthz`;
      return async () => {
        const response = await fetch(url, { redirect: 'manual' });
        await response.arrayBuffer();
        return response.status;
      };
    });
    return { probes, close: async () => {} };
  },
};

/**
 * (e) The checker fan-out: N `startEndpointHealthCheck`s (each owning its default transport,
 * as each Dapr check owns its fasthttp client), started i/N of an interval apart, consumers
 * reading at once. It schedules itself, so it is not driven by the bench's loops.
 */
async function runCheckers(ports, name) {
  const kit = await importKit('startEndpointHealthCheck', '../dist/checker/index.js');
  const { startEndpointHealthCheck, withInitialDelay, withInterval, withObserver } = kit;
  const engine = CHECKER_ROWS[name];
  // With an engine, each check gets its own transport on it (as the default one is its own).
  const { httpTransport } = engine === undefined ? {} : await importTransport();
  const transports = [];
  const t0 = performance.now() + 50;
  const warmEnd = t0 + WARMUP * 1000;
  const end = warmEnd + SECONDS * 1000;
  let measuring = false;
  let probesMeasured = 0;
  let failures = 0;
  const lateness = [];
  const checks = [];
  const consumers = [];
  ports.forEach((port, index) => {
    setTimeout(
      () => {
        let start = 0;
        const observer = (event) => {
          if (event.type === 'start') start = event.at;
          else if (event.type === 'probe-start' && measuring) {
            probesMeasured++;
            lateness.push(event.at - (start + event.tick * INTERVAL));
          } else if (event.type === 'probe-end' && !event.success) failures++;
        };
        const options = [withObserver(observer), withInterval(INTERVAL), withInitialDelay(0)];
        if (engine !== undefined) {
          const transport = httpTransport({ engine });
          transports.push(transport);
          options.push(kit.withTransport(transport));
        }
        const check = startEndpointHealthCheck(`http://127.0.0.1:${port}/healthz`, ...options);
        checks.push(check);
        consumers.push(
          (async () => {
            for await (const _ of check);
          })(),
        );
      },
      t0 + (index / ports.length) * INTERVAL - performance.now(),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, warmEnd - performance.now()));
  const cpuStart = process.cpuUsage();
  const cpuLineStart = readCpuLine(CLIENT_CPU);
  measuring = true;
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, end - performance.now()));
  measuring = false;
  const cpu = process.cpuUsage(cpuStart);
  const cpuLineEnd = readCpuLine(CLIENT_CPU);
  const wall = performance.now() - wallStart;
  await Promise.all(checks.map((check) => check.stop()));
  await Promise.all(consumers);
  await Promise.all(transports.map((transport) => transport.close()));
  report(name, { probesMeasured, failures, cpu, wall, lateness, cpuLineStart, cpuLineEnd });
}

const DESCRIPTIONS = {
  probekit: 'httpTransport() (a)',
  'undici-request': 'undici Pool.request + dump (b)',
  'undici-dispatch': 'undici Pool.dispatch, bare handler',
  'node-http': 'node:http + keep-alive Agent (c)',
  fetch: 'global fetch (d)',
  checker: `${ENDPOINTS} checkers, default transport (e)`,
  'checker-raw': `${ENDPOINTS} checkers, httpTransport({ engine: 'raw' }) (e')`,
  'checker-undici': `${ENDPOINTS} checkers, httpTransport({ engine: 'undici' }) (e'')`,
  'probekit-raw': "httpTransport({ engine: 'raw' }) (a')",
  go: 'the Go pattern: Dapr v1.0 loop, fasthttp (g)',
};

// ---------------------------------------------------------------------------------------------
// The Go pattern (bench/go/dapr-loop): built once per run, offline.

/**
 * Builds bench/go/dapr-loop into a temporary folder: `{ binary, folder }`, or `{ skipped }` with
 * the reason (no go on PATH; fasthttp missing and not installable).
 */
function buildGoPattern() {
  if (!hasCommand('go')) return { skipped: 'go not installed' };
  const folder = mkdtempSync(path.join(os.tmpdir(), 'probekit-bench-go-'));
  const binary = path.join(folder, 'dapr-loop');
  // GOPATH mode: Debian's Go packages are GOPATH sources; no module proxy, no network.
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: GO_PATH,
    GOFLAGS: '',
    GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), 'probekit-bench-go-cache'),
  };
  const build = () =>
    spawnSync('go', ['build', '-o', binary, '.'], { cwd: GO_SOURCE, env, encoding: 'utf8' });
  let result = build();
  const missing = () => /cannot find package "github\.com\/valyala/.test(result.stderr ?? '');
  if (result.status !== 0 && missing() && aptInstall(FASTHTTP_PACKAGE, console.log)) result = build();
  if (result.status !== 0 || !existsSync(binary)) {
    rmSync(folder, { recursive: true, force: true });
    return {
      skipped: missing()
        ? `fasthttp not found in ${GO_PATH} (install ${FASTHTTP_PACKAGE})`
        : `go build failed: ${(result.stderr ?? '').trim().split('\n')[0]}`,
    };
  }
  return { binary, folder };
}

function importTransport() {
  return importKit('httpTransport', '../dist/transport/index.js');
}

async function importKit(name, fallback) {
  const kit = await import('../dist/index.js');
  if (kit[name]) return kit;
  // Until src/index.ts re-exports it, take it from its folder's build.
  return import(fallback);
}

// ---------------------------------------------------------------------------------------------
// Server process: one listening port per endpoint, answering every request with a canned
// `200`, empty body, keep-alive. A raw net server (a request ends at its blank line; probes
// have no body) so that the server, not measured, is never the bottleneck: node:http tops out
// near 10k requests/s on one core here.

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n');

async function runServer(count) {
  const onConnection = (socket) => {
    let tail = '';
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      const text = tail + chunk.latin1Slice(0, chunk.length);
      let from = 0;
      for (;;) {
        const end = text.indexOf('\r\n\r\n', from);
        if (end === -1) break;
        socket.write(RESPONSE);
        from = end + 4;
      }
      tail = text.slice(from);
    });
    socket.on('error', () => {});
  };
  const ports = [];
  for (let i = 0; i < count; i++) {
    const server = net.createServer(onConnection);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    ports.push(server.address().port);
  }
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
  // Lives until the parent closes our stdin.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Client process: N sequential probe loops on absolute deadlines, like a Go ticker that drops
// ticks it could not serve; loop i is offset by i/N of an interval so the load is spread.

async function runClient(name, ports) {
  const { probes, close } = await CLIENTS[name](ports);
  const t0 = performance.now() + 50;
  const warmEnd = t0 + WARMUP * 1000;
  const end = warmEnd + SECONDS * 1000;
  let measuring = false;
  let probesMeasured = 0;
  let failures = 0;
  const lateness = [];

  const loop = async (index) => {
    const start = t0 + (index / probes.length) * INTERVAL;
    const probe = probes[index];
    let k = 0;
    for (;;) {
      const due = start + k * INTERVAL;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const now = performance.now();
      if (now >= end) return;
      try {
        await probe();
      } catch {
        failures++;
      }
      if (measuring) {
        probesMeasured++;
        lateness.push(now - due);
      }
      // Next tick after now (missed ticks are dropped, as Go's ticker does).
      k = Math.max(k + 1, Math.ceil((performance.now() - start) / INTERVAL));
    }
  };

  const loops = probes.map((_, index) => loop(index));
  await new Promise((resolve) => setTimeout(resolve, warmEnd - performance.now()));
  const cpuStart = process.cpuUsage();
  const cpuLineStart = readCpuLine(CLIENT_CPU);
  measuring = true;
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, end - performance.now()));
  measuring = false;
  const cpu = process.cpuUsage(cpuStart);
  const cpuLineEnd = readCpuLine(CLIENT_CPU);
  const wall = performance.now() - wallStart;
  await Promise.all(loops);
  await close();
  report(name, { probesMeasured, failures, cpu, wall, lateness, cpuLineStart, cpuLineEnd });
}

function report(name, { probesMeasured, failures, cpu, wall, lateness, cpuLineStart, cpuLineEnd }) {
  lateness.sort((a, b) => a - b);
  // Busy time of the client's CPU not spent by this process: other work sharing the core.
  const cpuBusyUs =
    cpuLineStart && cpuLineEnd ? (cpuLineEnd - cpuLineStart) * (1e6 / CLOCK_TICKS) : Number.NaN;
  const foreignShare = Math.max(0, cpuBusyUs - (cpu.user + cpu.system)) / 1000 / wall;
  const result = {
    name,
    probes: probesMeasured,
    failures,
    cpuUsPerProbe: (cpu.user + cpu.system) / probesMeasured,
    userUsPerProbe: cpu.user / probesMeasured,
    systemUsPerProbe: cpu.system / probesMeasured,
    cpuShare: (cpu.user + cpu.system) / 1000 / wall,
    probesPerSecond: (probesMeasured / wall) * 1000,
    latenessP50: quantile(lateness, 0.5),
    latenessP99: quantile(lateness, 0.99),
    foreignShare,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Orchestrator.

/** The built Go pattern, when `go` is among the clients and it built. */
let goBinary;
/** What to remove when the run ends (the Go build's folder). */
const cleanups = [];

async function main() {
  let names = (process.env.BENCH_CLIENTS ?? DEFAULT_CLIENTS).split(',');
  for (const name of names)
    if (!CLIENTS[name] && !(name in CHECKER_ROWS) && name !== 'go') throw new Error(`Unknown client ${name}`);
  if (!names.includes(BASELINE)) names.unshift(BASELINE);
  const skipped = {};
  if (names.includes('go')) {
    const built = buildGoPattern();
    if (built.skipped) {
      skipped.go = built.skipped;
      names = names.filter((name) => name !== 'go');
      console.log(`The Go pattern: skipped: ${built.skipped}.`);
    } else {
      goBinary = built.binary;
      cleanups.push(() => rmSync(built.folder, { recursive: true, force: true }));
    }
  }

  const server = spawn(
    'taskset',
    ['-c', String(SERVER_CPU), process.execPath, SELF, '--server', String(ENDPOINTS)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const { ports } = JSON.parse(await firstLine(server.stdout));
  console.log(
    `${ENDPOINTS} endpoints every ${INTERVAL} ms, ${WARMUP}s warm-up + ${SECONDS}s measured per run, ` +
      `${ROUNDS} rounds; server on CPU 0, client on CPU 1 (node ${process.version}).`,
  );

  const results = Object.fromEntries(names.map((name) => [name, []]));
  let retries = 0;
  let contended = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = rotate(names, round);
      for (const name of order) {
        let result = await measure(name, ports);
        while (result.foreignShare > MAX_FOREIGN_SHARE && retries < MAX_RETRIES) {
          retries++;
          console.log(
            `  round ${round + 1} ${name.padEnd(16)} measured again: other processes used ` +
              `${(result.foreignShare * 100).toFixed(0)}% of CPU ${CLIENT_CPU}`,
          );
          result = await measure(name, ports);
        }
        if (result.foreignShare > MAX_FOREIGN_SHARE) contended++;
        results[name].push({ ...result, round });
        console.log(
          `  round ${round + 1} ${name.padEnd(16)} ${result.cpuUsPerProbe.toFixed(1).padStart(6)} µs/probe` +
            ` (user ${result.userUsPerProbe.toFixed(1)}, sys ${result.systemUsPerProbe.toFixed(1)})` +
            `  ${Math.round(result.probesPerSecond)} probes/s  CPU ${(result.cpuShare * 100).toFixed(0)}%` +
            `  others ${(result.foreignShare * 100).toFixed(0)}%` +
            (result.failures ? `  failures ${result.failures}` : ''),
        );
      }
    }
  } finally {
    server.stdin.end();
    await once(server, 'exit');
    for (const cleanup of cleanups) cleanup();
  }

  // Runs that other processes disturbed (over MAX_FOREIGN_SHARE of the client's CPU) are left
  // out of the statistics when a row has undisturbed ones; ratios pair runs of the same round.
  const clean = (result) => result.foreignShare <= MAX_FOREIGN_SHARE;
  const usable = (runs) => (runs.some(clean) ? runs.filter(clean) : runs);
  const baselineByRound = results[BASELINE];
  const rows = names.map((name) => {
    const runs = usable(results[name]);
    const costs = runs.map((result) => result.cpuUsPerProbe);
    const paired = results[name].filter((result) => clean(result) && clean(baselineByRound[result.round]));
    const ratioRuns = paired.length > 0 ? paired : results[name];
    const ratios = ratioRuns.map(
      (result) => result.cpuUsPerProbe / baselineByRound[result.round].cpuUsPerProbe,
    );
    return {
      client: DESCRIPTIONS[name] ?? name,
      'µs/probe (median)': median(costs).toFixed(1),
      spread: `${Math.min(...costs).toFixed(1)}–${Math.max(...costs).toFixed(1)}`,
      'ratio to (b)': `${median(ratios).toFixed(2)}×`,
      'probes/s': Math.round(median(runs.map((result) => result.probesPerSecond))),
      'lateness p50/p99 ms': `${median(runs.map((r) => r.latenessP50)).toFixed(1)} / ${median(runs.map((r) => r.latenessP99)).toFixed(1)}`,
      'clean runs': `${results[name].filter(clean).length}/${results[name].length}`,
    };
  });
  console.log();
  console.table(rows);
  console.log(`Target probes/s: ${Math.round((ENDPOINTS * 1000) / INTERVAL)}.`);
  const checkerVsGo = pairedRatios(results.checker, results.go, clean);
  if (checkerVsGo.length > 0) {
    console.log(
      `Checker CPU per probe / the Go pattern's, per round: ${median(checkerVsGo).toFixed(2)}× ` +
        `(${Math.min(...checkerVsGo).toFixed(2)}–${Math.max(...checkerVsGo).toFixed(2)}).`,
    );
  }
  const comparisons = [
    ['checker-raw', 'go', 'Checker on the raw engine / the Go pattern'],
    ['checker-undici', 'go', 'Checker on the undici engine / the Go pattern'],
    ['checker', 'checker-undici', 'Checker, default transport / on the undici engine'],
    ['checker-raw', 'checker-undici', 'Checker on the raw engine / on the undici engine'],
  ];
  for (const [a, b, what] of comparisons) {
    const ratios = pairedRatios(results[a], results[b], clean);
    if (ratios.length === 0) continue;
    console.log(
      `${what}, CPU per probe per round: ${median(ratios).toFixed(2)}× ` +
        `(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}).`,
    );
  }
  if (skipped.go) console.log(`The Go pattern: skipped: ${skipped.go}.`);
  if (contended > 0) {
    console.log(
      `Warning: ${contended} run(s) shared CPU ${CLIENT_CPU} with other processes (over ` +
        `${MAX_FOREIGN_SHARE * 100}% of it) even after ${retries} re-run(s); rows without clean runs ` +
        'are unreliable.',
    );
  }
  // For bench/run.js: every run's result as the last line of stdout.
  if (process.argv.includes('--json')) {
    const settings = {
      endpoints: ENDPOINTS,
      interval: INTERVAL,
      seconds: SECONDS,
      warmup: WARMUP,
      rounds: ROUNDS,
    };
    console.log(
      JSON.stringify({
        bench: 'transport',
        ...settings,
        baseline: BASELINE,
        maxForeignShare: MAX_FOREIGN_SHARE,
        skipped,
        results,
      }),
    );
  }
}

/** Per-round ratios of CPU per probe, a / b, over rounds where both runs were undisturbed (if any). */
function pairedRatios(a = [], b = [], clean) {
  const pairs = a
    .map((run) => [run, b.find((other) => other.round === run.round)])
    .filter(([, other]) => other !== undefined);
  const cleanPairs = pairs.filter(([run, other]) => clean(run) && clean(other));
  return (cleanPairs.length > 0 ? cleanPairs : pairs).map(
    ([run, other]) => run.cpuUsPerProbe / other.cpuUsPerProbe,
  );
}

async function measure(name, ports) {
  const command =
    name === 'go'
      ? [
          goBinary,
          '-ports',
          ports.join(','),
          '-interval',
          `${INTERVAL}ms`,
          '-warmup',
          `${WARMUP * 1000}ms`,
          '-seconds',
          `${SECONDS * 1000}ms`,
          '-cpu',
          String(CLIENT_CPU),
        ]
      : [process.execPath, ...CLIENT_NODE_FLAGS, SELF, '--client', name];
  const child = spawn('taskset', ['-c', String(CLIENT_CPU), ...command], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_PORTS: ports.join(',') },
  });
  const [line] = await Promise.all([firstLine(child.stdout), once(child, 'exit')]);
  return JSON.parse(line);
}

function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      stream.off('data', onData);
      resolve(buffer.slice(0, newline));
    };
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.on('end', () => reject(new Error('The child process exited without reporting.')));
  });
}

/** Busy jiffies of one CPU from /proc/stat (user, nice, system, irq, softirq, steal); Linux only. */
function readCpuLine(cpu) {
  try {
    const line = readFileSync('/proc/stat', 'latin1')
      .split('\n')
      .find((entry) => entry.startsWith(`cpu${cpu} `));
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    return fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  } catch {
    return undefined;
  }
}

function rotate(list, by) {
  const shift = by % list.length;
  const rotated = [...list.slice(shift), ...list.slice(0, shift)];
  return by % 2 === 1 ? rotated.reverse() : rotated;
}

function median(values) {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function intEnv(name, fallback) {
  const value = process.env[name];
  return value === undefined ? fallback : Number.parseInt(value, 10);
}

const [, , mode, arg] = process.argv;
if (mode === '--server') await runServer(Number(arg));
else if (mode === '--client' && arg in CHECKER_ROWS)
  await runCheckers(process.env.BENCH_PORTS.split(',').map(Number), arg);
else if (mode === '--client') await runClient(arg, process.env.BENCH_PORTS.split(',').map(Number));
else await main();
