import { ProbekitError } from '../../errors.js';
import {
  createHealthzServer,
  createSidecarHealthz,
  type HealthzServer,
  type Logger,
  type SidecarHealthz,
} from '../../healthz/index.js';
import { type Clock, systemClock } from '../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../time/deadline.js';
import { formatDuration } from '../../time/duration.js';
import { durationFlag, integerFlag, parseCommandArgs } from '../args.js';
import { type CliIo, type Command, EXIT } from '../command.js';

const HELP = `Usage: probekit serve [options]

Serves one of Dapr's healthz endpoints with a readiness you control: for pointing a checker
at, and for driving from a test suite (see docs/serve-protocol.md).

Options (durations are Go-style: 5s, 150ms, 1m30s):
  --flavour <name>          control-plane (default): /healthz, 200 ready / 503 not ready
                            sidecar: /v1.0/healthz, 204 ready / 500 JSON not ready
                            (--flavor works too)
  --port <n>                port to listen on (default 8080; 0 picks a free one)
  --host <address>          address to bind (default 0.0.0.0, all IPv4 interfaces)
  --ready                   start ready (what Dapr's control-plane processes do)
  --not-ready               start not ready (the default, as Dapr's NewServer does)
  --ready-after <duration>  start not ready and become ready after <duration>; a command
                            or signal that arrives first cancels it
  --app-id <id>             sidecar only: answer 500 ERR_HEALTH_APPID_NOT_MATCH when a
                            non-empty ?appid= differs from <id>
  --outbound                sidecar only: also serve /v1.0/healthz/outbound (starts not ready)
  --api-token <token>       sidecar only: daprd's DAPR_API_TOKEN: requests whose URI lacks
                            /healthz need the header dapr-api-token: <token>, else 401
                            (default: $DAPR_API_TOKEN; prefer the variable, ps shows flags)
  --grace <duration>        how long shutdown waits for in-flight requests (default 5s)
  --quiet                   do not print the server's log lines on stderr
  -h, --help                show this help

While it runs:
  stdin      one command a line, each answered by one line on stdout:
               ready | not-ready                      → ok
               outbound-ready | outbound-not-ready    → ok (sidecar --outbound only)
               status                                 → ok ready|not-ready [outbound-ready|outbound-not-ready]
               anything else                          → error <reason>
             The change is in effect before "ok" is written. End of input changes nothing.
             A line longer than 4096 bytes is answered "error ..." at once and skipped
             up to its newline. While stdout is not read, stdin is not read either.
  SIGUSR1    ready          SIGUSR2    not ready
  SIGINT / SIGTERM          graceful shutdown, then exit code 0

Output:
  stdout     "listening on http://<host>:<port>" once bound, then the command answers
  stderr     Dapr's log lines ("Healthz server is listening on :8080", ...) and readiness changes

Exit codes: 0 after a graceful shutdown, 1 when it cannot listen (e.g. the port is in use),
2 for bad flags.

Examples:
  probekit serve --port 8080 --ready-after 3s
  probekit serve --flavour sidecar --port 3500 --outbound --app-id orders
  DAPR_API_TOKEN=s3cret probekit serve --flavour sidecar --port 3500`;

/**
 * The longest stdin line `serve` keeps (commands are a few bytes; this bounds the memory a
 * driver sending one endless line can take).
 */
const MAX_LINE_BYTES = 4096;

const NEWLINE = 0x0a;

interface CommandLineHandlers {
  maxLineBytes: number;
  /** Answers one line (without its newline); `undefined` writes nothing. */
  onLine(line: string): string | undefined;
  /** Answers a line that grew past `maxLineBytes`, once, as soon as it does. */
  onOverflow(): string;
}

/**
 * Reads stdin as lines and writes each answer to stdout, in memory bounded by
 * `maxLineBytes` plus one stdin chunk: a longer line is answered at once and skipped up to its
 * newline, and when stdout is not being read (a write returns false) stdin is paused until
 * stdout drains, so unread answers cannot pile up. Pausing rather than dropping answers keeps
 * the protocol's one answer per command; the driver's own pipe fills instead. (readline keeps
 * a line of any length, and split2 skips long lines without a word, so neither fits.)
 * Returns the function that stops reading.
 */
function readCommandLines(io: CliIo, handlers: CommandLineHandlers): () => void {
  const { stdin, stdout } = io;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let discarding = false;
  let rest: Buffer | undefined;
  let blocked = false;
  let ended = false;
  let stopped = false;

  const write = (text: string | undefined) => {
    if (text === undefined || stopped) return;
    if (!stdout.write(text) && !blocked) {
      blocked = true;
      stdout.once('drain', onDrain);
    }
  };
  const take = (piece: Buffer) => {
    if (discarding) return;
    if (partialBytes + piece.length > handlers.maxLineBytes) {
      partial = [];
      partialBytes = 0;
      discarding = true;
      write(handlers.onOverflow());
      return;
    }
    // A copy: a slice would keep its whole stdin chunk alive while the line grows.
    partial.push(Buffer.from(piece));
    partialBytes += piece.length;
  };
  const endLine = () => {
    const line = discarding ? undefined : Buffer.concat(partial, partialBytes).toString('utf8');
    partial = [];
    partialBytes = 0;
    discarding = false;
    if (line !== undefined) write(handlers.onLine(line));
  };
  const pump = () => {
    while (rest !== undefined && !blocked && !stopped) {
      const newline = rest.indexOf(NEWLINE);
      if (newline < 0) {
        take(rest);
        rest = undefined;
        break;
      }
      take(rest.subarray(0, newline));
      rest = newline + 1 < rest.length ? rest.subarray(newline + 1) : undefined;
      endLine();
    }
    if (blocked || stopped) return;
    // A last line without a newline still counts, as it did with readline.
    if (ended && (partialBytes > 0 || discarding)) endLine();
    else if (!ended) stdin.resume();
  };
  function onDrain() {
    blocked = false;
    pump();
  }
  const onData = (chunk: Buffer | string) => {
    rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    pump();
    if (blocked) stdin.pause();
  };
  const onEnd = () => {
    ended = true;
    if (!blocked) pump();
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  return () => {
    stopped = true;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdout.off('drain', onDrain);
    // A paused stdin no longer keeps the process alive.
    stdin.pause();
  };
}

/**
 * What `serve` listens to besides stdin; the process by default, an EventEmitter in tests.
 *
 * @example
 * const signals: SignalSource = new EventEmitter();
 */
export interface SignalSource {
  on(event: 'SIGUSR1' | 'SIGUSR2', listener: () => void): unknown;
  off(event: 'SIGUSR1' | 'SIGUSR2', listener: () => void): unknown;
}

/**
 * Injectable pieces of `probekit serve`.
 *
 * @example
 * createServeCommand({ clock: FakeTimers.createClock(0), signals: new EventEmitter() });
 */
export interface ServeDependencies {
  /** Clock for `--ready-after` and the shutdown grace. Default: the system clock. */
  clock?: Clock;
  /** Where SIGUSR1/SIGUSR2 come from. Default: the process. */
  signals?: SignalSource;
}

interface ServeSettings {
  flavour: 'control-plane' | 'sidecar';
  port: number;
  host: string;
  startReady: boolean;
  readyAfter: number | undefined;
  appId: string | undefined;
  outbound: boolean;
  apiToken: string | undefined;
  grace: number;
  quiet: boolean;
}

function usage(reason: string): ProbekitError {
  return new ProbekitError(
    'ERR_PROBEKIT_USAGE',
    `Failed to read the arguments of "probekit serve": ${reason}. See "probekit serve --help".`,
  );
}

function readSettings(args: string[], env: NodeJS.ProcessEnv): ServeSettings {
  const { values, positionals } = parseCommandArgs('serve', args, {
    flavour: { type: 'string' },
    flavor: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    ready: { type: 'boolean' },
    'not-ready': { type: 'boolean' },
    'ready-after': { type: 'string' },
    'app-id': { type: 'string' },
    outbound: { type: 'boolean' },
    'api-token': { type: 'string' },
    grace: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const flavour = (values.flavour ?? values.flavor ?? 'control-plane') as string;
  if (flavour !== 'control-plane' && flavour !== 'sidecar') {
    throw usage(`--flavour ${JSON.stringify(flavour)} is not control-plane or sidecar`);
  }
  const port = integerFlag('port', values.port as string | undefined) ?? 8080;
  if (port < 0 || port > 65535) throw usage(`--port ${port} is not a port number (0 to 65535)`);
  const host = (values.host as string | undefined) ?? '0.0.0.0';
  if (host.trim() === '') throw usage('--host is empty');
  const startStates = [values.ready, values['not-ready'], values['ready-after'] !== undefined].filter(
    Boolean,
  );
  if (startStates.length > 1) throw usage('--ready, --not-ready and --ready-after exclude each other');
  const appId = values['app-id'] as string | undefined;
  const outbound = values.outbound === true;
  const tokenFlag = values['api-token'] as string | undefined;
  const sidecarOnly = [
    appId !== undefined && '--app-id',
    outbound && '--outbound',
    tokenFlag !== undefined && '--api-token',
  ].find(Boolean);
  if (flavour !== 'sidecar' && sidecarOnly) throw usage(`${sidecarOnly} needs --flavour sidecar`);
  if (tokenFlag === '') throw usage('--api-token is empty (leave it out to serve without a token)');
  return {
    flavour,
    port,
    host,
    startReady: values.ready === true,
    readyAfter: durationFlag('ready-after', values['ready-after'] as string | undefined),
    appId,
    outbound,
    // daprd reads DAPR_API_TOKEN; an empty one means no token there too. The control plane
    // has no token check, so the variable is ignored for it.
    apiToken: flavour === 'sidecar' ? (tokenFlag ?? (env.DAPR_API_TOKEN || undefined)) : undefined,
    grace: durationFlag('grace', values.grace as string | undefined) ?? 5000,
    quiet: values.quiet === true,
  };
}

function lineLogger(io: CliIo, quiet: boolean): Logger {
  return {
    info: (message) => {
      if (!quiet) io.stderr.write(`${message}\n`);
    },
    error: (message) => io.stderr.write(`${message}\n`),
  };
}

/**
 * Builds the `probekit serve` command; the default export uses the system clock and the
 * process's signals.
 *
 * @example
 * const serve = createServeCommand({ clock: FakeTimers.createClock(0), signals: new EventEmitter() });
 * await serve.run(['--port', '0', '--host', '127.0.0.1'], io);
 */
export function createServeCommand(dependencies: ServeDependencies = {}): Command {
  const clock = dependencies.clock ?? systemClock;
  return {
    name: 'serve',
    summary: "serve Dapr's /healthz or /v1.0/healthz with readiness driven by stdin or signals",
    help: HELP,
    async run(args, io) {
      const settings = readSettings(args, io.env);
      const signals = dependencies.signals ?? process;
      const logger = lineLogger(io, settings.quiet);
      const common = {
        logger,
        clock,
        shutdownGrace: Math.round(settings.grace),
        onListening: ({ url }: { url: string }) => io.stdout.write(`listening on ${url}\n`),
      };
      const sidecar: SidecarHealthz | undefined =
        settings.flavour === 'sidecar'
          ? createSidecarHealthz({
              ...common,
              appId: settings.appId,
              outbound: settings.outbound,
              apiToken: settings.apiToken,
            })
          : undefined;
      const server: HealthzServer = sidecar ?? createHealthzServer(common);
      if (settings.startReady) server.ready();

      let pending: DeadlineTimer | undefined;
      const takeControl = () => {
        pending?.cancel();
        pending = undefined;
      };
      const announce = (change: string) => logger.info(`readiness → ${change}`);
      if (settings.readyAfter !== undefined) {
        const after = formatDuration(settings.readyAfter);
        pending = atDeadline(clock, clock.now + settings.readyAfter, () => {
          pending = undefined;
          server.ready();
          announce(`ready (after ${after})`);
        });
      }

      const commands: Record<string, () => string> = {
        ready: () => {
          takeControl();
          server.ready();
          return 'ok';
        },
        'not-ready': () => {
          takeControl();
          server.notReady();
          return 'ok';
        },
        status: () => {
          const main = server.isReady ? 'ready' : 'not-ready';
          if (!sidecar || !settings.outbound) return `ok ${main}`;
          return `ok ${main} ${sidecar.isOutboundReady ? 'outbound-ready' : 'outbound-not-ready'}`;
        },
      };
      if (sidecar && settings.outbound) {
        commands['outbound-ready'] = () => {
          sidecar.outboundReady();
          return 'ok';
        };
        commands['outbound-not-ready'] = () => {
          sidecar.outboundNotReady();
          return 'ok';
        };
      }
      const answer = (line: string): string => {
        const command = line.trim();
        const apply = Object.hasOwn(commands, command) ? commands[command] : undefined;
        return apply
          ? `${apply()}\n`
          : `error unknown command ${JSON.stringify(command)}: expected one of ${Object.keys(commands).join(', ')}\n`;
      };
      const stopReading = readCommandLines(io, {
        maxLineBytes: MAX_LINE_BYTES,
        onLine: (line) => (line.trim() === '' ? undefined : answer(line)),
        onOverflow: () => `error line longer than ${MAX_LINE_BYTES} bytes: ignored up to the next newline\n`,
      });

      const onUsr1 = () => {
        takeControl();
        server.ready();
        announce('ready (SIGUSR1)');
      };
      const onUsr2 = () => {
        takeControl();
        server.notReady();
        announce('not ready (SIGUSR2)');
      };
      signals.on('SIGUSR1', onUsr1);
      signals.on('SIGUSR2', onUsr2);
      try {
        await server.run(io.signal, settings.port, settings.host);
        return EXIT.ok;
      } finally {
        takeControl();
        signals.off('SIGUSR1', onUsr1);
        signals.off('SIGUSR2', onUsr2);
        stopReading();
      }
    },
  };
}

/**
 * `probekit serve`, on the system clock and the process's signals.
 *
 * @example
 * export const COMMANDS = [checkCommand, serveCommand];
 */
export const serveCommand: Command = createServeCommand();
