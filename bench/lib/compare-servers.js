// compareServers(): a fair A/B of two HTTP servers under the same load, in the same run.
//
// Each server runs in its own child process pinned to CPU 0 (`taskset -c 0`), started once and
// kept for every round; every load run is a fresh load-generator process pinned to CPU 1
// (`taskset -c 1`): wrk (installed from Debian when missing and we are root), or autocannon with
// several workers when wrk cannot be had, or for runs wrk cannot make (a fixed request count,
// pipelining). Rounds alternate which server goes first. Per run we record requests/s, p99
// latency, the server's own CPU time per request (its process.cpuUsage() before and after), and
// the load generator's own CPU share of its core: at 90% or more, the generator, not the server,
// may be the bottleneck, and the result says so.
// Without taskset (or with fewer than 2 CPUs) it runs unpinned and says so.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { aptInstall, hasCommand } from './install.js';
import { spread } from './stats.js';

const SERVER_CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));
const LOAD_CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));
const WRK_REPORT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));
/** A load generator using this share of its core or more may be what limits requests/s. */
export const LOAD_CPU_LIMIT = 0.9;
/** autocannon's worker threads when it stands in for wrk. */
const AUTOCANNON_WORKERS = 2;
/** wrk reports CPU time in clock ticks (USER_HZ, 100 on Linux), as /proc/stat does. */
const CLOCK_TICKS = 100;
/** A run during which other processes used more of the server's core than this is disturbed. */
export const MAX_FOREIGN_SHARE = 0.1;
/**
 * The same for the load generator's core, which has room to spare (wrk needs about half of it)
 * and shows 5–10% of other work even on an idle machine (the process's start and exit, the
 * parent's bookkeeping), measured.
 */
export const MAX_FOREIGN_LOAD_SHARE = 0.25;

/**
 * Time CPU `cpu` spent running processes or given to other VMs (user, nice, system, steal), in
 * seconds, from /proc/stat; NaN off Linux. Interrupt time is left out unless asked for: loopback
 * traffic is handled there, on behalf of the measured processes (and it is part of how busy a
 * server's core is).
 * @param {number} cpu
 * @param {boolean} [withInterrupts]  add irq and softirq time
 */
export function cpuBusySeconds(cpu, withInterrupts = false) {
  try {
    const line = readFileSync('/proc/stat', 'latin1')
      .split('\n')
      .find((entry) => entry.startsWith(`cpu${cpu} `));
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const interrupts = withInterrupts ? fields[5] + fields[6] : 0;
    return (fields[0] + fields[1] + fields[2] + fields[7] + interrupts) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * @typedef {object} ServerSpec
 * @property {string} name  label in the results
 * @property {string} module  absolute path (or file: URL) of an ESM module, loaded in the server process
 * @property {string} [export]  the function it exports (default `start`):
 *   `async (options) => ({ url, close? })`; it must listen on 127.0.0.1 and resolve once it does
 * @property {unknown} [options]  JSON-serialisable, passed to that function
 */

/**
 * @typedef {object} LoadSpec
 * @property {string} [path]  request path (default `/`)
 * @property {string} [method]  default GET
 * @property {Record<string, string>} [headers]
 * @property {number} [connections]  default 10
 * @property {number} [pipelining]  default 1
 * @property {number} [duration]  seconds per run (default 3), unless `amount` is given
 * @property {number} [amount]  requests per run (bounded runs)
 * @property {number} [warmup]  seconds of unmeasured load per server before round 1 (default 1; 0 for none)
 * @property {number} [maxRetries]  disturbed runs measured again, at most (default BENCH_MAX_RETRIES or 2)
 * @property {'wrk' | 'autocannon'} [generator]  default: wrk when it can make the run (no `amount`,
 *   no pipelining), else autocannon; the environment's BENCH_LOAD_GENERATOR wins
 */

/**
 * @typedef {object} RunSample
 * @property {number} reqPerSec
 * @property {number} p99  ms
 * @property {number} cpuMicrosPerRequest  server CPU (user + system) per request, µs
 * @property {number} requests
 * @property {number} errors  errors + timeouts
 * @property {number} non2xx
 * @property {number} loadCpuShare  the load generator's CPU time over the run's length (its core: 1.0)
 * @property {number} serverCpuShare  the server's CPU time over the run's length
 * @property {number} foreignShare  other processes' time on the server's core over the run's length
 * @property {number} foreignLoadShare  other processes' time on the load generator's core over the run's length
 * @property {number} serverCoreBusy  the server core's busy time, interrupts included, over the run's length
 */

const pct = (share) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '?');

/**
 * Whether `taskset -c <cpu>` works here.
 * @param {number} cpu
 */
export function canPin(cpu) {
  const result = spawnSync('taskset', ['-c', String(cpu), 'true'], { stdio: 'ignore' });
  return result.status === 0;
}

/**
 * The command line for a pinned (or, without taskset, plain) node process.
 * @param {number} cpu
 * @param {string[]} args  arguments to node
 * @param {boolean} pinned
 */
function nodeCommand(cpu, args, pinned) {
  return pinned
    ? { command: 'taskset', args: ['-c', String(cpu), process.execPath, ...args] }
    : { command: process.execPath, args };
}

/**
 * Starts a server child and returns a handle speaking its line protocol.
 * @param {ServerSpec} spec
 * @param {boolean} pinned
 */
export async function startServerChild(spec, pinned) {
  const { command, args } = nodeCommand(0, [SERVER_CHILD, JSON.stringify(spec)], pinned);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout, terminal: false });
  const queue = [];
  const waiting = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      if (queue.length > 0) return resolve(queue.shift());
      const onExit = (code) => reject(new Error(`server ${spec.name} exited (${code}) before answering`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const ready = await nextLine();
  if (!ready.startsWith('ready ')) throw new Error(`server ${spec.name} said ${JSON.stringify(ready)}`);
  return {
    url: ready.slice('ready '.length),
    /** CPU time the server process has used so far, µs. */
    async cpu() {
      child.stdin.write('cpu\n');
      const [, user, system] = (await nextLine()).split(' ');
      return Number(user) + Number(system);
    },
    async close() {
      if (child.exitCode !== null) return;
      child.stdin.end('close\n');
      await once(child, 'exit');
    },
  };
}

/**
 * The load generator for `load`: wrk when it can make the run and is installed (or can be), else
 * autocannon with several workers. `note` says why autocannon, when it is.
 * @param {LoadSpec} load
 * @param {(line: string) => void} [say]
 * @returns {{ name: 'wrk' | 'autocannon', note?: string }}
 */
export function chooseGenerator(load, say = () => {}) {
  const wanted = process.env.BENCH_LOAD_GENERATOR ?? load.generator;
  if (wanted === 'autocannon') return { name: 'autocannon', note: 'autocannon asked for' };
  if (load.amount !== undefined) return { name: 'autocannon', note: 'wrk cannot stop after a request count' };
  if ((load.pipelining ?? 1) > 1) return { name: 'autocannon', note: 'wrk pipelines only through a script' };
  if ((load.method ?? 'GET') !== 'GET')
    return { name: 'autocannon', note: 'the wrk runs here send GET only' };
  if (hasCommand('wrk') || (aptInstall('wrk', say) && hasCommand('wrk'))) return { name: 'wrk' };
  return {
    name: 'autocannon',
    note: `wrk is not installed and could not be (not root, or no apt-get): autocannon with ${AUTOCANNON_WORKERS} workers instead`,
  };
}

/**
 * Runs one load-generator process against `url` and resolves with its summary.
 * @param {string} url
 * @param {LoadSpec} load
 * @param {boolean} pinned
 * @param {number} [durationOverride]  seconds, for warm-up runs
 * @param {'wrk' | 'autocannon'} [generator]  default autocannon
 * @returns {Promise<{ requests: number, seconds: number, p50: number, p99: number, errors: number,
 *   timeouts: number, non2xx: number, cpuShare: number }>}  latencies in ms; cpuShare: the
 *   generator's CPU time over the run's length
 */
export async function runLoad(url, load, pinned, durationOverride, generator = 'autocannon') {
  const duration = durationOverride ?? load.duration ?? 3;
  let command;
  let args;
  if (generator === 'wrk') {
    // One thread: on its one pinned core, more threads only take turns (measured: 2 threads
    // made fewer requests than 1). --timeout as the probes' 2 s request timeout.
    const wrkArgs = ['-t', '1', '-c', String(load.connections ?? 10), '-d', `${duration}s`];
    wrkArgs.push('--timeout', '2s', '-s', WRK_REPORT);
    for (const [name, value] of Object.entries(load.headers ?? {})) wrkArgs.push('-H', `${name}: ${value}`);
    wrkArgs.push(`${url}${load.path ?? '/'}`);
    ({ command, args } = pinned
      ? { command: 'taskset', args: ['-c', '1', 'wrk', ...wrkArgs] }
      : { command: 'wrk', args: wrkArgs });
  } else {
    const options = {
      url: `${url}${load.path ?? '/'}`,
      method: load.method,
      headers: load.headers,
      connections: load.connections ?? 10,
      pipelining: load.pipelining ?? 1,
      duration,
      amount: durationOverride === undefined ? load.amount : undefined,
      workers: load.amount === undefined ? AUTOCANNON_WORKERS : undefined,
    };
    ({ command, args } = nodeCommand(1, [LOAD_CHILD, JSON.stringify(options)], pinned));
  }
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`load generator ${generator} exited with ${code}`);
  const report = JSON.parse(output.trim().split('\n').pop());
  if (generator !== 'wrk') return report;
  const seconds = report.durationUs / 1e6;
  return {
    requests: report.requests,
    seconds,
    p50: report.p50Us / 1000,
    p99: report.p99Us / 1000,
    errors: report.connect + report.read + report.write,
    timeouts: report.timeout,
    // wrk counts answers with a status of 400 or more; that is what the benches' checks need
    // (the servers answer 200 or 404).
    non2xx: report.status,
    cpuShare: report.cpuTicks < 0 ? Number.NaN : report.cpuTicks / CLOCK_TICKS / seconds,
  };
}

/**
 * One measured load run against a server child: the generator's report, the server's CPU time
 * and the time other processes took on the server's core.
 * @returns {Promise<RunSample>}
 */
async function measureRun(server, load, pinned, generator) {
  const before = await server.cpu();
  const busyBefore = cpuBusySeconds(0);
  const allBefore = cpuBusySeconds(0, true);
  const loadBusyBefore = cpuBusySeconds(1);
  const run = await runLoad(server.url, load, pinned, undefined, generator);
  const loadBusyAfter = cpuBusySeconds(1);
  const allAfter = cpuBusySeconds(0, true);
  const busyAfter = cpuBusySeconds(0);
  const after = await server.cpu();
  const serverSeconds = (after - before) / 1e6;
  return {
    reqPerSec: run.requests / run.seconds,
    p99: run.p99,
    cpuMicrosPerRequest: (after - before) / Math.max(1, run.requests),
    requests: run.requests,
    errors: run.errors + run.timeouts,
    non2xx: run.non2xx,
    loadCpuShare: run.cpuShare,
    serverCpuShare: serverSeconds / run.seconds,
    // How busy the server's core was, interrupts (the loopback traffic) included: near 100%, the
    // server's core set the pace.
    serverCoreBusy: pinned ? (allAfter - allBefore) / run.seconds : Number.NaN,
    // Other processes on the server's core (unpinned runs: meaningless, left out).
    foreignShare: pinned ? Math.max(0, busyAfter - busyBefore - serverSeconds) / run.seconds : Number.NaN,
    // And on the load generator's: a slowed generator slows the run as much.
    foreignLoadShare: pinned
      ? Math.max(0, (loadBusyAfter - loadBusyBefore) / run.seconds - run.cpuShare)
      : Number.NaN,
  };
}

/** Other processes took over MAX_FOREIGN_SHARE of the server's core or MAX_FOREIGN_LOAD_SHARE of the generator's. */
function disturbed(sample) {
  return sample.foreignShare > MAX_FOREIGN_SHARE || sample.foreignLoadShare > MAX_FOREIGN_LOAD_SHARE;
}

/**
 * Compares two servers under the same load, alternating rounds. A run during which other
 * processes used over MAX_FOREIGN_SHARE of the server's (or the load generator's) core is
 * measured again, at most
 * `load.maxRetries` (BENCH_MAX_RETRIES, 2) times in all; runs still disturbed are kept and counted
 * in `loadCheck.disturbedRuns`.
 *
 * @example
 * const result = await compareServers({
 *   baseline: { name: 'node:http', module: '/abs/servers.js', export: 'startBare' },
 *   candidate: { name: 'ours', module: '/abs/servers.js', export: 'startOurs' },
 *   rounds: 5,
 *   load: { path: '/healthz', connections: 10, duration: 3 },
 * });
 * console.log(result.ratio.reqPerSec.median);
 *
 * @param {object} config
 * @param {ServerSpec} config.baseline
 * @param {ServerSpec} config.candidate
 * @param {number} [config.rounds]  default 5
 * @param {LoadSpec} [config.load]
 * @param {(line: string) => void} [config.log]  progress lines (default: stderr)
 * @returns {Promise<{
 *   pinned: boolean,
 *   loadCheck: { generator: 'wrk' | 'autocannon', note?: string, limit: number, max: number, ok: boolean,
 *     disturbedRuns: number, runs: number, retries: number, foreignLimit: number,
 *     foreignLoadLimit: number },
 *   rounds: Array<{ round: number, first: string, baseline: RunSample, candidate: RunSample }>,
 *   baseline: ServerSummary,
 *   candidate: ServerSummary,
 *   ratio: { reqPerSec: Spread, cpuMicrosPerRequest: Spread },
 * }>}  ratios are candidate / baseline, per round (req/s: higher is better for the candidate;
 *   CPU per request: lower is better)
 * @typedef {{ median: number, min: number, max: number }} Spread
 * @typedef {{ name: string, reqPerSec: Spread, p99: Spread, cpuMicrosPerRequest: Spread,
 *   loadCpuShare: Spread, serverCpuShare: Spread, serverCoreBusy: Spread, foreignShare: Spread, errors: number,
 *   non2xx: number }} ServerSummary
 */
export async function compareServers({ baseline, candidate, rounds = 5, load = {}, log }) {
  const say = log ?? ((line) => process.stderr.write(`${line}\n`));
  const pinned = os.availableParallelism() >= 2 && canPin(0) && canPin(1);
  if (!pinned)
    say('compareServers: taskset or a second CPU is missing; running unpinned (numbers are noisier).');
  const generator = chooseGenerator(load, say);
  if (generator.note) say(`compareServers: load generator autocannon: ${generator.note}.`);
  const servers = {};
  try {
    servers.baseline = await startServerChild(baseline, pinned);
    servers.candidate = await startServerChild(candidate, pinned);
    const warmup = load.warmup ?? 1;
    if (warmup > 0) {
      for (const key of ['baseline', 'candidate'])
        await runLoad(servers[key].url, load, pinned, warmup, generator.name);
    }
    const results = [];
    const maxRetries = load.maxRetries ?? Number(process.env.BENCH_MAX_RETRIES ?? 2);
    let retries = 0;
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
      const entry = { round, first: order[0] === 'baseline' ? baseline.name : candidate.name };
      for (const key of order) {
        let sample = await measureRun(servers[key], load, pinned, generator.name);
        // A run that other processes disturbed is measured again, a bounded number of times.
        while (disturbed(sample) && retries < maxRetries) {
          retries++;
          say(
            `round ${round}/${rounds}: ${key} measured again: other processes used ` +
              `${pct(sample.foreignShare)} of the server's core, ${pct(sample.foreignLoadShare)} of the load generator's`,
          );
          sample = await measureRun(servers[key], load, pinned, generator.name);
        }
        entry[key] = sample;
      }
      say(
        `round ${round}/${rounds}: ${baseline.name} ${Math.round(entry.baseline.reqPerSec)} req/s, ` +
          `${candidate.name} ${Math.round(entry.candidate.reqPerSec)} req/s ` +
          `(ratio ${(entry.candidate.reqPerSec / entry.baseline.reqPerSec).toFixed(3)}); ` +
          `load generator ${pct(entry.baseline.loadCpuShare)} / ${pct(entry.candidate.loadCpuShare)} of its core, ` +
          `others ${pct(entry.baseline.foreignShare)} / ${pct(entry.candidate.foreignShare)} of the server's, ` +
          `${pct(entry.baseline.foreignLoadShare)} / ${pct(entry.candidate.foreignLoadShare)} of the generator's`,
      );
      results.push(entry);
    }
    const summary = (key, spec) => ({
      name: spec.name,
      reqPerSec: spread(results.map((r) => r[key].reqPerSec)),
      p99: spread(results.map((r) => r[key].p99)),
      cpuMicrosPerRequest: spread(results.map((r) => r[key].cpuMicrosPerRequest)),
      loadCpuShare: spread(results.map((r) => r[key].loadCpuShare)),
      foreignShare: spread(results.map((r) => r[key].foreignShare)),
      serverCpuShare: spread(results.map((r) => r[key].serverCpuShare)),
      serverCoreBusy: spread(results.map((r) => r[key].serverCoreBusy)),
      errors: results.reduce((sum, r) => sum + r[key].errors, 0),
      non2xx: results.reduce((sum, r) => sum + r[key].non2xx, 0),
    });
    // The load generator is not the bottleneck when it never used LOAD_CPU_LIMIT of its core.
    const loadShares = results.flatMap((r) => [r.baseline.loadCpuShare, r.candidate.loadCpuShare]);
    const samples = results.flatMap((r) => [r.baseline, r.candidate]);
    const loadCheck = {
      generator: generator.name,
      note: generator.note,
      limit: LOAD_CPU_LIMIT,
      max: Math.max(...loadShares),
      ok: loadShares.every((share) => share < LOAD_CPU_LIMIT),
      disturbedRuns: samples.filter(disturbed).length,
      runs: samples.length,
      retries,
      foreignLimit: MAX_FOREIGN_SHARE,
      foreignLoadLimit: MAX_FOREIGN_LOAD_SHARE,
    };
    return {
      pinned,
      loadCheck,
      rounds: results,
      baseline: summary('baseline', baseline),
      candidate: summary('candidate', candidate),
      ratio: {
        reqPerSec: spread(results.map((r) => r.candidate.reqPerSec / r.baseline.reqPerSec)),
        cpuMicrosPerRequest: spread(
          results.map((r) => r.candidate.cpuMicrosPerRequest / r.baseline.cpuMicrosPerRequest),
        ),
      },
    };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.close()));
  }
}

/**
 * One line about the machine, for result tables: CPU model and count, OS, Node, pinning.
 * @param {boolean} pinned
 */
export function machineNotes(pinned) {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} ×${cpus.length}, ${os.platform()} ${os.release()}, Node ${process.version}, ${
    pinned ? 'server on CPU 0 / load on CPU 1 (taskset)' : 'unpinned'
  }`;
}
