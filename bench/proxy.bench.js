// Requests/s of probekit's fault proxy (`startFaultProxy(upstream, 'pass...')`, journal on)
// against a bare node:http reverse proxy doing the same forwarding (keep-alive agent, at most 64
// upstream sockets, hop-by-hop headers dropped, Host and x-forwarded-host set, a request body
// piped, a bodyless request ended at once, the response body streamed by hand with backpressure:
// the same forwarding code as the fault proxy's, so the ratio is the cost of what probekit adds
// (the script, the journal, the upstream timeout)), in the same run. Issue 14's target: at
// least 0.9.
//
//   npm run build && node bench/proxy.bench.js
//
// Each side runs in its own child process on CPU 0 (taskset -c 0) with its own upstream (the
// same bare node:http service answering 200 "ok\n") in that process, so the upstream's cost is
// in both; each load run is a fresh wrk process on CPU 1 (one thread; autocannon when wrk cannot
// be had), keep-alive GET /healthz for BENCH_SECONDS. wrk rather than autocannon: it needs about
// a fifth of its core here, so the proxies' core sets the pace. Rounds alternate which side goes
// first; runs that other processes disturbed are measured again (the machine is shared). Before
// measuring, both proxies must answer byte-identical responses (Date masked). Loopback only.
//
// Environment: BENCH_ROUNDS (10), BENCH_SECONDS (3 per run), BENCH_REQUESTS (a request count per
// run instead, with autocannon: wrk cannot stop after a count), BENCH_WARMUP_SECONDS (1),
// BENCH_CONNECTIONS (10).

import http from 'node:http';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import {
  compareServers,
  failOnErrors,
  intEnv,
  printComparison,
  rawExchange,
  startBareServer,
} from './lib/index.js';

const SELF = fileURLToPath(import.meta.url);

/** The service behind both proxies. */
function startUpstream() {
  return startBareServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end('ok\n');
  });
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** The baseline: the least node:http reverse proxy that forwards the same way. */
export async function startBareProxy() {
  const upstream = await startUpstream();
  const target = new URL(upstream.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = await startBareServer((req, res) => {
    const headers = endToEnd(req.headers);
    headers.host = target.host;
    if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
    const outgoing = http.request(
      { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
        // Streamed by hand, as the fault proxy does (cheaper than pipe()).
        upstreamRes.on('data', (chunk) => {
          if (!res.write(chunk)) {
            upstreamRes.pause();
            res.once('drain', () => upstreamRes.resume());
          }
        });
        upstreamRes.on('end', () => res.end());
      },
    );
    outgoing.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    // A request with no Content-Length or Transfer-Encoding has no body: ended at once.
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)
      req.pipe(outgoing);
    else outgoing.end();
  });
  return {
    url: proxy.url,
    close: async () => {
      await proxy.close();
      agent.destroy();
      await upstream.close();
    },
  };
}

/** The candidate: the fault proxy as users run it, passing everything, journal on. */
export async function startFaultProxyPassing() {
  const { startFaultProxy } = await import('../dist/index.js');
  const upstream = await startUpstream();
  const proxy = await startFaultProxy(upstream.url, 'pass...');
  return {
    url: proxy.url,
    close: async () => {
      await proxy.close();
      await upstream.close();
    },
  };
}

/**
 * Both proxies answer a keep-alive GET /healthz with the same bytes. Like the shared
 * sameFirstResponse(), but the Date mask is case-insensitive: a proxy forwards the upstream's
 * lower-case `date` header.
 */
async function sameFirstResponse(starters) {
  const request =
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
  const answers = [];
  for (const start of starters) {
    const server = await start();
    try {
      const raw = await rawExchange(server.url, request);
      answers.push(raw.slice(0, raw.indexOf('\r\n\r\n') + 4).replace(/^date: .*$/im, 'date: <date>'));
    } finally {
      await server.close();
    }
  }
  if (answers.some((answer) => answer !== answers[0]))
    throw new Error(`the proxies answer differently:\n${answers.map((a) => JSON.stringify(a)).join('\n')}`);
  return answers[0];
}

async function main() {
  const rounds = intEnv('BENCH_ROUNDS', 10);
  const load = {
    path: '/healthz',
    connections: intEnv('BENCH_CONNECTIONS', 10),
    pipelining: 1,
    ...(process.env.BENCH_REQUESTS === undefined
      ? { duration: intEnv('BENCH_SECONDS', 3) }
      : { amount: intEnv('BENCH_REQUESTS', 20_000) }),
    warmup: intEnv('BENCH_WARMUP_SECONDS', 1),
  };
  const bytes = await sameFirstResponse([startBareProxy, startFaultProxyPassing]);
  console.log(`Both proxies answer a keep-alive GET /healthz with: ${JSON.stringify(bytes)}`);
  const result = await compareServers({
    baseline: { name: 'bare node:http reverse proxy', module: SELF, export: 'startBareProxy' },
    candidate: {
      name: "probekit proxy ('pass...', journal on)",
      module: SELF,
      export: 'startFaultProxyPassing',
    },
    rounds,
    load,
  });
  printComparison(result, { load, rounds, label: 'proxy', target: 0.9 });
  failOnErrors(result);
  if (process.argv.includes('--json'))
    console.log(JSON.stringify({ bench: 'proxy', load, rounds, bytes, result }));
}

if (process.argv[1] === SELF) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
