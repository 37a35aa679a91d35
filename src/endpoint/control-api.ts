import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProbekitError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { printScript } from './dsl/printer.js';
import { ScriptSyntaxError } from './dsl/syntax-error.js';
import { explain } from './model.js';
import type { ScriptPlayer } from './player.js';

/**
 * Where the control API lives on a mock server.
 *
 * @example
 * await fetch(`${server.url}${CONTROL_PREFIX}journal`);
 */
export const CONTROL_PREFIX = '/__probekit/';

/** Who may use the control API: loopback clients only (default), anyone, or nobody. */
export type ControlAccess = 'loopback' | 'any' | 'off';

const MAX_SCRIPT_BYTES = 1024 * 1024;

const ENDPOINTS = [
  'GET  /__probekit/journal[?limit=N]  the journal (seed, total, dropped, entries)',
  'GET  /__probekit/script             the script being played (definition, DSL, explanation)',
  'PUT  /__probekit/script             replace the script (DSL text, or a JSON definition)',
  'POST /__probekit/reset              restart the script and clear the journal',
];

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
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
  return { error: { code: 'ERR_PROBEKIT_PROTOCOL', message: String(error) } };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SCRIPT_BYTES) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function scriptView(player: ScriptPlayer): Record<string, unknown> {
  const definition = player.definition;
  return { seed: player.seed, dsl: printScript(definition), explain: explain(definition), definition };
}

/**
 * Serves `/__probekit/…` for a mock server: read the journal, read or replace the script, reset.
 * Control requests are not journalled and do not move the script.
 *
 * @example
 * if (req.url?.startsWith(CONTROL_PREFIX)) return handleControl(req, res, player, clock, 'loopback');
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  player: ScriptPlayer,
  clock: Clock,
  access: ControlAccess,
): Promise<void> {
  if (access === 'loopback' && !isLoopback(req.socket.remoteAddress)) {
    send(res, 403, {
      error: {
        code: 'ERR_PROBEKIT_PROTOCOL',
        message: `Failed to use the control API: ${req.socket.remoteAddress} is not a loopback address. Start the server with control: 'any' to allow it.`,
      },
    });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://control');
  const what = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  try {
    if (what === 'journal' && (method === 'GET' || method === 'HEAD')) {
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? Number.POSITIVE_INFINITY : Number(limitText);
      if (!(limit >= 0)) {
        send(res, 400, {
          error: {
            code: 'ERR_PROBEKIT_PROTOCOL',
            message: `Failed to read the journal: limit ${JSON.stringify(limitText)} is not a number. Write ?limit=100.`,
          },
        });
        return;
      }
      const journal = player.journal;
      send(res, 200, {
        seed: journal.seed,
        capacity: journal.capacity,
        total: journal.total,
        dropped: journal.dropped,
        startedAt: player.startedAt,
        now: clock.now,
        entries: journal.entries(limit),
      });
      return;
    }
    if (what === 'script' && (method === 'GET' || method === 'HEAD')) {
      send(res, 200, scriptView(player));
      return;
    }
    if (what === 'script' && (method === 'PUT' || method === 'POST')) {
      const text = await readBody(req);
      if (text === undefined) {
        send(res, 413, {
          error: {
            code: 'ERR_PROBEKIT_INVALID_SCRIPT',
            message: `Failed to replace the script: it is larger than ${MAX_SCRIPT_BYTES} bytes. Use repeats (*n) instead of copies.`,
          },
        });
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
      send(res, 200, scriptView(player));
      return;
    }
    if (what === 'reset' && method === 'POST') {
      player.reset();
      send(res, 200, { reset: true, startedAt: player.startedAt });
      return;
    }
    const known = what === 'journal' || what === 'script' || what === 'reset';
    send(res, known ? 405 : 404, {
      error: {
        code: 'ERR_PROBEKIT_PROTOCOL',
        message: `Failed to use the control API: ${method} ${url.pathname} is not one of its endpoints.`,
      },
      endpoints: ENDPOINTS,
    });
  } catch (error) {
    send(res, 400, errorBody(error));
  }
}
