import { DEFAULT_UPSTREAM_TIMEOUT_MS, startFaultProxy } from '../../endpoint/backends/proxy/fault-proxy.js';
import { parseUpstream } from '../../endpoint/backends/proxy/upstream.js';
import type { ControlAccess } from '../../endpoint/backends/server/control-api.js';
import { ScriptSyntaxError } from '../../endpoint/script/dsl/syntax-error.js';
import { type EndpointDefinition, explain } from '../../endpoint/script/model.js';
import { toDefinition } from '../../endpoint/script/schema.js';
import { ProbekitError } from '../../errors.js';
import { systemClock } from '../../time/clock.js';
import { durationFlag, parseCommandArgs, rangeFlag } from '../args.js';
import { type CliIo, type Command, EXIT } from '../command.js';
import { readServerFlags, SERVER_TLS_OPTIONS } from '../server-flags.js';
import { loadServerTls, readCaFile, type ServerTlsFlags, type WrittenCa, writeCa } from '../tls-files.js';
import { checkWritable } from '../writable.js';

const HELP = `Usage: probekit proxy <upstream-url> "<script>" [options]

Starts a fault-injecting reverse proxy on 127.0.0.1 in front of a real HTTP(S) service, and prints
its URL on the first line of stdout. The script decides, request by request, what happens: the
step "pass" forwards the request to the upstream and answers with its response (status, headers,
streamed body); any other step (503, reset, hang, refuse 2s, …) answers in its place. Ctrl-C
(SIGINT) or SIGTERM stops it; the exit code is then 0.

Options:
  --port <n>              port to listen on (default 0: any free port)
  --host <address>        IP address to listen on (default 127.0.0.1; never a hostname)
  --seed <n>              seed of the random choices and latencies (default 0; same seed, same decisions)
  --upstream-timeout <d>  answer 504 when the upstream sends no response head in time (default 30s)
  --bandwidth-down <n>    pace response bodies to the client at n bytes/s (default: unpaced)
  --bandwidth-up <n>      pace request bodies to the upstream at n bytes/s (default: unpaced)
  --limit-data <n>        cut the client's connection after n bytes of a response body
  --journal-size <n>      requests kept in the journal (default 10000)
  --control <who>         who may use /__probekit/: loopback (default), any, or off
  --control-port <n>      port of the control API's own listener (default 0: any free port)
  --control-token <t>     require this token on control requests (or PROBEKIT_CONTROL_TOKEN)
  --tls                   serve HTTPS with a CA and a certificate made at start-up for 127.0.0.1,
                          ::1 and localhost; the CA certificate goes to a temp file (removed on exit)
  --cert <file>           serve HTTPS with this certificate (PEM; with --key, implies --tls)
  --key <file>            the private key of --cert (PEM)
  --ca-out <file>         with --tls: write the CA certificate here (kept) instead of a temp file
  --upstream-ca <file>    trust this CA certificate (PEM) for an https:// upstream
  --upstream-insecure     accept any certificate from an https:// upstream
  --verbose               print every request and the decision as it happens
  -h, --help              show this help

The upstream is an http:// or https:// URL on an IP address (localhost means 127.0.0.1; no name
is resolved), without a path: each request keeps its own path. An upstream that refuses or resets
answers 502, one that sends nothing within --upstream-timeout answers 504, each with a body that
says so and an entry in the journal; so does an https:// upstream whose certificate fails
verification (journalled as tls:unknown-ca, tls:wrong-host, …).

pass and what composes with it (the rest of the script language: probekit mock --help, docs/dsl.md):
  pass                     the upstream's answer    pass*2, 503, reset, pass...
  delay 200ms then pass    the upstream's answer, 200 ms late
  slow-body pass over 2s   the upstream's body, dribbled over 2 s
  pass [status=503]        the upstream's answer with its status replaced
  pass..., up 10s, down 5s as reset    flapping: the upstream for 10 s, resets for 5 s

Examples:
  probekit proxy http://127.0.0.1:8080 "pass*2, 503, reset, pass..." --port 9090
  probekit proxy http://127.0.0.1:3500 "(pass@9 | 503@1)..., down from 30s until 1m as refuse" --seed 42`;

function usage(message: string): ProbekitError {
  return new ProbekitError('ERR_PROBEKIT_USAGE', `${message} See "probekit proxy --help".`);
}

/** What a `probekit proxy` command line asks for, read and checked before anything runs. */
export interface ProxyArgs {
  readonly upstream: string;
  readonly script: string;
  readonly port: number | undefined;
  readonly host: string | undefined;
  readonly seed: number;
  readonly upstreamTimeoutMs: number;
  readonly bandwidth: { readonly up?: number; readonly down?: number } | undefined;
  readonly limitData: number | undefined;
  readonly journalSize: number | undefined;
  readonly control: ControlAccess;
  readonly controlPort: number | undefined;
  readonly controlToken: string | undefined;
  readonly tls: ServerTlsFlags | undefined;
  /** `--upstream-ca FILE` (read when the proxy starts). */
  readonly upstreamCaFile: string | undefined;
  readonly upstreamInsecure: boolean;
  readonly verbose: boolean;
}

/**
 * Reads and checks the arguments of `probekit proxy` without listening: every bad flag or value
 * is an `ERR_PROBEKIT_USAGE` (exit 2) naming it; the script is checked when it is loaded.
 *
 * @example
 * readProxyArgs(['http://127.0.0.1:8080', 'pass*2, 503, pass...', '--port', '9090'], process.env).port; // 9090
 */
export function readProxyArgs(args: string[], env: NodeJS.ProcessEnv): ProxyArgs {
  const { values, positionals } = parseCommandArgs('proxy', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'upstream-timeout': { type: 'string' },
    'bandwidth-up': { type: 'string' },
    'bandwidth-down': { type: 'string' },
    'limit-data': { type: 'string' },
    'journal-size': { type: 'string' },
    control: { type: 'string' },
    'control-port': { type: 'string' },
    'control-token': { type: 'string' },
    ...SERVER_TLS_OPTIONS,
    'upstream-ca': { type: 'string' },
    'upstream-insecure': { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (positionals.length !== 2) {
    throw usage(
      `Failed to read the arguments of "probekit proxy": expected the upstream URL and one script, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'} (quote the script: "pass*2, 503, pass...").`,
    );
  }
  const [upstream, script] = positionals as [string, string];
  try {
    parseUpstream(upstream);
  } catch (error) {
    throw usage((error as Error).message);
  }
  const server = readServerFlags(values, env, 'See "probekit proxy --help".');
  const timeout = durationFlag('upstream-timeout', values['upstream-timeout'] as string | undefined);
  if (timeout !== undefined && timeout < 1) {
    throw usage(
      `Failed to read --upstream-timeout ${JSON.stringify(values['upstream-timeout'])}: it is shorter than 1 ms. Write it like --upstream-timeout 10s.`,
    );
  }
  const bytes = (flag: 'bandwidth-up' | 'bandwidth-down' | 'limit-data') =>
    rangeFlag(flag, values[flag] as string | undefined, 1, Number.MAX_SAFE_INTEGER, 'bytes');
  const up = bytes('bandwidth-up');
  const down = bytes('bandwidth-down');
  const limitData = bytes('limit-data');
  const upstreamCaFile = values['upstream-ca'] as string | undefined;
  const upstreamInsecure = values['upstream-insecure'] === true;
  if (upstreamCaFile !== undefined || upstreamInsecure) {
    const flag = upstreamCaFile !== undefined ? '--upstream-ca' : '--upstream-insecure';
    if (upstreamCaFile !== undefined && upstreamInsecure)
      throw usage(
        'Failed to use --upstream-ca with --upstream-insecure: one trusts a CA, the other trusts any certificate. Keep one.',
      );
    if (!upstream.startsWith('https:'))
      throw usage(
        `Failed to use ${flag}: the upstream ${JSON.stringify(upstream)} is not an https:// URL. Drop ${flag}, or write the upstream as https://.`,
      );
  }
  return {
    upstream,
    script,
    ...server,
    upstreamTimeoutMs: timeout ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    bandwidth:
      up === undefined && down === undefined
        ? undefined
        : { ...(up === undefined ? {} : { up }), ...(down === undefined ? {} : { down }) },
    limitData,
    upstreamCaFile,
    upstreamInsecure,
    verbose: values.verbose === true,
  };
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = readProxyArgs(args, io.env);
  await checkWritable('ca-out', options.tls?.caOut);
  let definition: EndpointDefinition;
  try {
    definition = toDefinition(options.script);
  } catch (error) {
    if (error instanceof ScriptSyntaxError) {
      io.stderr.write(`probekit: ${error.message}\n${error.excerpt}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const proxy = await startFaultProxy(options.upstream, definition, {
    port: options.port,
    host: options.host,
    seed: options.seed,
    journalSize: options.journalSize,
    control: options.control,
    controlPort: options.controlPort,
    controlToken: options.controlToken,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    bandwidth: options.bandwidth,
    limitData: options.limitData,
    clock: systemClock,
    tls: await loadServerTls(options.tls),
    upstreamCa:
      options.upstreamCaFile === undefined
        ? undefined
        : await readCaFile('--upstream-ca', options.upstreamCaFile),
    ...(options.upstreamInsecure ? { upstreamInsecure: true } : {}),
  });
  let ca: WrittenCa | undefined;
  try {
    if (options.tls !== undefined && options.tls.certFile === undefined && proxy.ca !== undefined)
      ca = await writeCa(proxy.ca, options.tls.caOut);
  } catch (error) {
    await proxy.close();
    throw error;
  }
  io.stdout.write(`${proxy.url}\n`);
  io.stderr.write(
    `probekit proxy: ${proxy.url} → ${proxy.upstream}: ${explain(definition)} (seed ${options.seed})\n` +
      (options.control === 'off'
        ? ''
        : `probekit proxy: control API at ${proxy.controlUrl}/__probekit/ (journal, script, reset${options.controlToken === undefined ? '' : '; token required'})\n`) +
      (ca === undefined
        ? ''
        : `probekit proxy: CA certificate written to ${ca.path}${options.tls?.caOut === undefined ? ' (removed on exit)' : ''}; trust it with probekit check --ca ${ca.path} (curl --cacert ${ca.path})\n`),
  );
  const started = systemClock.now;
  const unsubscribe = options.verbose
    ? proxy.journal.subscribe((entry) => {
        io.stdout.write(
          `+${((entry.time - started) / 1000).toFixed(3)}s #${entry.index} ${entry.method} ${entry.path} → ${entry.explain}\n`,
        );
      })
    : undefined;
  await waitForAbort(io.signal);
  unsubscribe?.();
  await proxy.close();
  await ca?.remove();
  const served = proxy.journal.recorded;
  io.stderr.write(
    `probekit proxy: stopped after ${served} request${served === 1 ? '' : 's'} (seed ${options.seed})\n`,
  );
  return EXIT.ok;
}

/**
 * `probekit proxy`: a fault-injecting reverse proxy in front of a real service.
 *
 * @example
 * await main(['proxy', 'http://127.0.0.1:8080', 'pass*2, 503, reset, pass...']);
 */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'put a fault-injecting proxy that plays a script in front of a real HTTP service',
  help: HELP,
  run,
};
