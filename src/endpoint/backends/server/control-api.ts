import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ProbekitError } from '../../../errors.js';
import type { Clock } from '../../../time/clock.js';
import type { Decision } from '../../engine/decision.js';
import { type JournalEntry, truncateMarked } from '../../engine/journal.js';
import type { ScriptPlayer } from '../../engine/player.js';
import { printScript } from '../../script/dsl/printer.js';
import { ScriptSyntaxError } from '../../script/dsl/syntax-error.js';
import { explain } from '../../script/model.js';

/**
 * Where the control API lives on a mock server.
 *
 * @example
 * await fetch(`${server.controlUrl}${CONTROL_PREFIX}journal`);
 */
export const CONTROL_PREFIX = '/__probekit/';

/** Who may use the control API: loopback clients only (default), anyone, or nobody. */
export type ControlAccess = 'loopback' | 'any' | 'off';

/**
 * The largest script a `PUT`/`POST /__probekit/script` accepts, in bytes (413 beyond). Larger
 * scripts can still be set from code (`server.setScript()`).
 *
 * @example
 * if (body.length > MAX_CONTROL_SCRIPT_BYTES) console.log('use repeats');
 */
export const MAX_CONTROL_SCRIPT_BYTES = 64 * 1024;

/**
 * How many journal entries one `GET /__probekit/journal` returns at most, and by default; a
 * page is also cut at about a megabyte, so one request never blocks the server for long.
 *
 * @example
 * await fetch(`${server.controlUrl}/__probekit/journal?since=0&limit=${JOURNAL_PAGE.max}`);
 */
export const JOURNAL_PAGE = Object.freeze({
  default: 1000,
  max: 10_000,
  /** A page also ends once its entries take about this many bytes (one entry at least). */
  bytes: 1024 * 1024,
});

/** About what an entry takes in the journal's JSON besides its path and body. */
const ENTRY_BYTES = 400;

/** A journal entry's body and header values are cut to this many characters in the JSON. */
const MAX_SHOWN_CHARS = 256;

const ENDPOINTS = [
  'GET  /__probekit/journal[?since=I][&limit=N]  the journal (seed, total, dropped, next, entries)',
  'GET  /__probekit/script             the script being played (definition, DSL, explanation)',
  'PUT  /__probekit/script             replace the script (DSL text, or a JSON definition)',
  'POST /__probekit/reset              restart the script and clear the journal',
];

// Request headers a web page cannot send without a CORS preflight, which this API never grants.
const SIMPLE_CONTENT_TYPES = new Set([
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
]);

/** What the control API needs from its server. */
export interface ControlContext {
  readonly player: ScriptPlayer;
  readonly clock: Clock;
  readonly access: ControlAccess;
  /** When set, every request must carry it (`Authorization: Bearer …` or `X-Probekit-Token`). */
  readonly token: string | undefined;
  /** The ports the server listens on: `Host` and `Origin` must name one of them. */
  readonly ports: () => readonly number[];
  /** When the server started, on its clock and on the wall clock (epoch ms). */
  readonly startedAt: number;
  readonly startedAtWall: number;
  /** Whether the connection must close after the answer (nobody listens on its port right now). */
  readonly closeAfter: (req: IncomingMessage) => boolean;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  context: ControlContext,
  status: number,
  value: unknown,
): void {
  // A string is JSON rendered already (the journal, one entry a line).
  const body = typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (context.closeAfter(req)) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function failure(message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { error: { code: 'ERR_PROBEKIT_PROTOCOL', message }, ...extra };
}

function errorBody(error: unknown): Record<string, unknown> {
  if (error instanceof ScriptSyntaxError) {
    return {
      error: {
        code: error.code,
        message: error.message,
        line: error.line,
        column: error.column,
        hint: error.hint,
        excerpt: error.excerpt,
      },
    };
  }
  if (error instanceof ProbekitError) return { error: { code: error.code, message: error.message } };
  return failure(`Failed to use the control API: ${String(error)}.`);
}

/** A `Host` or an `Origin`'s host: an IP address or `localhost` (never another name: DNS rebinding), on one of our ports. */
function isOwnHost(host: string, ports: readonly number[]): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match) return false;
  const name = (match[1] as string).replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = match[2] === undefined ? 80 : Number(match[2]);
  return (isIP(name) !== 0 || name === 'localhost') && ports.includes(port);
}

function sameToken(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-probekit-token'];
  if (typeof header === 'string') return header;
  const authorization = req.headers.authorization;
  const bearer = authorization === undefined ? undefined : /^Bearer +(.+)$/i.exec(authorization);
  return bearer?.[1];
}

/** Whether a web page could have sent this write without a preflight (which we never grant). */
function isSimpleWrite(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  if (req.headers['x-probekit'] !== undefined) return false;
  const type = req.headers['content-type'];
  if (type === undefined) return true;
  const essence = (type.split(';')[0] as string).trim().toLowerCase();
  return SIMPLE_CONTENT_TYPES.has(essence);
}

/** Why this request may not use the control API (status and message), or undefined. */
function refusal(
  req: IncomingMessage,
  context: ControlContext,
): { status: number; message: string } | undefined {
  const remote = req.socket.remoteAddress;
  if (context.access === 'loopback' && !isLoopback(remote)) {
    return {
      status: 403,
      message: `Failed to use the control API: ${remote} is not a loopback address. Start the server with control: 'any' (--control any) to allow it.`,
    };
  }
  const ports = context.ports();
  const host = req.headers.host;
  if (host === undefined || !isOwnHost(host, ports)) {
    return {
      status: 403,
      message: `Failed to use the control API: the Host ${JSON.stringify(truncateMarked(host ?? '', 100))} is not this server. Address it by IP (http://127.0.0.1:${ports[0]}) or localhost; other names are refused against DNS rebinding.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = /^http:\/\/(.+)$/.exec(origin);
    if (!own || !isOwnHost(own[1] as string, ports)) {
      return {
        status: 403,
        message: `Failed to use the control API: requests from the web page at ${JSON.stringify(truncateMarked(origin, 100))} are refused. Call it from a program (curl, fetch in Node), which sends no Origin.`,
      };
    }
  }
  if (context.token !== undefined) {
    const given = tokenOf(req);
    if (given === undefined || !sameToken(given, context.token)) {
      return {
        status: 401,
        message: `Failed to use the control API: ${given === undefined ? 'the request carries no token' : 'the token is wrong'}. Send the server's control token as "Authorization: Bearer <token>" or "X-Probekit-Token: <token>".`,
      };
    }
  }
  if (isSimpleWrite(req)) {
    return {
      status: 403,
      message:
        'Failed to use the control API: a POST must have a JSON content type or an "X-Probekit: 1" header (a web page cannot send either without permission). Use PUT, or add -H "X-Probekit: 1".',
    };
  }
  return undefined;
}

/**
 * How much of a too-large body is read and dropped before the 413 goes out. A client that
 * sends `Connection: close` and its whole body at once lost the 413 half the time when we
 * answered first: Node closes the socket after the answer, the kernel resets the connection
 * on the unread bytes, and the client sees EPIPE instead of the answer (Go's servers linger
 * the same way). Beyond this, answer at once.
 */
const DRAIN_BYTES = 16 * 1024 * 1024;

/** Reads the body up to the cap; `undefined` when it is larger (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_CONTROL_SCRIPT_BYTES;
    if (declared > DRAIN_BYTES) {
      req.resume();
      resolve(undefined);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_BYTES) {
        resolve(undefined);
        return;
      }
      if (tooLarge) return;
      if (size > MAX_CONTROL_SCRIPT_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function scriptView(player: ScriptPlayer): Record<string, unknown> {
  const definition = player.definition;
  return { seed: player.seed, dsl: printScript(definition), explain: explain(definition), definition };
}

/** A count from the query string: digits only, or the reason it is not one. */
function countParam(url: URL, name: string, max: number): number | string | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    return `Failed to read the journal: ${name} ${JSON.stringify(truncateMarked(text, 40))} is not a whole number of 0 or more. Write ?${name}=100.`;
  }
  if (value > max) {
    return `Failed to read the journal: ${name} ${value} is more than ${max}. Read it a page at a time: ?since=<next>&limit=${max}.`;
  }
  return value;
}

function decisionView(decision: Decision): Decision {
  const body = decision.body === undefined ? undefined : truncateMarked(decision.body, MAX_SHOWN_CHARS);
  let headers = decision.headers;
  if (headers && Object.values(headers).some((value) => value.length > MAX_SHOWN_CHARS)) {
    headers = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, truncateMarked(value, MAX_SHOWN_CHARS)]),
    );
  }
  return body === decision.body && headers === decision.headers ? decision : { ...decision, body, headers };
}

function journalView(url: URL, context: ControlContext): { status: number; value: unknown } {
  const since = countParam(url, 'since', Number.MAX_SAFE_INTEGER);
  const limit = countParam(url, 'limit', JOURNAL_PAGE.max);
  for (const value of [since, limit])
    if (typeof value === 'string') return { status: 400, value: failure(value) };
  const { player, clock, startedAt, startedAtWall } = context;
  const journal = player.journal;
  const count = (limit as number | undefined) ?? JOURNAL_PAGE.default;
  // Without `since`, the last `limit` entries (the journal's tail); with it, a page from there.
  const from = (since as number | undefined) ?? journal.total - Math.min(journal.size, count);
  const entries = journal.page(from, count);
  let bytes = 0;
  const fits = entries.findIndex((entry, i) => {
    bytes += ENTRY_BYTES + entry.path.length + (entry.decision.body?.length ?? 0);
    return i > 0 && bytes > JOURNAL_PAGE.bytes;
  });
  if (fits !== -1) entries.length = fits;
  const first = Math.max(from, journal.total - journal.size);
  const sinceStart = (time: number) => Math.round((time - startedAt) * 1000) / 1000;
  const iso = (time: number) => new Date(startedAtWall + (time - startedAt)).toISOString();
  const head = {
    seed: journal.seed,
    capacity: journal.capacity,
    total: journal.total,
    dropped: journal.dropped,
    recorded: journal.recorded,
    startedAt: new Date(startedAtWall).toISOString(),
    now: sinceStart(clock.now),
    scriptStartedAt: sinceStart(player.startedAt),
    next: first + entries.length,
  };
  const lines = entries.map((entry: JournalEntry) =>
    JSON.stringify({
      ...entry,
      time: sinceStart(entry.time),
      at: iso(entry.time),
      decision: decisionView(entry.decision),
      endedAt: entry.endedAt === undefined ? null : sinceStart(entry.endedAt),
    }),
  );
  // Compact, one entry a line: half the bytes of indented JSON, and still readable.
  const text = `${JSON.stringify(head).slice(0, -1)},"entries":[${lines.length ? `\n${lines.join(',\n')}\n` : ''}]}\n`;
  return { status: 200, value: text };
}

/**
 * Serves `/__probekit/…` for a mock server: read the journal (a page at a time), read or
 * replace the script, reset. Control requests are not journalled and do not move the script.
 * A request is refused (403, or 401 for the token) when its `Host` or `Origin` is not this
 * server, when it is a `POST` a web page could send unasked, or when a token is set and missing.
 *
 * @example
 * if (req.url?.startsWith(CONTROL_PREFIX)) return handleControl(req, res, context);
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  context: ControlContext,
): Promise<void> {
  const answer = (status: number, value: unknown) => send(req, res, context, status, value);
  const refused = refusal(req, context);
  if (refused) {
    req.resume();
    answer(refused.status, failure(refused.message));
    return;
  }
  const { player } = context;
  const url = new URL(req.url ?? '/', 'http://control');
  const what = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  try {
    if (what === 'journal' && (method === 'GET' || method === 'HEAD')) {
      const { status, value } = journalView(url, context);
      answer(status, value);
      return;
    }
    if (what === 'script' && (method === 'GET' || method === 'HEAD')) {
      answer(200, scriptView(player));
      return;
    }
    if (what === 'script' && (method === 'PUT' || method === 'POST')) {
      const text = await readBody(req);
      if (text === undefined) {
        answer(
          413,
          failure(
            `Failed to replace the script: the body is larger than the limit of ${MAX_CONTROL_SCRIPT_BYTES} bytes. Use repeats (503*1000) instead of copies, or call server.setScript() from code.`,
          ),
        );
        return;
      }
      const isJson = /json/i.test(req.headers['content-type'] ?? '') || text.trimStart().startsWith('{');
      let script: unknown = text;
      if (isJson) {
        try {
          script = JSON.parse(text);
        } catch (error) {
          throw new ProbekitError(
            'ERR_PROBEKIT_INVALID_SCRIPT',
            `Failed to replace the script: the body is not valid JSON (${(error as Error).message}). Send a JSON definition, or the DSL as text/plain.`,
          );
        }
      }
      player.setScript(script as string);
      answer(200, scriptView(player));
      return;
    }
    if (what === 'reset' && method === 'POST') {
      req.resume();
      player.reset();
      answer(200, { reset: true, scriptStartedAt: player.startedAt - context.startedAt });
      return;
    }
    req.resume();
    const known = what === 'journal' || what === 'script' || what === 'reset';
    answer(
      known ? 405 : 404,
      failure(`Failed to use the control API: ${method} ${url.pathname} is not one of its endpoints.`, {
        endpoints: ENDPOINTS,
      }),
    );
  } catch (error) {
    answer(400, errorBody(error));
  }
}
