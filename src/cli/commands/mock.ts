import { readFile } from 'node:fs/promises';
import type { ControlAccess } from '../../endpoint/backends/server/control-api.js';
import { startMockServer } from '../../endpoint/backends/server/server.js';
import { ScriptSyntaxError } from '../../endpoint/script/dsl/syntax-error.js';
import { ANY_PATH, type EndpointDefinition, explain } from '../../endpoint/script/model.js';
import { toDefinition, validateDefinition } from '../../endpoint/script/schema.js';
import { ProbekitError } from '../../errors.js';
import { systemClock } from '../../time/clock.js';
import { parseCommandArgs } from '../args.js';
import { type CliIo, type Command, EXIT } from '../command.js';
import { readServerFlags, SERVER_TLS_OPTIONS } from '../server-flags.js';
import { loadServerTls, type ServerTlsFlags, type WrittenCa, writeCa } from '../tls-files.js';
import { checkWritable } from '../writable.js';

const HELP = `Usage: probekit mock "<script>" [options]
       probekit mock --config <file.json> [options]

Starts a flaky HTTP endpoint on 127.0.0.1 that plays a behaviour script, and prints its URL
on the first line of stdout. Ctrl-C (SIGINT) or SIGTERM stops it; the exit code is then 0.

Options:
  --port <n>           port to listen on (default 0: any free port)
  --host <address>     IP address to listen on (default 127.0.0.1; never a hostname)
  --path <path>        serve a script without paths on this path only (default: every path)
  --seed <n>           seed of the random choices and latencies (default 0; same seed, same decisions)
  --config <file>      read a JSON endpoint definition (its schema: schema/endpoint-script.schema.json
                       in the probekit package)
  --journal-size <n>   requests kept in the journal (default 10000; older ones are counted as dropped)
  --control <who>      who may use /__probekit/: loopback (default), any, or off
  --control-port <n>   port of the control API's own listener (default 0: any free port)
  --control-token <t>  require this token on control requests (or PROBEKIT_CONTROL_TOKEN)
  --tls                serve HTTPS with a CA and a certificate made at start-up for 127.0.0.1,
                       ::1 and localhost; the CA certificate goes to a temp file (removed on exit)
  --cert <file>        serve HTTPS with this certificate (PEM; with --key, implies --tls)
  --key <file>         the private key of --cert (PEM)
  --ca-out <file>      with --tls: write the CA certificate here (kept) instead of a temp file
  --verbose            print every request and the decision as it happens
  -h, --help           show this help

The script DSL (full grammar: docs/dsl.md in the probekit package):
  200                      answer 200               503*3           three 503s
  hang                     never answer             200...          200 forever
  reset                    TCP reset                (200, 503)...   alternate forever
  close                    close, no response       200, 503, cycle start over when done
  malformed                garbage bytes            200, 503, end   500 once the script runs out
  refuse 2s                nobody listening for 2s  (200@9 | 503)   random: 90% 200, 10% 503
  slow-headers 200 over 2s dribble the head         slow-body 200 "abc" over 2s  dribble the body
  delay 120ms then 503     answer after 120ms       delay 50ms..150ms then 200   random delay
  delay normal(100ms, 20ms) then 200                delay exp(100ms) then 200
  204 [retry-after="5"] "body"                      a status with headers and a body
  down from 30s until 90s [as refuse]               a time window (default 503)
  up 10s, down 5s [as hang]                         flapping (default 503)
  /healthz: 200...; /v1.0/healthz: 204...           one script per path
Steps are separated by "," or "then". When a script runs out its last step repeats
(unless it ends with cycle or end). Durations: 120 (ms), 120ms, 1.5s, 2m.

Control API (loopback clients only by default; not journalled), on its own port (printed at
start; it keeps listening while the script refuses) and on the endpoint's port:
  GET  /__probekit/journal[?since=I&limit=N]   PUT /__probekit/script (DSL text or JSON)
  GET  /__probekit/script                      POST /__probekit/reset (with -H "X-Probekit: 1")
Requests from web pages (a foreign Origin, a Host that is not an IP or localhost) are refused.

Examples:
  probekit mock "200*2, 503*3, hang, 200..." --port 8080 --path /healthz
  probekit mock "200..." --tls --ca-out ca.pem    then: probekit check https://127.0.0.1:<port>/ --ca ca.pem
  probekit mock "(200@9 | 503@1)..., down from 30s until 1m as refuse" --seed 42 --verbose`;

function usage(message: string): ProbekitError {
  return new ProbekitError('ERR_PROBEKIT_USAGE', `${message} See "probekit mock --help".`);
}

async function loadDefinition(
  script: string | undefined,
  config: string | undefined,
): Promise<EndpointDefinition> {
  if ((script === undefined) === (config === undefined)) {
    throw usage(
      script === undefined
        ? 'Failed to read the arguments of "probekit mock": give a script, or --config <file>.'
        : 'Failed to read the arguments of "probekit mock": give a script or --config <file>, not both.',
    );
  }
  if (script !== undefined) return toDefinition(script);
  let text: string;
  try {
    text = await readFile(config as string, 'utf8');
  } catch (error) {
    throw usage(`Failed to read --config ${JSON.stringify(config)}: ${(error as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw usage(
      `Failed to read --config ${JSON.stringify(config)}: it is not valid JSON (${(error as Error).message}).`,
    );
  }
  return validateDefinition(json);
}

function onPath(definition: EndpointDefinition, path: string | undefined): EndpointDefinition {
  if (path === undefined) return definition;
  const [only, ...more] = definition.routes;
  if (only === undefined || more.length > 0 || only.path !== ANY_PATH) {
    throw usage(
      'Failed to use --path: the script already names its paths. Drop --path, or the paths in the script.',
    );
  }
  try {
    return validateDefinition({ routes: [{ ...only, path }] });
  } catch {
    throw usage(
      `Failed to use --path ${JSON.stringify(path)}: it is not a path. Write it like --path /healthz.`,
    );
  }
}

function seconds(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** What a `probekit mock` command line asks for, read and checked before anything runs. */
export interface MockArgs {
  readonly script: string | undefined;
  readonly config: string | undefined;
  readonly path: string | undefined;
  readonly port: number | undefined;
  readonly host: string | undefined;
  readonly seed: number;
  readonly journalSize: number | undefined;
  readonly control: ControlAccess;
  readonly controlPort: number | undefined;
  readonly controlToken: string | undefined;
  readonly tls: ServerTlsFlags | undefined;
  readonly verbose: boolean;
}

/**
 * Reads and checks the flags of `probekit mock` without reading a file or listening: every
 * bad flag or value is an `ERR_PROBEKIT_USAGE` here (the script is checked when it is loaded).
 *
 * @example
 * readMockArgs(['200*2, 503...', '--port', '8080'], process.env).port; // 8080
 */
export function readMockArgs(args: string[], env: NodeJS.ProcessEnv): MockArgs {
  const { values, positionals } = parseCommandArgs('mock', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string' },
    seed: { type: 'string' },
    config: { type: 'string' },
    'journal-size': { type: 'string' },
    control: { type: 'string' },
    'control-port': { type: 'string' },
    'control-token': { type: 'string' },
    ...SERVER_TLS_OPTIONS,
    verbose: { type: 'boolean' },
  });
  if (positionals.length > 1) {
    throw usage(
      `Failed to read the arguments of "probekit mock": expected one script, got ${positionals.length} (quote the script: "200*2, 503...").`,
    );
  }
  const server = readServerFlags(values, env, 'See "probekit mock --help".');
  return {
    script: positionals[0],
    config: values.config as string | undefined,
    path: values.path as string | undefined,
    ...server,
    verbose: values.verbose === true,
  };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const {
    script,
    config,
    path,
    port,
    host,
    seed,
    journalSize,
    control,
    controlPort,
    controlToken,
    tls,
    verbose,
  } = readMockArgs(args, io.env);
  await checkWritable('ca-out', tls?.caOut);
  let definition: EndpointDefinition;
  try {
    definition = onPath(await loadDefinition(script, config), path);
  } catch (error) {
    if (error instanceof ScriptSyntaxError) {
      io.stderr.write(`probekit: ${error.message}\n${error.excerpt}\n`);
      return EXIT.usage;
    }
    if (error instanceof ProbekitError && error.code === 'ERR_PROBEKIT_INVALID_SCRIPT') {
      throw new ProbekitError('ERR_PROBEKIT_USAGE', error.message);
    }
    throw error;
  }
  const server = await startMockServer(definition, {
    port,
    host,
    seed,
    journalSize,
    control,
    clock: systemClock,
    // Kept by the server, so a script PUT later without paths is served on --path too.
    path,
    controlPort,
    controlToken,
    tls: await loadServerTls(tls),
  });
  let ca: WrittenCa | undefined;
  try {
    if (tls !== undefined && tls.certFile === undefined && server.ca !== undefined)
      ca = await writeCa(server.ca, tls.caOut);
  } catch (error) {
    await server.close();
    throw error;
  }
  const routes = definition.routes;
  const only = routes.length === 1 ? (routes[0] as { path: string }).path : undefined;
  io.stdout.write(`${server.url}${only && only !== ANY_PATH ? only : ''}\n`);
  io.stderr.write(
    `probekit mock: ${explain(definition)} (seed ${seed})\n` +
      (control === 'off'
        ? ''
        : `probekit mock: control API at ${server.controlUrl}/__probekit/ (journal, script, reset${controlToken === undefined ? '' : '; token required'})\n`) +
      (ca === undefined
        ? ''
        : `probekit mock: CA certificate written to ${ca.path}${tls?.caOut === undefined ? ' (removed on exit)' : ''}; trust it with probekit check --ca ${ca.path} (curl --cacert ${ca.path})\n`),
  );
  const started = systemClock.now;
  const unsubscribe = verbose
    ? server.journal.subscribe((entry) => {
        io.stdout.write(
          `${seconds(entry.time - started)} #${entry.index} ${entry.method} ${entry.path} → ${entry.explain}\n`,
        );
      })
    : undefined;
  await waitForAbort(io.signal);
  unsubscribe?.();
  await server.close();
  await ca?.remove();
  // `recorded` counts across resets (`total` restarts at 0 with the journal).
  const served = server.journal.recorded;
  io.stderr.write(
    `probekit mock: stopped after ${served} request${served === 1 ? '' : 's'} (seed ${seed})\n`,
  );
  return EXIT.ok;
}

/**
 * `probekit mock`: a flaky endpoint on a real socket.
 *
 * @example
 * await main(['mock', '200*2, 503...', '--path', '/healthz']);
 */
export const mockCommand: Command = {
  name: 'mock',
  summary: 'serve a flaky HTTP endpoint that plays a behaviour script',
  help: HELP,
  run,
};
