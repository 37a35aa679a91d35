// compareServers(): a fair A/B of two HTTP servers under the same load, in the same run.
//
// Each server runs in its own child process pinned to CPU 0 (`taskset -c 0`), started once and
// kept for every round; every load run is a fresh autocannon process pinned to CPU 1
// (`taskset -c 1`). Rounds alternate which server goes first. Per run we record requests/s,
// p99 latency, and the server's own CPU time per request (its process.cpuUsage() before and
// after), which still compares the servers when the load generator is the bottleneck.
// Without taskset (or with fewer than 2 CPUs) it runs unpinned and says so.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spread } from './stats.js';

const SERVER_CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));
const LOAD_CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));

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
 */

/**
 * @typedef {object} RunSample
 * @property {number} reqPerSec
 * @property {number} p99  ms
 * @property {number} cpuMicrosPerRequest  server CPU (user + system) per request, µs
 * @property {number} requests
 * @property {number} errors  errors + timeouts
 * @property {number} non2xx
 */

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
 * Runs one autocannon process against `url` and resolves with its summary.
 * @param {string} url
 * @param {LoadSpec} load
 * @param {boolean} pinned
 * @param {number} [durationOverride]  seconds, for warm-up runs
 */
export async function runLoad(url, load, pinned, durationOverride) {
  const options = {
    url: `${url}${load.path ?? '/'}`,
    method: load.method,
    headers: load.headers,
    connections: load.connections ?? 10,
    pipelining: load.pipelining ?? 1,
    duration: durationOverride ?? load.duration ?? 3,
    amount: durationOverride === undefined ? load.amount : undefined,
  };
  const { command, args } = nodeCommand(1, [LOAD_CHILD, JSON.stringify(options)], pinned);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop());
}

/**
 * Compares two servers under the same load, alternating rounds.
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
 *   rounds: Array<{ round: number, first: string, baseline: RunSample, candidate: RunSample }>,
 *   baseline: { name: string, reqPerSec: Spread, p99: Spread, cpuMicrosPerRequest: Spread, errors: number, non2xx: number },
 *   candidate: { name: string, reqPerSec: Spread, p99: Spread, cpuMicrosPerRequest: Spread, errors: number, non2xx: number },
 *   ratio: { reqPerSec: Spread, cpuMicrosPerRequest: Spread },
 * }>}  ratios are candidate / baseline, per round (req/s: higher is better for the candidate;
 *   CPU per request: lower is better)
 * @typedef {{ median: number, min: number, max: number }} Spread
 */
export async function compareServers({ baseline, candidate, rounds = 5, load = {}, log }) {
  const say = log ?? ((line) => process.stderr.write(`${line}\n`));
  const pinned = os.availableParallelism() >= 2 && canPin(0) && canPin(1);
  if (!pinned)
    say('compareServers: taskset or a second CPU is missing; running unpinned (numbers are noisier).');
  const servers = {};
  try {
    servers.baseline = await startServerChild(baseline, pinned);
    servers.candidate = await startServerChild(candidate, pinned);
    const warmup = load.warmup ?? 1;
    if (warmup > 0) {
      for (const key of ['baseline', 'candidate']) await runLoad(servers[key].url, load, pinned, warmup);
    }
    const results = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
      const entry = { round, first: order[0] === 'baseline' ? baseline.name : candidate.name };
      for (const key of order) {
        const before = await servers[key].cpu();
        const run = await runLoad(servers[key].url, load, pinned);
        const after = await servers[key].cpu();
        entry[key] = {
          reqPerSec: run.requests / run.seconds,
          p99: run.p99,
          cpuMicrosPerRequest: (after - before) / Math.max(1, run.requests),
          requests: run.requests,
          errors: run.errors + run.timeouts,
          non2xx: run.non2xx,
        };
      }
      say(
        `round ${round}/${rounds}: ${baseline.name} ${Math.round(entry.baseline.reqPerSec)} req/s, ` +
          `${candidate.name} ${Math.round(entry.candidate.reqPerSec)} req/s ` +
          `(ratio ${(entry.candidate.reqPerSec / entry.baseline.reqPerSec).toFixed(3)})`,
      );
      results.push(entry);
    }
    const summary = (key, spec) => ({
      name: spec.name,
      reqPerSec: spread(results.map((r) => r[key].reqPerSec)),
      p99: spread(results.map((r) => r[key].p99)),
      cpuMicrosPerRequest: spread(results.map((r) => r[key].cpuMicrosPerRequest)),
      errors: results.reduce((sum, r) => sum + r[key].errors, 0),
      non2xx: results.reduce((sum, r) => sum + r[key].non2xx, 0),
    });
    return {
      pinned,
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
