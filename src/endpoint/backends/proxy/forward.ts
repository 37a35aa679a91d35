import {
  type Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../../../time/clock.js';
import { atDeadline } from '../../../time/deadline.js';
import { tlsFailureReason } from '../../../transport/outcome.js';
import type { Decision } from '../../engine/decision.js';
import type { Journal, JournalTicket } from '../../engine/journal.js';
import { dribble } from '../server/dribble.js';
import type { PassPerformer } from '../server/server.js';
import { type Throttle, throttle } from './throttle.js';
import type { Upstream } from './upstream.js';

/**
 * The most a `slow-body pass` buffers of the upstream's body before dribbling it: the whole body
 * must be known to spread it evenly over `over` ms. A longer body answers 502.
 *
 * @example
 * parseScript('slow-body pass over 2s'); // dribbles up to MAX_DRIBBLED_BODY bytes
 */
export const MAX_DRIBBLED_BODY = 16 * 1024 * 1024;

// Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's own, never forwarded either way.
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

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connection = headers.connection;
  // Headers named by `Connection` are hop-by-hop too; the usual values name none.
  const named =
    connection === undefined || connection === 'keep-alive' || connection === 'close'
      ? undefined
      : new Set(connection.split(',').map((name) => name.trim().toLowerCase()));
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Node's error codes as the journal names them (the transport's outcome kinds, `tls:<reason>`). */
function failureOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  const tls = tlsFailureReason(code);
  if (tls !== undefined) return `tls:${tls}`;
  return code ?? 'error';
}

/** Whether a request has a body at all: only `Content-Length` or `Transfer-Encoding` announce one (RFC 9112 §6.3). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

function bodyless(method: string | undefined, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** Options of {@link createForwarder}. */
export interface ForwarderOptions {
  readonly upstream: Upstream;
  readonly agent: Agent;
  readonly clock: Clock;
  /** The journal the upstream's status and time are noted in. */
  readonly journal: () => Journal;
  /** ms to wait for the upstream's response head before answering 504. */
  readonly timeoutMs: number;
  /** Paces the request body on its way to the upstream. */
  readonly up?: Throttle;
  /** Paces (and may cut) the response body on its way to the client. */
  readonly down?: Throttle;
}

/**
 * The fault proxy's `pass`: forwards the request (method, path, headers minus hop-by-hop ones,
 * streamed body) to the upstream with a keep-alive agent and answers with the upstream's status,
 * headers and streamed body (the status replaced when the step says so, the body dribbled for
 * `slow-body pass`). No answer from the upstream is a 502 (refused, reset, closed) or a 504 (no
 * head within `timeoutMs` on the proxy's clock), with a body that says so; a failure after the
 * head was sent can only cut the connection. The journal notes the upstream's status and time.
 *
 * @example
 * const pass = createForwarder({ upstream, agent, clock, journal: () => player.journal, timeoutMs: 30_000 });
 */
export function createForwarder(options: ForwarderOptions): PassPerformer {
  const { upstream, agent, clock } = options;
  // Worked out once, not per request.
  const hostHeader = `${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}`;
  const send = upstream.secure ? httpsRequest : httpRequest;
  return (req: IncomingMessage, res: ServerResponse, decision: Decision, ticket: JournalTicket, finish) => {
    const started = clock.now;
    let settled = false;
    let cancelDribble: (() => void) | undefined;
    let cancelDown: (() => void) | undefined;
    const headers = endToEnd(req.headers);
    headers.host = hostHeader;
    if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
    // The agent is an https.Agent (with the upstream's CA) for an https:// upstream.
    const outgoing: ClientRequest = send({
      agent,
      host: upstream.host,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers,
    });
    const done = (fate: 'completed' | 'aborted') => {
      if (settled) return;
      settled = true;
      finish(fate);
    };
    let noted = false;
    const note = (status: number | undefined, error?: string) => {
      if (noted) return;
      noted = true;
      const ms = clock.now - started;
      options.journal().noteUpstream(ticket, error === undefined ? { status, ms } : { status, ms, error });
    };
    const fail = (status: 502 | 504, error: string, why: string) => {
      timer.cancel();
      note(undefined, error);
      if (settled) return;
      if (res.headersSent) {
        // Too late for a status: the client sees the cut, as it would without the proxy.
        done('completed');
        res.destroy();
        return;
      }
      const body = `probekit proxy: ${why} (upstream ${upstream.origin}${req.url ?? '/'}).\n`;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-probekit-upstream': error });
      done('completed');
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const timer = atDeadline(clock, started + options.timeoutMs, () => {
      outgoing.destroy();
      fail(504, 'timeout', `the upstream sent no response within ${options.timeoutMs} ms`);
    });

    outgoing.on('error', (error) => {
      const kind = failureOf(error);
      fail(
        502,
        kind,
        kind === 'refused'
          ? 'failed to reach the upstream: connection refused'
          : kind === 'reset'
            ? 'the upstream reset the connection'
            : kind.startsWith('tls:')
              ? `failed to reach the upstream over TLS (${kind}): ${(error as Error).message}`
              : `the upstream failed: ${(error as Error).message}`,
      );
    });
    outgoing.on('response', (upstreamRes) => {
      timer.cancel();
      const upstreamStatus = upstreamRes.statusCode ?? 502;
      note(upstreamStatus);
      const status = decision.status === 0 ? upstreamStatus : decision.status;
      const out = endToEnd(upstreamRes.headers);
      const cut = () => {
        if (!settled) {
          done('completed');
          res.destroy();
        }
      };
      upstreamRes.on('error', cut);
      upstreamRes.on('aborted', cut);
      if (bodyless(req.method, status)) {
        delete out['content-length'];
        upstreamRes.resume();
        res.writeHead(status, out);
        done('completed');
        res.end();
        return;
      }
      if (decision.dribble === 'body') {
        const chunks: Buffer[] = [];
        let size = 0;
        upstreamRes.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_DRIBBLED_BODY) {
            upstreamRes.destroy();
            fail(
              502,
              'too-large',
              `the upstream's body is over ${MAX_DRIBBLED_BODY} bytes, too long to dribble`,
            );
            return;
          }
          chunks.push(chunk);
        });
        upstreamRes.on('end', () => {
          if (settled) return;
          const body = Buffer.concat(chunks);
          out['content-length'] = String(body.length);
          res.writeHead(status, out);
          res.flushHeaders();
          cancelDribble = dribble(clock, body, decision.over, (piece, last) => {
            if (!last) {
              res.write(piece);
              return;
            }
            done('completed');
            res.end(piece);
          });
        });
        return;
      }
      res.writeHead(status, out);
      if (options.down) {
        cancelDown = throttle(clock, upstreamRes, res, options.down, () => {
          // limit-data: the client gets the bytes up to the limit, then its connection is cut.
          done('completed');
          res.destroy();
        });
        // Done once the paced body is all out: the upstream's 'end' comes long before.
        res.once('finish', () => done('completed'));
      } else {
        // Streamed as it comes: each upstream chunk is written on (no buffering), the upstream
        // paused while the client's side is full. By hand rather than with pipe(), whose
        // bookkeeping (a dozen listeners on each side, per response) cost about 2% of the CPU
        // per request; a client that goes away cancels the pass, which destroys the upstream's
        // response, so nothing is written after that.
        upstreamRes.on('data', (chunk: Buffer) => {
          if (!res.write(chunk)) {
            upstreamRes.pause();
            res.once('drain', () => upstreamRes.resume());
          }
        });
        upstreamRes.on('end', () => {
          res.end();
          done('completed');
        });
      }
    });
    // The request body streams to the upstream as it comes (paced if asked).
    const cancelUp = options.up
      ? throttle(clock, req, outgoing, options.up, () => outgoing.destroy())
      : undefined;
    if (!options.up) {
      if (hasBody(req)) req.pipe(outgoing);
      // No body: end the upstream request now rather than when a pipe sees the empty body end a
      // tick later (the pipe's bookkeeping was about 6% of the CPU per request, measured).
      else outgoing.end();
    }

    return () => {
      timer.cancel();
      cancelDribble?.();
      cancelDown?.();
      cancelUp?.();
      if (settled) return;
      // The client went away, or the server is closing: nothing to answer any more.
      settled = true;
      outgoing.destroy();
    };
  };
}
