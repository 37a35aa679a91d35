import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeValue, ProbekitError } from '../errors.js';
import { atDeadline } from '../time/deadline.js';
import { goRequestRejection } from './go-request.js';
import { goRejection, writeGoRejection } from './go-response.js';
import type { ResolvedServerOptions } from './options.js';
import type { HealthzHandler, ListeningAddress } from './types.js';

/**
 * The request a connection is on: a parse error in the body of a request that was already
 * answered closes the connection without a second response, as in Go. (A symbol property
 * rather than a WeakMap: it is set on every request, on the hot path.)
 */
const CURRENT = Symbol('probekit.currentRequest');
/** Set once a request on the connection got one of Go's pre-handler rejections. */
const REJECTED = Symbol('probekit.rejected');
type Tracked = Duplex & { [CURRENT]?: IncomingMessage; [REJECTED]?: boolean };

/**
 * What {@link runHttpServer} needs: the resolved options plus one run's arguments.
 *
 * @example
 * const options: RunHttpServerOptions = { ...resolved, handler, signal, port: 0, host: '127.0.0.1', caller: 'healthz server', goParser: true };
 */
export interface RunHttpServerOptions extends ResolvedServerOptions {
  handler: HealthzHandler;
  signal: AbortSignal;
  port: number;
  host: string | undefined;
  /** Names the server in error messages ("healthz server", "sidecar healthz"). */
  caller: string;
  /**
   * Refuse what Go's request parser refuses and llhttp accepts (HTTP/0.9-shaped request
   * lines, Transfer-Encoding other than chunked): true for the control plane's Go server.
   */
  goParser: boolean;
}

/**
 * Serves `handler` until `signal` aborts, like Dapr's `Run(ctx, port)`, and resolves once the
 * shutdown is complete.
 *
 * Shutdown mirrors Go's `http.Server.Shutdown`: stop accepting, close idle keep-alive
 * connections at once, answer requests still arriving with `Connection: close`. Unlike Dapr
 * v1.0 (which returned at once and left them open), connections still open when the grace
 * ends are destroyed, so nothing outlives `run()`.
 *
 * @example
 * await runHttpServer({ ...resolveServerOptions('x', {}), handler, signal, port: 0, host: '127.0.0.1', caller: 'healthz server' });
 */
export function runHttpServer(options: RunHttpServerOptions): Promise<void> {
  const { signal, port, host, caller, logger } = options;
  const problem = checkArguments(signal, port, host);
  if (problem) {
    return Promise.reject(
      new ProbekitError('ERR_PROBEKIT_INVALID_OPTION', `Failed to run the ${caller}: ${problem}.`),
    );
  }
  if (signal.aborted) return Promise.resolve();

  return new Promise<void>((resolve, reject) => {
    let draining = false;
    const sockets = new Set<Socket>();
    const server = createServer(
      {
        headersTimeout: options.headersTimeout,
        requestTimeout: options.requestTimeout,
        keepAliveTimeout: options.keepAliveTimeout,
        connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(options.headersTimeout / 4))),
        // Go rejects a missing Host with its own words; see onRequest.
        requireHostHeader: false,
      },
      (req: IncomingMessage, res: ServerResponse) => {
        // Go's Shutdown turns keep-alives off: every response from now on says close.
        if (draining) res.shouldKeepAlive = false;
        const socket = req.socket as Tracked;
        socket[CURRENT] = req;
        const rejection = goRequestRejection(req, options.goParser);
        if (rejection) {
          // Go closes after these; Node may still report the body as bad (a refused
          // Transfer-Encoding), so let the answer flush instead of destroying it unsent.
          socket[REJECTED] = true;
          writeGoRejection(res, rejection.status, rejection.reason, rejection.body);
          return;
        }
        options.handler(req, res);
      },
    );
    // Node hands CONNECT to a 'connect' listener (without one it closes the socket unanswered);
    // Go routes it like any request. Answered through the same handler, then closed.
    server.on('connect', (req: IncomingMessage, socket: Duplex) => {
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => {
        res.detachSocket(socket as Socket);
        socket.end();
      });
      const rejection = goRequestRejection(req, options.goParser);
      if (rejection) writeGoRejection(res, rejection.status, rejection.reason, rejection.body);
      else options.handler(req, res);
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      const tracked = socket as Tracked;
      if (tracked[REJECTED]) socket.end(() => socket.destroy());
      else if (tracked[CURRENT]?.complete === false) socket.destroy();
      else onClientError(error, socket);
    });

    const shutdown = (failure?: unknown) => {
      logger.info('Healthz server is shutting down');
      draining = true;
      const grace = atDeadline(options.clock, options.clock.now + options.shutdownGrace, () => {
        for (const socket of sockets) socket.destroy();
      });
      server.close(() => {
        grace.cancel();
        if (failure === undefined) resolve();
        else reject(failure);
      });
    };

    const onListenError = (error: NodeJS.ErrnoException) => {
      const address = formatHostPort(host ?? '', port);
      if (error.code === 'EADDRINUSE') {
        logger.error(`Healthz server error: listen tcp ${address}: bind: address already in use`);
        reject(
          new ProbekitError(
            'ERR_PROBEKIT_PORT_IN_USE',
            `Failed to start the ${caller} on port ${port}: ${formatHostPort(host ?? '0.0.0.0', port)} is already in use. Stop the process that holds it or choose another port.`,
            { cause: error },
          ),
        );
      } else {
        logger.error(`Healthz server error: listen tcp ${address}: ${error.message}`);
        reject(
          new ProbekitError(
            'ERR_PROBEKIT_LISTEN',
            `Failed to start the ${caller} on ${formatHostPort(host ?? '0.0.0.0', port)}: ${error.message}. Check the host and port.`,
            { cause: error },
          ),
        );
      }
    };
    server.once('error', onListenError);

    server.listen({ port, host }, () => {
      server.off('error', onListenError);
      server.on('error', (error: Error) => logger.error(`Healthz server error: ${error.message}`));
      const bound = server.address() as AddressInfo;
      // Logged once bound, with the real port (Dapr logged the requested one just before binding).
      logger.info(`Healthz server is listening on :${bound.port}`);
      try {
        options.onListening?.(listeningAddress(bound));
      } catch (error) {
        shutdown(error);
        return;
      }
      if (signal.aborted) shutdown();
      else signal.addEventListener('abort', () => shutdown(), { once: true });
    });
  });
}

function checkArguments(signal: unknown, port: unknown, host: unknown): string | undefined {
  const maybeSignal = signal as AbortSignal | undefined;
  if (typeof maybeSignal?.aborted !== 'boolean' || typeof maybeSignal.addEventListener !== 'function') {
    return `the signal ${describeValue(signal)} is not an AbortSignal. Pass controller.signal from an AbortController`;
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return `the port ${describeValue(port)} is not a port number. Use a whole number from 0 to 65535 (0 picks a free port)`;
  }
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    return `the host ${describeValue(host)} is not a host name or address. Use e.g. "127.0.0.1", or leave it out for all interfaces`;
  }
  return undefined;
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function listeningAddress(bound: AddressInfo): ListeningAddress {
  return {
    host: bound.address,
    port: bound.port,
    url: `http://${formatHostPort(bound.address, bound.port)}`,
  };
}

/**
 * Bad bytes on the wire get Go's answers (400, 431, 501) and the connection is closed; read
 * timeouts and resets close it silently, as Go does. The process never goes down for them.
 */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const code = error.code;
  if (!socket.writable || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.destroy();
    return;
  }
  let response: string;
  if (code === 'HPE_HEADER_OVERFLOW') {
    response = goRejection('431 Request Header Fields Too Large');
  } else if (code === 'HPE_INVALID_TRANSFER_ENCODING') {
    response =
      'HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding';
  } else {
    response = goRejection('400 Bad Request');
  }
  socket.end(response, () => socket.destroy());
}
