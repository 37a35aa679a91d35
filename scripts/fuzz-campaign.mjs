#!/usr/bin/env node
// A fuzz and attack campaign against the built kit (dist/) and real `probekit` processes on
// 127.0.0.1: fuzzed DSL scripts in process, then targeted attacks on the CLI, the servers, the
// control API and `conformance --exec` children. Prints a table of tried / survived / lost.
//
//   npm run build && node scripts/fuzz-campaign.mjs [--scripts N] [--attacks N] [--seed S] [--json]
//     [--parts dsl,cli,exec,http,control]
//
// "Lost" is any crash, unhandled rejection, error that is not a ProbekitError with a code, a
// hang past a bound, a process or socket left running, or memory growth past a bound. Exit 1
// when anything is lost. Loopback only; every wait is bounded. See docs/hardening.md.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { createClock } from '@sinonjs/fake-timers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'probekit.js');
const { parseScript, printScript, ProbekitError, flakyEndpoint } = await import(
  join(root, 'dist', 'index.js')
);
const { compile, decide, routeFor, INITIAL_CURSOR } = await import(
  join(root, 'dist', 'endpoint', 'index.js')
);

const { values: flags } = parseArgs({
  options: {
    scripts: { type: 'string', default: '205000' },
    attacks: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    parts: { type: 'string', default: 'dsl,cli,exec,http,control' },
  },
});
const PARTS = new Set(flags.parts.split(','));
const SCRIPTS = Number(flags.scripts);
const MAX_ATTACKS = Number(flags.attacks);
if (!Number.isSafeInteger(SCRIPTS) || SCRIPTS < 0 || !Number.isSafeInteger(MAX_ATTACKS) || MAX_ATTACKS < 0) {
  console.error('fuzz-campaign: --scripts and --attacks take whole numbers');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping

/** category -> { tried, survived, lost, examples } */
const tally = new Map();
function record(category, lostReason, detail) {
  let row = tally.get(category);
  if (!row) {
    row = { tried: 0, survived: 0, lost: 0, examples: [] };
    tally.set(category, row);
  }
  row.tried++;
  if (lostReason === undefined) row.survived++;
  else {
    row.lost++;
    if (row.examples.length < 5) row.examples.push(`${lostReason}: ${String(detail ?? '').slice(0, 300)}`);
  }
}
let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  unhandled++;
  record('campaign: unhandled rejections', 'unhandled rejection', reason?.stack ?? reason);
});

/** A small seeded PRNG (mulberry32): the campaign is reproducible from --seed. */
function rngOf(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rngOf(Number(flags.seed));
const int = (min, max) => min + Math.floor(random() * (max - min + 1));
const pick = (list) => list[Math.floor(random() * list.length)];

/** Why an error is a loss, or undefined when it is a ProbekitError with a code. */
function foreign(error) {
  if (!(error instanceof ProbekitError)) return `foreign ${error?.constructor?.name ?? typeof error}`;
  if (typeof error.code !== 'string' || !error.code.startsWith('ERR_PROBEKIT_')) return 'no code';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Part 1: fuzzed DSL scripts (grammar-generated and mutated from the shipped fixtures)

const shippedScripts = readdirSync(join(root, 'fixtures', 'checker'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(join(root, 'fixtures', 'checker', name), 'utf8')).script);

// Mostly valid values, so most scripts reach print, compile and decide; about one value in 30
// is an edge or past a limit, so the refusals are exercised too.
const edge = () => random() < 0.03;
const status = () => (edge() ? pick([100, 99, 600, 0, 1e9]) : pick([200, 204, 301, 404, 500, 503, 599]));
const duration = () =>
  edge()
    ? pick(['1.5s', '0.5ms', `${int(597, 900)}h`, '2147483647ms', '2147483648ms', '1e309ms', '-1ms'])
    : pick([`${int(1, 2000)}ms`, `${int(1, 30)}s`, `${int(1, 5)}m`, `${int(1, 3)}h`, `${int(1, 900)}`]);
const headerPart = () => `[x-${pick(['a', 'b', 'trace'])}="${pick(['1', 'é', '', 'a b'])}"]`;
function action() {
  switch (int(0, 9)) {
    case 0:
      return 'hang';
    case 1:
      return pick(['reset', 'close', 'malformed']);
    case 2:
      return `refuse ${duration()}`;
    case 3:
      return `${pick(['slow-headers', 'slow-body'])} ${status()} over ${duration()}`;
    case 4:
      return `${status()} ${headerPart()}`;
    case 5:
      return `${status()} "${pick(['ok', 'down', '', '\\u00e9'])}"`;
    default:
      return String(status());
  }
}
/** Two durations in order (a range, a window), or rarely out of order. */
function ordered() {
  const [a, b] = [int(0, 5000), int(0, 5000)];
  return edge() ? [Math.max(a, b), Math.min(a, b) - 1] : [Math.min(a, b), Math.max(a, b)];
}
function step() {
  const act = action();
  // A delay before refuse or hang is refused by the parser; keep those rare.
  if (random() < 0.2 && (edge() || !/^(refuse|hang)/.test(act))) {
    const [min, max] = ordered();
    const latency = pick([
      duration(),
      `${min}ms..${max}ms`,
      `normal(${duration()}, ${duration()})`,
      `exp(${duration()})`,
    ]);
    return `delay ${latency} then ${act}`;
  }
  return act;
}
/** A choice's option: any step but refuse (a refusal is a time window, not an answer), rarely one anyway. */
function choiceStep() {
  for (;;) {
    const option = step();
    if (edge() || !/refuse/.test(option)) return option;
  }
}
const count = () => `*${edge() ? pick([1_000_000_000, 1_000_000_001, 0]) : int(1, 20)}`;
function item(depth) {
  let text;
  const shape = depth < 4 ? random() : 1;
  if (shape < 0.1) {
    // A choice picks one step per request: its options are single steps, all weighted or none.
    const weighted = random() < 0.5;
    const options = Array.from(
      { length: edge() ? 1 : int(2, 4) },
      () => choiceStep() + (weighted ? ` @${edge() ? pick([0, 1_000_001]) : int(1, 1000)}` : ''),
    );
    text = `(${options.join(' | ')})`;
  } else if (shape < 0.2) {
    text = `(${Array.from({ length: int(1, 4) }, () => item(depth + 1)).join(pick([', ', ' then ']))})`;
  } else text = step();
  if (random() < 0.3) text += count();
  return text;
}
function route() {
  const parts = [];
  if (random() < 0.1) {
    const [from, until] = ordered();
    parts.push(
      `down from ${from}ms${random() < 0.5 ? ` until ${until}ms` : ''}${random() < 0.5 ? ` as ${step()}` : ''}`,
    );
  }
  if (random() < 0.05) parts.push(`up ${int(1, 5000)}ms down ${int(1, 5000)}ms`);
  for (let i = int(1, 5); i > 0; i--) parts.push(item(0));
  // "..." repeats the last step forever, so nothing may follow it; "cycle"/"end" say what
  // happens after a finite script instead.
  const roll = random();
  if (roll < 0.3) parts[parts.length - 1] += '...';
  else if (roll < 0.4) parts.push(pick(['cycle', 'end']));
  if (edge()) parts.splice(int(0, parts.length - 1), 0, `${step()}...`);
  const prefix = random() < 0.2 ? `${pick(['/healthz', '/a', '*', '/v1.0/healthz', '/%zz'])}: ` : '';
  return prefix + parts.join(pick([', ', ' then ', ',\n']));
}
// Several routes need distinct paths; only the first may be path-less.
const grammarScript = () =>
  random() < 0.85
    ? route()
    : ['/a', '/b', '/c']
        .slice(0, int(2, 3))
        .map((path) => `${path}: ${route().replace(/^[^:]*: /, '')}`)
        .join('; ');

const TOKENS = [
  '200',
  '503',
  '*',
  '...',
  ',',
  ';',
  ':',
  '(',
  ')',
  '|',
  '@',
  '[',
  ']',
  '=',
  '"',
  '#',
  '\n',
  'then',
  'delay',
  'hang',
  'refuse',
  'down',
  'from',
  'until',
  'as',
  'over',
  'up',
  'cycle',
  'end',
  '..',
  'normal(',
  'exp(',
  '1e309',
  '-1',
  '0',
  '99999999999999999999',
  '\u0000',
  '\uffff',
  '\ud800',
  'é',
];
function mutate(source) {
  let text = source;
  for (let n = int(1, 3); n > 0; n--) {
    const at = int(0, text.length);
    switch (int(0, 8)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + int(1, 8));
        break;
      case 1:
        text = `${text.slice(0, at)} ${pick(TOKENS)} ${text.slice(at)}`;
        break;
      case 2:
        text = text.replace(/\d+/, () =>
          pick(['0', '-1', '1e309', '99999999999999999999', '1.5', '2147483648', '1000000001']),
        );
        break;
      case 3:
        text = `${'('.repeat(int(30, 40))}${text}${')'.repeat(int(30, 40))}`;
        break;
      case 4:
        text = Array.from({ length: int(2, 50) }, () => text).join(', ');
        break;
      case 5:
        text = text.slice(0, at);
        break;
      case 6:
        text = text.slice(0, at) + String.fromCharCode(int(0, 0xffff)) + text.slice(at);
        break;
      case 7:
        text = `${text}, ${grammarScript()}`;
        break;
      default:
        text = text.replace(/\b(then|,)\b/, pick(['|', ';', '@', '*']));
    }
  }
  return text;
}

/** How far the fuzzed scripts got: refused by the parser, parsed (then printed, compiled, decided), sent through the transport. */
const reached = { refused: 0, parsed: 0, decided: 0, transported: 0 };
const PATHS = ['/healthz', '/a', '/v1.0/healthz', '/', '/healthz?x=1', '/%zz'];
async function fuzzOne(source, category, clock, deep) {
  let definition;
  try {
    definition = parseScript(source);
  } catch (error) {
    reached.refused++;
    return record(category, foreign(error), `${error?.message} <- ${JSON.stringify(source.slice(0, 120))}`);
  }
  reached.parsed++;
  try {
    const printed = printScript(definition);
    const again = parseScript(printed);
    if (!isDeepStrictEqual(again, definition))
      return record(category, 'round trip changed the definition', printed);
    const seed = int(0, 2 ** 31);
    const compiled = compile(definition, seed);
    const cursors = new Map();
    for (let i = int(1, 5); i > 0; i--) {
      clock.tick(int(0, 800));
      const path = pick(PATHS);
      const chosen = routeFor(compiled, path);
      if (!chosen) continue;
      const outcome = decide(chosen, cursors.get(chosen) ?? INITIAL_CURSOR, clock.now, seed);
      cursors.set(chosen, outcome.cursor);
      reached.decided++;
    }
    if (deep) {
      await throughTransport(definition, seed);
      reached.transported++;
    }
    record(category);
  } catch (error) {
    record(
      category,
      foreign(error) ?? 'valid script refused later',
      `${error?.message} <- ${JSON.stringify(source.slice(0, 120))}`,
    );
  }
}

/** A few requests through the in-process transport on a fake clock, each aborted after 1 s. */
async function throughTransport(definition, seed) {
  const clock = createClock(0);
  const endpoint = flakyEndpoint(definition, { clock, seed });
  for (let i = 0; i < 3; i++) {
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), 1000);
    let settled = false;
    let problem;
    endpoint
      .transport({ url: `http://endpoint.test${pick(PATHS)}`, timeout: 1000, signal: controller.signal })
      .then(
        () => {
          settled = true;
        },
        (error) => {
          settled = true;
          // A failed probe names its failure (ECONNREFUSED, …) or is the checker's own abort,
          // as the Transport contract asks.
          if (typeof error?.code !== 'string' && error?.name !== 'AbortError') problem = error;
        },
      );
    await clock.tickAsync(1001);
    clock.clearTimeout(timer);
    if (!settled) throw new Error('a probe stayed pending after its abort');
    if (problem) throw new Error(`a probe failed without a code: ${problem?.stack ?? problem}`);
  }
}

async function fuzzScripts(count) {
  const clock = createClock(0);
  const started = performance.now();
  const rss = process.memoryUsage().rss;
  let slowest = 0;
  let longest = { chars: 0, ms: 0 };
  for (let i = 0; i < count; i++) {
    const mutated = i % 2 === 1;
    const source = mutated
      ? mutate(pick(random() < 0.5 ? shippedScripts : [grammarScript()]))
      : grammarScript();
    const category = mutated
      ? 'dsl: mutated scripts (fixtures and grammar)'
      : 'dsl: grammar-generated scripts';
    const before = performance.now();
    await fuzzOne(source, category, clock, i % 50 === 0);
    const took = performance.now() - before;
    // The work is linear in the script's length (up to LIMITS.maxScriptChars, 4,000,000
    // characters: mutations repeat scripts into megabytes), so the bound is too: 2 s plus 1 s
    // a million characters. A flat 2 s counted 3 MB scripts as lost on a loaded machine.
    const bound = 2000 + source.length / 1000;
    if (took > bound) {
      record(
        'dsl: time per script (bound 2 s + 1 s per 10^6 chars)',
        'slow',
        `${Math.round(took)} ms for ${source.length} characters: ${JSON.stringify(source.slice(0, 80))}`,
      );
    }
    slowest = Math.max(slowest, took);
    if (source.length > longest.chars) longest = { chars: source.length, ms: Math.round(took) };
  }
  const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
  record('dsl: memory growth (bound 512 MiB)', grown > 512 ? 'memory' : undefined, `${grown.toFixed(0)} MiB`);
  return {
    seconds: (performance.now() - started) / 1000,
    rssGrowthMiB: Math.round(grown),
    reached,
    slowestMs: Math.round(slowest),
    longest,
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: processes. Every child carries a marker in its environment, so whatever it leaves
// running (children, grandchildren) is found in /proc afterwards and counted as lost.

const MARK = `PROBEKIT_CAMPAIGN=${randomUUID()}`;
const [markName, markValue] = MARK.split('=');
const live = new Set();

function start(args, { env = {} } = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', [markName]: markValue, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const out = { stdout: '', stderr: '', code: undefined, signal: undefined, peakKiB: 0 };
  const cap = (key) => (chunk) => {
    if (out[key].length < 256 * 1024) out[key] += chunk.toString('utf8');
  };
  child.stdout.on('data', cap('stdout'));
  child.stderr.on('data', cap('stderr'));
  out.exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      live.delete(child);
      out.code = code;
      out.signal = signal;
      resolve();
    });
  });
  out.child = child;
  return out;
}

const within = (promise, ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

function peakKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Processes still running with our marker (other than the ones we hold). */
function leftovers() {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(MARK)) found.push(Number(name));
    } catch {}
  }
  const held = new Set([...live].map((child) => child.pid));
  return found.filter((pid) => !held.has(pid));
}

async function noLeftovers() {
  for (let i = 0; i < 30; i++) {
    const pids = leftovers();
    if (pids.length === 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pids = leftovers();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  return pids.length
    ? `left ${pids.length} process(es) running: ${pids.map(cmdline).join(' | ')}`
    : undefined;
}
function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 80);
  } catch {
    return String(pid);
  }
}

/**
 * Judges a finished (or stopped) CLI run: exit 0/1/2 (130/143 after our SIGTERM), a "probekit:"
 * line with exit 2, no stack trace, no internal error.
 */
function judgeExit(out, { stopped }) {
  const text = out.stderr + out.stdout;
  if (/internal error|Maximum call stack|\n\s+at .+:\d+:\d+\)?\n/.test(text))
    return ['stack trace or internal error', text];
  if (out.signal && !stopped) return [`killed by ${out.signal}`, text];
  if (out.peakKiB > 1024 * 1024) return ['memory past 1 GiB', `${out.peakKiB} KiB`];
  const allowed = stopped ? [0, 1, 2, 130, 143, null] : [0, 1, 2];
  if (!allowed.includes(out.code)) return [`exit ${out.code}`, text];
  if (out.code === 2 && !/(^|\n)probekit:/.test(out.stderr))
    return ['exit 2 without a "probekit:" line', text];
  return undefined;
}

/** Runs a command; a long runner is stopped with SIGTERM at `boundMs` and must exit in 5 s. */
async function runCommand(args, { boundMs = 15_000, env } = {}) {
  const out = start(args, { env });
  const sampler = setInterval(() => {
    out.peakKiB = Math.max(out.peakKiB, peakKiB(out.child.pid));
  }, 200);
  let stopped = false;
  let verdict;
  if (!(await within(out.exited, boundMs))) {
    out.peakKiB = Math.max(out.peakKiB, peakKiB(out.child.pid));
    stopped = true;
    out.child.kill('SIGTERM');
    if (!(await within(out.exited, 5000))) {
      out.child.kill('SIGKILL');
      await out.exited;
      verdict = ['ignored SIGTERM for 5 s', args.join(' ').slice(0, 200)];
    }
  }
  clearInterval(sampler);
  verdict ??= judgeExit(out, { stopped });
  verdict ??= ((left) => (left ? [left, args.join(' ').slice(0, 200)] : undefined))(await noLeftovers());
  return { out, verdict, stopped };
}

async function pool(jobs, width) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

let attacks = 0;
const budget = () => attacks < MAX_ATTACKS;
function attack(category, run) {
  return async () => {
    if (!budget()) return;
    attacks++;
    try {
      const verdict = await run();
      record(category, verdict?.[0], verdict?.[1]);
    } catch (error) {
      record(category, `campaign error ${error?.message}`, error?.stack);
    }
  };
}

// --- 2a: CLI flags with absurd values, for every command -----------------------------------

const ABSURD = ['', '-1', '1e309', '597h', 'x'.repeat(20_000)];
const DEAD_URL = 'http://127.0.0.1:9/healthz';
const COMMANDS = [
  {
    name: 'check',
    base: ['check', DEAD_URL],
    flags: [
      '--interval',
      '--timeout',
      '--threshold',
      '--initial-delay',
      '--success-status',
      '--until',
      '--deadline',
      '--duration',
      '--trace',
    ],
  },
  {
    name: 'serve',
    base: ['serve', '--host', '127.0.0.1', '--port', '0', '--quiet'],
    flags: ['--flavour', '--port', '--host', '--ready-after', '--app-id', '--api-token', '--grace'],
  },
  {
    name: 'mock',
    base: ['mock', '200'],
    flags: [
      '--port',
      '--host',
      '--path',
      '--seed',
      '--config',
      '--journal-size',
      '--control',
      '--control-port',
      '--control-token',
    ],
  },
  {
    name: 'explain',
    base: ['explain', '200, 503*3'],
    flags: [
      '--interval',
      '--threshold',
      '--initial-delay',
      '--timeout',
      '--success-status',
      '--read-delay',
      '--until',
      '--format',
      '--width',
      '--trace',
      '--tolerance',
    ],
  },
  { name: 'demo', base: ['demo', '--fast'], flags: ['--act', '--trace'] },
  {
    name: 'conformance checker',
    base: ['conformance', 'checker', '--only', 'all-200-true-every-probe'],
    flags: [
      '--level',
      '--only',
      '--time-scale',
      '--tolerance',
      '--startup-timeout',
      '--repeat',
      '--expect-fail',
      '--reporter',
      '--fixtures',
    ],
  },
  {
    name: 'conformance server',
    base: ['conformance', 'server'],
    flags: [
      '--profile',
      '--url',
      '--level',
      '--only',
      '--request-timeout',
      '--startup-timeout',
      '--reporter',
      '--fixtures',
    ],
  },
  { name: 'fixtures check', base: ['fixtures', 'check'], flags: ['--dir', '--healthz-dir'] },
];
function cliJobs() {
  const jobs = [];
  for (const command of COMMANDS) {
    for (const flag of command.flags) {
      for (const value of ABSURD) {
        // --trace writes a file: keep absurd names out of the working tree.
        const v =
          flag === '--trace' && command.name !== 'explain' && value !== ''
            ? `/nonexistent-dir/${value.slice(0, 50)}`
            : value;
        jobs.push(
          attack(
            `cli: absurd flag values (${command.name})`,
            async () => (await runCommand([...command.base, flag, v], { boundMs: 2500 })).verdict,
          ),
        );
      }
    }
    jobs.push(
      attack(
        `cli: absurd flag values (${command.name})`,
        async () => (await runCommand([...command.base, '--no-such-flag'], { boundMs: 2500 })).verdict,
      ),
    );
  }
  for (const args of [
    ['explain', 'x'.repeat(5_000_000).slice(0, 100_000)],
    ['explain', '200', '--interval', '1ms', '--until', '2147483647ms'],
    ['mock', '('.repeat(5000)],
    ['mock', 'refuse 1*1000000000, 200'],
    ['check', 'http://evil.example/healthz', '--duration', '1s'],
    ['check', 'http://[::1]:9/healthz', '--duration', '1s'],
    ['check', 'file:///etc/passwd', '--duration', '1s'],
    ['nosuchcommand'],
    [''],
    ['--version', 'x'],
  ]) {
    jobs.push(
      attack(
        'cli: absurd positional arguments',
        async () => (await runCommand(args, { boundMs: 6000 })).verdict,
      ),
    );
  }
  return jobs;
}

// --- 2b: malformed HTTP over raw sockets against mock, serve (both flavours) -----------------

/** Starts a long-running probekit server and reads its URLs from its output. */
async function startServer(args, pattern, count = 1) {
  const out = start(args);
  for (let i = 0; i < 100; i++) {
    const found = [...(out.stdout + out.stderr).matchAll(pattern)].map((m) => Number(m[1]));
    if (found.length >= count) return { out, ports: found };
    await within(out.exited, 100);
    if (out.code !== undefined) break;
  }
  throw new Error(`server did not start: ${args.join(' ')}: ${out.stderr.slice(0, 300)}`);
}

/** Writes `payload` (chunks) to a raw socket and collects up to 64 KiB of answer, bounded. */
function raw(port, chunks, { holdMs = 1500, gapMs = 0 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(finish, holdMs);
    socket.on('data', (data) => {
      if (answer.length < 65536) answer = Buffer.concat([answer, data]);
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** A well-formed GET answers with some HTTP status within 3 s. */
async function answers(port, path, headers = '') {
  const answer = await raw(
    port,
    [`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Connection: close\r\n\r\n`],
    { holdMs: 3000 },
  );
  return /^HTTP\/1\.[01] \d{3}/.test(answer.toString('latin1'));
}

function socketCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return -1;
  }
}

const host = (port) => `Host: 127.0.0.1:${port}\r\n`;
const MALFORMED = [
  ['garbage request line', () => ['GARBAGE\r\n\r\n']],
  ['method only', () => ['GET\r\n\r\n']],
  ['HTTP/0.9 shape', (_p, path) => [`GET ${path}\r\n\r\n`]],
  ['unknown version', (p, path) => [`GET ${path} HTTP/9.9\r\n${host(p)}\r\n`]],
  ['64 KiB request target', (p) => [`GET /${'a'.repeat(65536)} HTTP/1.1\r\n${host(p)}\r\n`]],
  [
    '100 KiB header',
    (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}X-Big: ${'b'.repeat(100_000)}\r\n\r\n`],
  ],
  ['2,000 headers', (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}${'X-A: 1\r\n'.repeat(2000)}\r\n`]],
  [
    'absurd Content-Length',
    (p, path) => [`POST ${path} HTTP/1.1\r\n${host(p)}Content-Length: 99999999999999999999\r\n\r\nabc`],
  ],
  ['negative Content-Length', (p, path) => [`POST ${path} HTTP/1.1\r\n${host(p)}Content-Length: -1\r\n\r\n`]],
  [
    'two Content-Lengths',
    (p, path) => [`POST ${path} HTTP/1.1\r\n${host(p)}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
  ],
  [
    'bad chunk size',
    (p, path) => [
      `POST ${path} HTTP/1.1\r\n${host(p)}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    ],
  ],
  [
    'huge chunk size',
    (p, path) => [
      `POST ${path} HTTP/1.1\r\n${host(p)}Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc`,
    ],
  ],
  [
    'Transfer-Encoding: xchunked',
    (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}Transfer-Encoding: xchunked\r\n\r\n`],
  ],
  ['CONNECT', (p) => [`CONNECT 127.0.0.1:${p} HTTP/1.1\r\n${host(p)}\r\n`]],
  ['OPTIONS *', (p) => [`OPTIONS * HTTP/1.1\r\n${host(p)}\r\n`]],
  [
    'absolute-form target',
    (_p, path) => [`GET http://evil.example${path} HTTP/1.1\r\nHost: evil.example\r\n\r\n`],
  ],
  ['100 pipelined requests', (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}\r\n`.repeat(100)]],
  [
    'non-UTF-8 bytes',
    (p, path) => [
      Buffer.concat([
        Buffer.from(`GET ${path}\xff\xfe HTTP/1.1\r\n${host(p)}X-Bin: `, 'latin1'),
        Buffer.from([0xc3, 0x28, 0xff, 0x00]),
        Buffer.from('\r\n\r\n'),
      ]),
    ],
  ],
  ['NUL in the request line', (p, path) => [`GET ${path}\0 HTTP/1.1\r\n${host(p)}\r\n`]],
  ['bare LF line ends', (p, path) => [`GET ${path} HTTP/1.1\n${host(p).trim()}\n\n`]],
  ['header without a colon', (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}NoColonHere\r\n\r\n`]],
  ['partial request, then silence', (p, path) => [`GET ${path} HTTP/1.1\r\n${host(p)}`]],
  [
    '10 MiB body',
    (p, path) => [
      `POST ${path} HTTP/1.1\r\n${host(p)}Content-Length: 10485760\r\n\r\n`,
      Buffer.alloc(10 * 2 ** 20, 97),
    ],
  ],
  [
    'Expect: 100-continue, no body',
    (p, path) => [`POST ${path} HTTP/1.1\r\n${host(p)}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n`],
  ],
  [
    'Upgrade: h2c',
    (p, path) => [
      `GET ${path} HTTP/1.1\r\n${host(p)}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
    ],
  ],
  ['HTTP/2 preface', () => ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
  ['TLS ClientHello', () => [Buffer.from('160301020001000000000000', 'hex')]],
  ['64 KiB of random bytes', () => [Buffer.from(Array.from({ length: 65536 }, () => int(0, 255)))]],
];

function httpJobs(target) {
  const jobs = [];
  for (const [name, payload] of MALFORMED) {
    jobs.push(
      attack(`http: malformed requests (${target.name})`, async () => {
        await raw(target.port, payload(target.port, target.path), { holdMs: 1000 });
        if (target.out.code !== undefined)
          return ['server exited', `${name}: ${target.out.stderr.slice(-300)}`];
        if (!(await answers(target.port, target.path, target.headers)))
          return ['no answer after the attack', name];
        return undefined;
      }),
    );
  }
  jobs.push(
    attack(`http: slowloris (${target.name})`, async () => {
      // 50 connections dribbling a header a byte every 100 ms for 2 s; a normal request must
      // still get through meanwhile.
      const chunks = [...`GET ${target.path} HTTP/1.1\r\n${host(target.port)}X-Slow: ${'s'.repeat(19)}`];
      const slow = Array.from({ length: 50 }, () => raw(target.port, chunks, { holdMs: 2000, gapMs: 100 }));
      const meanwhile = await answers(target.port, target.path, target.headers);
      await Promise.all(slow);
      return meanwhile ? undefined : ['no answer while 50 slow connections were open', ''];
    }),
  );
  return jobs;
}

/** After the attacks: alive, sockets back to (about) the baseline, memory within a bound. */
async function serverHealth(target, baselineSockets, baselineKiB) {
  const category = `http: sockets and memory after the attacks (${target.name})`;
  if (target.out.code !== undefined) return record(category, 'server exited', target.out.stderr.slice(-300));
  let sockets = socketCount(target.out.child.pid);
  for (let i = 0; i < 50 && sockets > baselineSockets + 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    sockets = socketCount(target.out.child.pid);
  }
  record(
    category,
    sockets > baselineSockets + 2 ? 'sockets left open' : undefined,
    `${baselineSockets} -> ${sockets}`,
  );
  const kib = peakKiB(target.out.child.pid);
  record(
    category,
    kib - baselineKiB > 300 * 1024 ? 'memory growth past 300 MiB' : undefined,
    `${baselineKiB} -> ${kib} KiB`,
  );
}

async function stopServer(target) {
  target.out.child.kill('SIGTERM');
  const exited = await within(target.out.exited, 8000);
  if (!exited) target.out.child.kill('SIGKILL');
  record(
    `http: sockets and memory after the attacks (${target.name})`,
    exited ? judgeExit(target.out, { stopped: true })?.[0] : 'ignored SIGTERM',
    target.out.stderr.slice(-300),
  );
}

// --- 2c: control API abuse ---------------------------------------------------------------------

function request(port, { method = 'GET', path = '/__probekit/journal', headers = {}, body } = {}) {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${headers.Host ?? `127.0.0.1:${port}`}`];
  for (const [key, value] of Object.entries(headers)) if (key !== 'Host') lines.push(`${key}: ${value}`);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  lines.push(`Content-Length: ${payload.length}`, 'Connection: close', '', '');
  return raw(port, [lines.join('\r\n'), payload], { holdMs: 5000 }).then((answer) => {
    const text = answer.toString('utf8');
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text };
  });
}

async function currentScript(port, headers = {}) {
  const { text } = await request(port, { path: '/__probekit/script', headers });
  return /"dsl"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
}

function controlJobs(control, token) {
  const jobs = [];
  const auth = token ? { 'X-Probekit-Token': token } : {};
  const expect = (name, options, statuses, { unchanged = false } = {}) =>
    jobs.push(
      attack(`control API abuse${token ? ' (with --control-token)' : ''}`, async () => {
        const before = unchanged ? await currentScript(control.port, auth) : undefined;
        const { status, text } = await request(control.port, options);
        if (!statuses.includes(status))
          return [`${name} answered ${status}, expected ${statuses.join('/')}`, text.slice(0, 300)];
        if (unchanged && (await currentScript(control.port, auth)) !== before)
          return [`${name} changed the script`, ''];
        if (status >= 500) return [`${name} answered ${status}`, text.slice(0, 300)];
        if (
          !(await answers(
            control.port,
            '/__probekit/journal?limit=1',
            token ? `X-Probekit-Token: ${token}\r\n` : '',
          ))
        )
          return ['no answer after', name];
        return undefined;
      }),
    );
  const write = { 'Content-Type': 'application/json', ...auth };
  expect('foreign Origin GET', { headers: { Origin: 'http://evil.example', ...auth } }, [403]);
  expect(
    'foreign Origin PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: { Origin: 'http://evil.example', ...write },
      body: '"503..."',
    },
    [403],
    { unchanged: true },
  );
  expect(
    'null Origin PUT',
    { method: 'PUT', path: '/__probekit/script', headers: { Origin: 'null', ...write }, body: '503...' },
    [403],
    { unchanged: true },
  );
  expect(
    'text/plain POST (a simple request)',
    {
      method: 'POST',
      path: '/__probekit/script',
      headers: { 'Content-Type': 'text/plain', ...auth },
      body: '503...',
    },
    [403],
    { unchanged: true },
  );
  expect(
    'form POST reset',
    {
      method: 'POST',
      path: '/__probekit/reset',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...auth },
      body: 'a=1',
    },
    [403],
  );
  expect('POST with no content type', { method: 'POST', path: '/__probekit/reset', headers: auth }, [403]);
  for (const name of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'evil.example:1', '']) {
    expect(
      `DNS-rebinding Host ${JSON.stringify(name)}`,
      {
        method: 'PUT',
        path: '/__probekit/script',
        headers: { Host: `${name}${name ? `:${control.port}` : ''}`, ...write },
        body: '503...',
      },
      [400, 403],
      { unchanged: true },
    );
  }
  expect('Host on another port', { headers: { Host: '127.0.0.1:1', ...auth } }, [403]);
  expect(
    '1 MiB PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: { 'Content-Type': 'text/plain', ...auth },
      body: `200, ${'503, '.repeat(200_000)}200`,
    },
    [413],
    { unchanged: true },
  );
  expect(
    '5,000-deep JSON PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: write,
      body: `${'['.repeat(5000)}${']'.repeat(5000)}`,
    },
    [400],
    { unchanged: true },
  );
  expect(
    '5,000-deep definition PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: write,
      body: `{"routes":[{"path":"*","script":[${'{"kind":"repeat","times":2,"item":'.repeat(5000)}{"kind":"hang"}${'}'.repeat(5000)}]}]}`,
    },
    [400, 413],
    { unchanged: true },
  );
  expect(
    'bad DSL PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: { 'Content-Type': 'text/plain', ...auth },
      body: '200, 503*',
    },
    [400],
    { unchanged: true },
  );
  expect(
    'JSON type, not JSON PUT',
    { method: 'PUT', path: '/__probekit/script', headers: write, body: '{"routes":' },
    [400],
    { unchanged: true },
  );
  expect(
    'non-UTF-8 PUT',
    {
      method: 'PUT',
      path: '/__probekit/script',
      headers: { 'Content-Type': 'text/plain', ...auth },
      body: Buffer.from([0xff, 0xfe, 0x32, 0x30, 0x30]),
    },
    [400],
    { unchanged: true },
  );
  for (const query of [
    'limit=0.5',
    'limit=-1',
    'limit=1e309',
    'limit=NaN',
    'limit=abc',
    'limit=99999999999999999999',
    'limit=',
    'since=-5',
    'since=1.5',
    'since=1e400',
    'since=%zz',
    `limit=${'9'.repeat(10000)}`,
  ]) {
    expect(`journal ?${query.slice(0, 30)}`, { path: `/__probekit/journal?${query}`, headers: auth }, [400]);
  }
  // A repeated parameter: the first one counts (URLSearchParams.get), or it is refused.
  expect(
    'journal ?limit=1&limit=2',
    { path: '/__probekit/journal?limit=1&limit=2', headers: auth },
    [200, 400],
  );
  for (const [method, path] of [
    ['DELETE', '/__probekit/script'],
    ['PATCH', '/__probekit/reset'],
    ['GET', '/__probekit/../../etc/passwd'],
    ['GET', '/__probekit/%2e%2e/x'],
    ['TRACE', '/__probekit/journal'],
    ['GET', `/__probekit/${'x'.repeat(8000)}`],
  ]) {
    expect(`${method} ${path.slice(0, 30)}`, { method, path, headers: auth }, [400, 403, 404, 405, 414, 431]);
  }
  if (token) {
    expect('no token', { path: '/__probekit/journal' }, [401]);
    expect(
      'wrong token',
      { path: '/__probekit/journal', headers: { 'X-Probekit-Token': `${token}x` } },
      [401],
    );
    expect('wrong bearer', { path: '/__probekit/journal', headers: { Authorization: 'Bearer nope' } }, [401]);
    expect(
      'token-less PUT',
      {
        method: 'PUT',
        path: '/__probekit/script',
        headers: { 'Content-Type': 'text/plain' },
        body: '503...',
      },
      [401],
      { unchanged: true },
    );
  }
  jobs.push(
    attack(`control API abuse${token ? ' (with --control-token)' : ''}`, async () => {
      // 200 journal reads at once.
      const all = await Promise.all(
        Array.from({ length: 200 }, () =>
          request(control.port, { path: '/__probekit/journal', headers: auth }),
        ),
      );
      const bad = all.filter((r) => r.status !== 200).length;
      return bad ? [`${bad} of 200 concurrent reads failed`, ''] : undefined;
    }),
  );
  return jobs;
}

// --- 2d: conformance --exec with hostile children -----------------------------------------------

const HOSTILE = [
  ['flood after a start line', 'echo start; yes true'],
  ['flood', 'yes true'],
  ['empty-line flood', 'while :; do echo; done'],
  ['binary output', 'head -c 5000000 /dev/urandom'],
  ['endless binary output', 'cat /dev/urandom'],
  ['one 10 MB line', "head -c 10000000 /dev/zero | tr '\\0' x"],
  ['never exits, never speaks', 'sleep 1000'],
  ['ignores SIGTERM', "trap '' TERM; sleep 1000"],
  ['exits at once', 'true'],
  ['exits 7 at once', 'exit 7'],
  ['kills itself', 'kill -9 $$'],
  ['kills its own process group', 'kill -TERM 0; sleep 5'],
  ['kills its own group hard', 'kill -KILL 0'],
  ['leaves a grandchild behind', 'sleep 1000 & echo bad; exit 0'],
  ['closes stdout, lives on', 'exec 1>&-; sleep 1000'],
  ['bad JSON line', 'echo "{\\"bad json"; sleep 1000'],
  ['stderr flood', 'yes err 1>&2'],
];
function execJobs() {
  const jobs = [];
  for (const [name, command] of HOSTILE) {
    jobs.push(
      attack('conformance checker --exec hostile children', async () => {
        const { verdict } = await runCommand(
          [
            'conformance',
            'checker',
            '--only',
            'all-200-true-every-probe',
            '--startup-timeout',
            '2s',
            '--exec',
            command,
          ],
          { boundMs: 40_000 },
        );
        return verdict ? [verdict[0], `${name}: ${verdict[1]}`] : undefined;
      }),
    );
    jobs.push(
      attack('conformance server --exec hostile children', async () => {
        const { verdict } = await runCommand(
          [
            'conformance',
            'server',
            '--only',
            'control-plane-strict-404-page',
            '--startup-timeout',
            '2s',
            '--exec',
            command,
          ],
          { boundMs: 40_000 },
        );
        return verdict ? [verdict[0], `${name}: ${verdict[1]}`] : undefined;
      }),
    );
  }
  return jobs;
}

// ---------------------------------------------------------------------------------------------

async function attacksCampaign() {
  const started = performance.now();
  const phases = {};
  const phase = async (name, work) => {
    const at = performance.now();
    await work();
    phases[name] = Math.round((performance.now() - at) / 100) / 10;
  };
  if (PARTS.has('cli')) await phase('cli', () => pool(cliJobs(), 3));
  if (PARTS.has('exec')) await phase('exec', () => pool(execJobs(), 2));
  if (!PARTS.has('http') && !PARTS.has('control'))
    return { seconds: (performance.now() - started) / 1000, phases };

  // The four servers start (and later stop) side by side.
  const [mock, serve, sidecar, tokenMock] = await Promise.all([
    startServer(['mock', '200, 503*2, 200...', '--path', '/healthz'], /http:\/\/127\.0\.0\.1:(\d+)/g, 2),
    startServer(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--ready', '--quiet'],
      /listening on http:\/\/127\.0\.0\.1:(\d+)/g,
    ),
    startServer(
      ['serve', '--flavour', 'sidecar', '--host', '127.0.0.1', '--port', '0', '--ready', '--quiet'],
      /listening on http:\/\/127\.0\.0\.1:(\d+)/g,
    ),
    startServer(['mock', '200', '--control-token', 'campaign-secret'], /http:\/\/127\.0\.0\.1:(\d+)/g, 2),
  ]);
  const targets = [
    { name: 'mock', out: mock.out, port: mock.ports[0], path: '/healthz' },
    { name: 'mock control API', out: mock.out, port: mock.ports[1], path: '/__probekit/journal?limit=1' },
    { name: 'serve control-plane', out: serve.out, port: serve.ports[0], path: '/healthz' },
    { name: 'serve sidecar', out: sidecar.out, port: sidecar.ports[0], path: '/v1.0/healthz' },
  ];
  const baselines = targets.map((t) => [socketCount(t.out.child.pid), peakKiB(t.out.child.pid)]);
  if (PARTS.has('http'))
    await phase('http', async () => {
      for (const target of targets) await pool(httpJobs(target), 1);
    });
  if (PARTS.has('control'))
    await phase('control', async () => {
      await pool(controlJobs({ port: mock.ports[1] }), 1);
      await pool(controlJobs({ port: tokenMock.ports[1] }, 'campaign-secret'), 1);
    });
  for (const [i, target] of targets.entries()) await serverHealth(target, ...baselines[i]);
  await Promise.all(
    [targets[0], targets[2], targets[3], { name: 'mock with token', out: tokenMock.out }].map(stopServer),
  );
  record('campaign: processes left running at the end', await noLeftovers(), '');
  return { seconds: (performance.now() - started) / 1000, phases };
}

const dsl = await fuzzScripts(PARTS.has('dsl') ? SCRIPTS : 0);
const processes = await attacksCampaign();
for (const child of live) child.kill('SIGKILL');

const rows = [...tally.entries()];
const total = rows.reduce(
  (sum, [, r]) => ({
    tried: sum.tried + r.tried,
    survived: sum.survived + r.survived,
    lost: sum.lost + r.lost,
  }),
  { tried: 0, survived: 0, lost: 0 },
);
const dslRows = rows.filter(([name]) => name.startsWith('dsl: ') && !name.includes('bound'));
const scripts = dslRows.reduce((sum, [, r]) => sum + r.tried, 0);
if (flags.json) {
  console.log(
    JSON.stringify(
      { scripts, attacks, total, dsl, processes, unhandled, rows: Object.fromEntries(rows) },
      null,
      2,
    ),
  );
} else {
  const width = Math.max(...rows.map(([name]) => name.length), 10);
  console.log(
    `${'what'.padEnd(width)}  ${'tried'.padStart(7)}  ${'survived'.padStart(8)}  ${'lost'.padStart(5)}`,
  );
  for (const [name, r] of rows)
    console.log(
      `${name.padEnd(width)}  ${String(r.tried).padStart(7)}  ${String(r.survived).padStart(8)}  ${String(r.lost).padStart(5)}`,
    );
  console.log(
    `${'total'.padEnd(width)}  ${String(total.tried).padStart(7)}  ${String(total.survived).padStart(8)}  ${String(total.lost).padStart(5)}`,
  );
  console.log(
    `\nDSL scripts: ${reached.refused} refused by the parser (each a ProbekitError), ${reached.parsed} parsed, round-tripped and compiled; ${reached.decided} requests decided, ${reached.transported} scripts through the transport; slowest script ${dsl.slowestMs} ms, longest ${dsl.longest.chars} characters in ${dsl.longest.ms} ms`,
  );
  console.log(
    `${scripts} fuzzed DSL scripts in ${dsl.seconds.toFixed(1)} s (rss +${dsl.rssGrowthMiB} MiB); ${attacks} attacks on processes in ${processes.seconds.toFixed(1)} s (${Object.entries(
      processes.phases,
    )
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}); seed ${flags.seed}`,
  );
  for (const [name, r] of rows) for (const example of r.examples) console.log(`LOST ${name}: ${example}`);
}
process.exit(total.lost > 0 ? 1 : 0);
